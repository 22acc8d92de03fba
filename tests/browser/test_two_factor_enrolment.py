"""Two-factor enrolment in Chromium: log in with a password, scan (read) the secret, type a code
computed from it, keep the recovery codes, log out, and log back in with a recovery code."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"


@pytest.fixture
def editor(make_staff):
    from accounts.staff import staff_upsert

    make_staff  # noqa: B018 (restores the role groups a transactional test flushed)
    return staff_upsert(username="b-editor", role="editor", password=PASSWORD)[0]


def _log_in(page, base: str, code: str = "") -> None:
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", "b-editor")
    page.fill("#id_password", PASSWORD)
    if code:
        page.fill("#id_otp_token", code)
    page.click("main button[type=submit]")


def test_enrol_an_authenticator_then_log_in_with_a_recovery_code(
    page, live_server, editor, settings
):
    settings.STAFF_2FA_REQUIRED = True
    base = live_server.url
    _log_in(page, base)
    page.wait_for_url(f"{base}/desk/2fa/")
    assert page.locator(".qr svg").count() == 1
    secret = page.inner_text("#otp-secret")
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert b32decode(secret) == device.bin_key

    code = f"{totp(b32decode(secret), step=30, digits=6):06d}"
    page.fill("#otp_token", code)
    page.click("text=Turn on")
    page.wait_for_url(f"{base}/desk/2fa/recovery-codes/")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=Continue to the desk")
    page.wait_for_url(f"{base}/desk/")
    assert page.locator("text=API tokens").count() == 1

    page.click("text=Log out")
    page.wait_for_url(f"{base}/desk/login/")
    _log_in(page, base, code="")
    assert "recovery code" in page.inner_text("main")
    _log_in(page, base, code=codes[3])
    page.wait_for_url(f"{base}/desk/")
    assert page.locator("h1").count() >= 1
    page.goto(f"{base}/desk/contacts/")
    assert "Only publishers and admins" in page.inner_text("main")

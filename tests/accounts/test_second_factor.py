"""Enrolment: a fresh secret per attempt, shown once; recovery codes, each usable once."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db


def _secret(page) -> str:
    return re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', page.content.decode()).group(1)


def _password_login(client, user, code: str = ""):
    return client.post(
        "/desk/login/", {"username": user.username, "password": PASSWORD, "otp_token": code}
    )


@override_settings(STAFF_2FA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_each_visit_makes_a_new_secret_and_an_old_one_never_works(client, make_staff):
    user = make_staff("editor")
    _password_login(client, user)
    first = client.get("/desk/2fa/")
    glimpsed = TOTPDevice.objects.get(user=user, confirmed=False)
    second = client.get("/desk/2fa/")
    assert _secret(first) != _secret(second)
    assert not TOTPDevice.objects.filter(pk=glimpsed.pk).exists()
    # A code from the glimpsed secret does not confirm this attempt.
    assert client.post("/desk/2fa/", {"otp_token": current_code(glimpsed)}).status_code == 400
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/desk/2fa/", {"otp_token": current_code(device)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [
        (device.pk, True)
    ]
    assert client.get("/desk/").status_code == 200
    # Whoever saw the first secret cannot log in with a code from it.
    client.post("/desk/logout/")
    assert _password_login(client, user, current_code(glimpsed)).status_code == 200
    assert client.get("/desk/").status_code == 302


@override_settings(STAFF_2FA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_an_attempt_is_confirmed_only_in_the_session_that_started_it(client, make_staff):
    from django.test import Client

    user = make_staff("author")
    _password_login(client, user)
    client.get("/desk/2fa/")
    other = Client()
    _password_login(other, user)
    other.get("/desk/2fa/")  # a second attempt (an intruder with the password)
    theirs = TOTPDevice.objects.get(user=user, confirmed=False)
    # The first session cannot confirm the other attempt's device with its code.
    assert client.post("/desk/2fa/", {"otp_token": current_code(theirs)}).status_code == 400
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@override_settings(STAFF_2FA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_recovery_codes_are_shown_once_and_each_logs_in_once(client, make_staff):
    user = make_staff("publisher")
    _password_login(client, user)
    client.get("/desk/2fa/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/desk/2fa/", {"otp_token": current_code(device)}, follow=True)
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    again = client.get("/desk/2fa/recovery-codes/")
    assert not any(code in again.content.decode() for code in codes)
    client.post("/desk/logout/")

    assert _password_login(client, user, codes[0].upper()).status_code == 302
    assert client.get("/desk/contacts/").status_code == 200
    client.post("/desk/logout/")
    assert _password_login(client, user, codes[0]).status_code == 200  # used up
    assert client.get("/desk/").status_code == 302


@override_settings(STAFF_2FA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_regenerating_recovery_codes_needs_a_verified_session_and_voids_the_old(client, make_staff):
    user = make_staff("editor")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    from accounts.two_factor import recovery_codes_replace

    old = recovery_codes_replace(user=user)
    _password_login(client, user, current_code(device))
    response = client.post("/desk/2fa/recovery-codes/", follow=True)
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not StaticToken.objects.filter(token__in=old).exists()


@override_settings(STAFF_2FA_REQUIRED=False)
def test_recovery_codes_page_refuses_a_session_without_a_second_factor(client, make_staff):
    client.force_login(make_staff("admin"))
    assert client.post("/desk/2fa/recovery-codes/").status_code == 302
    assert not StaticToken.objects.exists()

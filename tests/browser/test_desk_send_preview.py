"""A publisher in Chromium: from the statement page, "Send this release"; the form has the
statement chosen (by title); the preview shows each language version as its recipients get it
(HTML in a sandboxed frame, plain text, subject and headers); "Send a test to me" delivers one
message marked [TEST] to their own address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from distribution.models import Distribution
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"


@pytest.fixture
def publisher(make_staff):
    from accounts.staff import staff_upsert

    return staff_upsert(
        username="p-publisher", role="publisher", password=PASSWORD, email="desk@example.org"
    )[0]


@pytest.fixture
def audience():
    press = MediaListFactory(slug="press", name="Regional press")
    ContactFactory(email="en@example.org", languages=["en"]).lists.add(press)
    ContactFactory(email="my@example.org", languages=["my"]).lists.add(press)
    return press


def test_from_the_statement_page_to_the_preview_and_a_test_send(
    page, live_server, publisher, audience
):
    statement = make_statement(slug="asean-must-stop")
    base = live_server.url
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", "p-publisher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")

    page.goto(f"{base}/desk/statements/{statement.pk}/")
    page.click("#send-this-release")
    page.wait_for_url(re.compile(rf".*/desk/sends/new/\?statement={statement.pk}&kind=release$"))
    chosen = page.locator("select[name=statement] option:checked")
    expect(chosen).to_have_text(re.compile(re.escape(EN_TITLE)))
    assert "asean-must-stop" not in chosen.inner_text()
    expect(page.locator("[role=alert]")).to_have_count(0)

    page.check("input[name=media_lists][value=press]")
    page.click("text=Count recipients")
    page.wait_for_selector("text=Before you confirm")

    english, burmese = page.locator("#variant-en"), page.locator("#variant-my")
    expect(english.locator(".send-subject")).to_have_text(EN_TITLE)
    expect(burmese.locator(".send-subject")).to_have_text(MY_TITLE)
    expect(english.locator("[data-header=Content-Language]")).to_have_text("en")
    expect(burmese.locator("[data-header=Content-Language]")).to_have_text("my")
    expect(english.locator("[data-header=To]")).to_have_text("journalist@example.org")
    expect(english.locator(".send-text")).to_contain_text("ASEAN is complicit.")
    assert burmese.locator(".send-text [lang=my]").count() >= 1  # the Myanmar font applies

    # The HTML part in a frame that may run nothing, with the message's own styles.
    frame = english.locator("iframe.send-html")
    assert frame.get_attribute("sandbox") == ""
    expect(page.frame_locator("#variant-en iframe").locator("h1")).to_have_text(EN_TITLE)
    expect(page.frame_locator("#variant-my iframe").locator("h1")).to_have_text(MY_TITLE)
    src = frame.get_attribute("src")
    served = page.request.get(f"{base}{src}")
    assert "default-src 'none'" in served.headers["content-security-policy"]

    burmese.locator("button", has_text="Send a test to me").click()
    page.wait_for_selector("text=Before you confirm")  # back on the same preview
    expect(page.locator(".messages")).to_contain_text("was sent to desk@example.org")
    [message] = mail.outbox
    assert message.to == ["desk@example.org"]
    assert message.subject == f"[TEST] {MY_TITLE}"
    assert message.extra_headers["Content-Language"] == "my"
    assert not Distribution.objects.exists()

"""A Zawgyi paste into the desk editor, in Chromium: stored as Unicode, with a notice that
shows the converted text; then the header search box finds it by a Unicode word."""

from __future__ import annotations

import pytest

from burmese import clean_burmese
from statements.models import StatementTranslation
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"
ZAWGYI = "ျမန္မာႏိုင္ငံ လူ႔အခြင့္အေရး"
UNICODE = "မြန်မာနိုင်ငံ လူ့အခွင့်အရေး"


@pytest.fixture
def author(db):
    from accounts.staff import staff_upsert
    from tests.conftest import restore_roles

    restore_roles()
    CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    return staff_upsert(username="z-author", role="author", password=PASSWORD)[0]


def paste(page, selector: str, text: str) -> None:
    """Put text on the clipboard and paste it with the keyboard, as a person would."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.focus(selector)
    page.keyboard.press("Control+V")
    if page.input_value(selector) != text:  # a clipboard-less headless build: type it in one go
        page.fill(selector, "")
        page.keyboard.insert_text(text)


def test_zawgyi_pasted_into_the_desk_editor_is_stored_as_unicode_with_a_notice(
    page, live_server, author
):
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", "z-author")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")

    page.click("text=New statement")
    page.select_option("#id_campaign", "asean-complicity")
    page.fill("#id_en-title", "Human rights in Myanmar")
    page.fill("#id_en-summary", "A summary.")
    page.fill("#id_en-body", "A body.")
    paste(page, "#id_my-title", ZAWGYI)
    assert page.input_value("#id_my-title") == ZAWGYI
    page.fill("#id_my-summary", "အကျဉ်းချုပ်")
    page.fill("#id_my-body", "စာကိုယ်")
    page.click("button[name=save]")
    page.wait_for_selector("#state[data-state=draft]")

    stored = StatementTranslation.objects.get(language="my")
    assert stored.title == UNICODE == clean_burmese(ZAWGYI).text
    # The notice names the field, says Zawgyi, and shows the converted text.
    notice = page.locator(".messages li", has_text="Zawgyi")
    assert notice.count() == 1
    # The field in words, not the key "translations.my.title" (issue 11).
    assert "Burmese title" in notice.inner_text() and UNICODE in notice.inner_text()
    assert "translations.my" not in notice.inner_text()
    # The editor now shows the stored Unicode text, not the paste.
    assert page.input_value("#id_my-title") == UNICODE

    page.fill("header input[name=q]", "လူ့အခွင့်အရေး")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#search-results")
    assert "human-rights-in-myanmar" in page.inner_text("#search-results")

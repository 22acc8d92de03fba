"""No Burmese on a desk page falls back to another font: in Chromium, every element holding
Myanmar characters (text, form values, options) has the app's Noto Sans Myanmar first in its
computed font stack, and that font has loaded. Dashboard, a statement, search, contacts and
the Zawgyi notice."""

from __future__ import annotations

import pytest

from contacts.models import Contact, MediaList
from statements import workflow
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"
FONT = "Noto Sans Myanmar"
MY_TITLE = "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်"
ZAWGYI = "ျမန္မာႏိုင္ငံ လူ႔အခြင့္အေရး"

# Elements whose own text (or value) has Myanmar characters, with the first family of their
# computed font stack; and whether the app's font is loaded.
FONT_REPORT = """async () => {
  await document.fonts.ready;
  const MY = /[\\u1000-\\u109F\\uAA60-\\uAA7F\\uA9E0-\\uA9FF]/;
  const found = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (MY.test(node.nodeValue) && node.parentElement) found.add(node.parentElement);
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]), textarea, option")) {
    if (MY.test(el.value || el.textContent)) found.add(el);
  }
  const rows = [];
  for (const el of found) {
    if (el.closest("script, style, template")) continue;
    const family = getComputedStyle(el).fontFamily;
    const first = family.split(",")[0].trim().replace(/^["']|["']$/g, "");
    rows.push({tag: el.tagName, text: (el.value || el.textContent).trim().slice(0, 50),
               first, family});
  }
  const loaded = [...document.fonts].some(
    f => f.family.replace(/["']/g, "") === "Noto Sans Myanmar" && f.status === "loaded");
  return {rows, loaded, check: document.fonts.check('16px "Noto Sans Myanmar"', "မြန်မာ")};
}"""


@pytest.fixture
def world(db):
    from accounts.staff import staff_upsert
    from tests.conftest import restore_roles

    restore_roles()
    campaign = CampaignFactory(
        slug="asean-complicity", name={"en": "ASEAN complicity", "my": "အာဆီယံ ကြံရာပါမှု"}
    )
    author = staff_upsert(username="f-author", role="author", password=PASSWORD)[0]
    publisher = staff_upsert(
        username="f-publisher", role="publisher", password=PASSWORD, email="p@example.org"
    )[0]
    statement, _ = workflow.statement_create(
        by=author,
        campaign=campaign.slug,
        slug="asean-must-stop",
        translations={
            "en": {"title": "ASEAN must stop", "summary": "Summary.", "body": "Body."},
            "my": {"title": MY_TITLE, "summary": "အကျဉ်းချုပ်။", "body": "ပထမ စာပိုဒ်။"},
        },
    )
    workflow.statement_submit(statement_id=statement.pk, by=author)
    workflow.statement_create(  # written in Burmese: the dashboard shows its Burmese title
        by=author,
        campaign=campaign.slug,
        slug="burmese-first",
        source_language="my",
        required_languages=["my"],
        translations={"my": {"title": "မြန်မာ ဦးစွာ", "summary": "အကျဉ်း။", "body": "စာ။"}},
    )
    media_list = MediaList.objects.create(slug="burmese-press", name="မြန်မာ သတင်းထောက်များ")
    contact = Contact.objects.create(
        email="aye@example.org", name="ဒေါ်အေးအေး", outlet="မဇ္ဈိမ", languages=["my"]
    )
    contact.lists.add(media_list)
    return {"statement": statement, "publisher": publisher}


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def _assert_myanmar_font(page, where: str, *, at_least: int = 1) -> None:
    report = page.evaluate(FONT_REPORT)
    rows = report["rows"]
    assert len(rows) >= at_least, f"{where}: expected Burmese text on the page, found {rows}"
    fallback = [row for row in rows if row["first"] != FONT]
    assert not fallback, f"{where}: Burmese in a fallback font: {fallback}"
    assert report["loaded"] and report["check"], f"{where}: {FONT} did not load"


def test_burmese_on_desk_pages_is_in_the_apps_myanmar_font(page, live_server, world):
    base = live_server.url
    _log_in(page, base, "f-publisher")

    page.goto(f"{base}/desk/")
    _assert_myanmar_font(page, "dashboard", at_least=2)  # a title and the chooser

    page.goto(f"{base}/desk/statements/{world['statement'].pk}/")
    _assert_myanmar_font(page, "statement", at_least=2)

    page.fill("header input[name=q]", "စစ်ကောင်စီ")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#search-results")
    _assert_myanmar_font(page, "search", at_least=3)  # both search lines, the count, a title

    page.goto(f"{base}/desk/contacts/?q=aye")
    _assert_myanmar_font(page, "contacts", at_least=3)  # name, outlet, list (and its option)

    page.goto(f"{base}/desk/statements/new/")
    page.select_option("#id_campaign", "asean-complicity")
    page.fill("#id_en-title", "Human rights in Myanmar")
    page.fill("#id_en-summary", "A summary.")
    page.fill("#id_en-body", "A body.")
    page.fill("#id_my-title", ZAWGYI)
    page.fill("#id_my-summary", "အကျဉ်းချုပ်")
    page.fill("#id_my-body", "စာကိုယ်")
    page.click("button[name=save]")
    page.wait_for_selector(".messages li")
    assert page.locator(".messages li", has_text="Zawgyi").count() == 1
    _assert_myanmar_font(page, "Zawgyi notice", at_least=2)


def test_the_desk_in_burmese_is_all_in_the_myanmar_font(page, live_server, world):
    base = live_server.url
    _log_in(page, base, "f-publisher")
    page.click("header button[value=my]")
    page.wait_for_selector("html[lang=my]")
    _assert_myanmar_font(page, "dashboard in Burmese", at_least=3)
    page.click("header button[value=en]")
    page.wait_for_selector("html[lang=en]")

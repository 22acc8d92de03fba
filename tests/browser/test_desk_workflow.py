"""An author drafts both languages and submits, an editor requests changes, the author fixes,
the editor approves, a publisher publishes: all in Chromium, through the desk."""

import pytest

from statements.models import Statement
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"


@pytest.fixture
def people(make_staff):
    from accounts.staff import staff_upsert

    CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    return {
        role: staff_upsert(username=f"b-{role}", role=role, password=PASSWORD)[0]
        for role in ("author", "editor", "publisher")
    }


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def open_statement(page, base: str, pk: int) -> None:
    page.goto(f"{base}/desk/statements/{pk}/")


def test_draft_review_fix_approve_publish_in_the_browser(page, live_server, people):
    base = live_server.url
    log_in(page, base, "b-author")
    page.click("text=New statement")
    page.select_option("#id_campaign", "asean-complicity")
    page.fill("#id_en-title", "ASEAN must ban the junta from its meetings")
    page.fill("#id_en-summary", "ASEAN keeps legitimising the junta.")
    page.fill("#id_en-body", "First paragraph.\n\nSecond paragraph.")
    page.fill("#id_my-title", "အာဆီယံသည် စစ်ကောင်စီကို အစည်းအဝေးများမှ ပိတ်ပင်ရမည်")
    page.fill("#id_my-summary", "အာဆီယံသည် စစ်ကောင်စီကို ဆက်လက် တရားဝင်အသိအမှတ်ပြုနေသည်။")
    page.fill("#id_my-body", "ပထမ စာပိုဒ်။\n\nဒုတိယ စာပိုဒ်။")
    page.click("button[name=save]")
    page.wait_for_selector("#state[data-state=draft]")
    statement = Statement.objects.get()
    assert statement.slug == "asean-must-ban-the-junta-from-its-meetings"
    page.click("button[value=submit]")
    page.wait_for_selector("#state[data-state=in_review]")

    log_in(page, base, "b-editor")
    page.locator("#waiting + table a", has_text="ASEAN must ban the junta").click()
    page.fill("textarea[aria-label='Changes requested']", "Name the UN report in the body.")
    page.click("button[value=request_changes]")
    page.wait_for_selector("#state[data-state=changes_requested]")

    log_in(page, base, "b-author")
    open_statement(page, base, statement.pk)
    assert "Name the UN report in the body." in page.inner_text("#history")
    page.fill("#id_en-body", "First paragraph, citing the UN report.\n\nSecond paragraph.")
    page.fill("#id_my-body", "ကုလသမဂ္ဂ အစီရင်ခံစာကို ကိုးကားသည်။\n\nဒုတိယ စာပိုဒ်။")
    page.click("button[name=save]")
    page.wait_for_selector("text=Saved.")
    page.click("button[value=submit]")
    page.wait_for_selector("#state[data-state=in_review]")

    log_in(page, base, "b-editor")
    open_statement(page, base, statement.pk)
    page.click("button[value=approve]")
    page.wait_for_selector("#state[data-state=approved]")

    log_in(page, base, "b-publisher")
    open_statement(page, base, statement.pk)
    page.click("button[value=publish]")
    page.wait_for_selector("#state[data-state=published]")

    statement.refresh_from_db()
    assert statement.state == "published"
    assert statement.translation("en").body.startswith("First paragraph, citing")
    actions = list(statement.events.values_list("action", "actor__username"))
    assert actions == [
        ("create", "b-author"),
        ("submit", "b-author"),
        ("request_changes", "b-editor"),
        ("edit", "b-author"),
        ("submit", "b-author"),
        ("approved", "b-editor"),
        ("publish", "b-publisher"),
    ]

"""An author submits in the desk; the editor sees "Inbox (1)", finds the review request in the
inbox in bold, opens it, marks it read; the count goes away. Chromium, through the desk."""

import pytest

from statements import workflow
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"
TITLE = "ASEAN must ban the junta from its meetings"
MY = {
    "title": "အာဆီယံသည် စစ်ကောင်စီကို အစည်းအဝေးများမှ ပိတ်ပင်ရမည်",
    "summary": "အာဆီယံသည် စစ်ကောင်စီကို ဆက်လက် တရားဝင်အသိအမှတ်ပြုနေသည်။",
    "body": "ပထမ စာပိုဒ်။\n\nဒုတိယ စာပိုဒ်။",
}


@pytest.fixture
def people(make_staff):
    from accounts.staff import staff_upsert

    CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    return {
        role: staff_upsert(
            username=f"n-{role}", role=role, password=PASSWORD, email=f"n-{role}@example.org"
        )[0]
        for role in ("author", "editor")
    }


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def test_a_review_request_appears_in_the_editors_inbox_and_is_marked_read(
    page, live_server, people
):
    base = live_server.url
    statement, _ = workflow.statement_create(
        by=people["author"],
        campaign="asean-complicity",
        translations={"en": {"title": TITLE, "summary": "Summary.", "body": "Body."}, "my": MY},
    )
    log_in(page, base, "n-author")
    page.goto(f"{base}/desk/statements/{statement.pk}/")
    page.click("button[value=submit]")
    page.wait_for_selector("#state[data-state=in_review]")
    assert page.locator("a.nav-inbox .count").count() == 0  # nobody is told of their own act

    log_in(page, base, "n-editor")
    assert page.inner_text("a.nav-inbox") == "Inbox (1)"
    page.click("a.nav-inbox")
    page.wait_for_url(f"{base}/desk/inbox/")
    row = page.locator("tr.unread")
    assert row.count() == 1
    assert "n-author asks for a review of" in row.inner_text() and TITLE in row.inner_text()
    # Unread is bold: the headline sits in <strong>, and the browser draws it so.
    weight = row.locator("strong a").evaluate("a => getComputedStyle(a).fontWeight")
    assert int(weight) >= 600

    row.get_by_role("button", name="Mark as read").click()
    page.wait_for_selector("tr.read")
    assert page.locator("tr.unread").count() == 0
    assert page.inner_text("a.nav-inbox") == "Inbox"

    page.locator("tr.read a", has_text=TITLE).click()
    page.wait_for_url(f"{base}/desk/statements/{statement.pk}/")

"""The statement editor in Chromium: targets with the role holder shown, an ask chosen and one
proposed, quotes added and removed, the live preview and the completeness reason updating as
one types, save; the public page of the published release; the lock notice a second person
sees."""

from __future__ import annotations

import pytest

from statements import workflow
from statements.models import Boilerplate, Statement
from tests.factories import AskFactory, CampaignFactory, RoleHoldingFactory, TargetFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"


@pytest.fixture
def people(make_staff):
    from accounts.staff import staff_upsert

    campaign = CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    malaysia = TargetFactory(slug="malaysia", name={"en": "Malaysia"})
    TargetFactory(slug="asean", name={"en": "ASEAN"}, kind="organisation")
    RoleHoldingFactory(
        holder=malaysia,
        role__slug="asean-chair",
        role__name={"en": "ASEAN Chair"},
        starts_on="2020-01-01",
        ends_on=None,
    )
    AskFactory(campaign=campaign, slug="ban-junta", text={"en": "Ban the junta."})
    Boilerplate.objects.create(
        slug="default",
        about={"en": "We campaign for human rights in Myanmar."},
        media_contact={"en": "press@example.org"},
    )
    return {
        name: staff_upsert(username=name, role=role, password=PASSWORD)[0]
        for name, role in (
            ("thida", "author"),
            ("aung", "author"),
            ("editor", "editor"),
            ("publisher", "publisher"),
        )
    }


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")


def test_the_editor_links_everything_previews_live_and_publishes_it(
    page, live_server, people, browser
):
    base = live_server.url
    log_in(page, base, "thida")
    page.goto(f"{base}/desk/statements/new/")
    page.select_option("#id_campaign", "asean-complicity")
    page.select_option("#id_kind", "statement")
    page.check("#choices-targets input[value=asean]")
    page.check("#choices-roles input[value=asean-chair]")
    roles = page.inner_text("#choices-roles")
    assert "ASEAN Chair — Malaysia (since 2020)" in roles
    assert "Malaysia — ASEAN Chair (since 2020)" in page.inner_text("#choices-targets")
    page.check("#choices-asks input[value=ban-junta]")
    page.click("#new-ask summary")
    page.fill("#id_new_ask-en", "Refer the junta to the ICC.")
    page.select_option("#id_boilerplate", "default")

    page.fill("#id_en-title", "ASEAN must ban the junta")
    page.fill("#id_en-summary", "ASEAN keeps legitimising the junta.")
    page.fill("#id_en-body", "First paragraph with **all** of it.")
    quotes = page.locator("#quotes-en .quote-row")
    quotes.nth(0).locator("input").fill("Yadanar Maung")
    quotes.nth(0).locator("textarea").fill("Stop the arms.")
    page.click("[data-add-quote=en]")
    assert quotes.count() == 2
    quotes.nth(1).locator("input").fill("Nobody")
    quotes.nth(1).locator("textarea").fill("To be removed.")
    page.locator("#quotes-en .quote-row").nth(1).locator("[data-remove-quote]").click()
    assert quotes.count() == 1

    # The preview renders the public page's template as one types (debounced).
    page.wait_for_selector("#preview-en blockquote >> text=Stop the arms.")
    page.wait_for_selector("#preview-en strong >> text=all")
    assert "To be removed." not in page.inner_text("#preview-en")
    assert "Ban the junta." in page.inner_text("#preview-en")
    assert "ASEAN Chair: Malaysia" in page.inner_text("#preview-en")
    # Completeness from the fields, with the reason.
    page.fill("#id_my-title", "အာဆီယံသည် စစ်ကောင်စီကို ပိတ်ပင်ရမည်")
    page.wait_for_selector("#complete-my >> text=missing: summary, body")
    assert page.get_attribute("#preview-my", "lang") == "my"
    page.fill("#id_my-summary", "အကျဉ်းချုပ်")
    page.fill("#id_my-body", "စာကိုယ်")
    page.wait_for_selector("#complete-my >> text=complete")
    page.wait_for_selector("#preview-my >> text=စာကိုယ်")

    page.click("button[name=save]")
    page.wait_for_selector("#state[data-state=draft]")
    statement = Statement.objects.get()
    assert {a.text["en"] for a in statement.asks.all()} == {
        "Ban the junta.",
        "Refer the junta to the ICC.",
    }
    assert statement.translation("en").quotes == [
        {"speaker": "Yadanar Maung", "text": "Stop the arms."}
    ]

    # A second person opening it while Thida edits sees who and since when.
    page.fill("#id_en-summary", "ASEAN keeps legitimising the junta, again.")
    page.wait_for_function("document.querySelector('#save-state').textContent.length > 0")
    other = browser.new_context(locale="en-GB", timezone_id="UTC").new_page()
    try:
        log_in(other, base, "aung")
        other.wait_for_timeout(300)  # the claim is asynchronous
        other.goto(f"{base}/desk/statements/{statement.pk}/")
        notice = other.inner_text("#lock-notice")
        assert "thida is editing since" in notice
        assert other.is_disabled("#id_en-title")
    finally:
        other.context.close()

    # Leaving with unsaved changes asks first (beforeunload).
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    page.goto(f"{base}/desk/")
    assert dialogs == ["beforeunload"]

    workflow.statement_submit(statement_id=statement.pk, by=people["thida"])
    workflow.statement_approve(statement_id=statement.pk, by=people["editor"])
    workflow.statement_publish(statement_id=statement.pk, by=people["publisher"])
    page.goto(f"{base}/en/releases/{statement.slug}/")
    public = page.inner_text("main")
    for shown in (
        "ASEAN Chair: Malaysia",
        "Ban the junta.",
        "Refer the junta to the ICC.",
        "Stop the arms.",
        "Yadanar Maung",
        "We campaign for human rights in Myanmar.",
        "press@example.org",
    ):
        assert shown in public, shown

"""The desk pages render what staff need, and only the actions the user may take."""

import datetime

import pytest
import time_machine

from statements import workflow
from tests.statements.conftest import EN, MY, in_future

pytestmark = pytest.mark.django_db


def test_dashboard_lists_waiting_scheduled_and_embargoed(client, staff, campaign, approved):
    waiting, _ = workflow.statement_create(
        by=staff.author,
        campaign=campaign.slug,
        slug="needs-review",
        translations={"en": EN, "my": MY},
    )
    workflow.statement_submit(statement_id=waiting.pk, by=staff.author)
    workflow.statement_schedule(
        statement_id=approved.pk, by=staff.publisher, scheduled_at=in_future()
    )
    client.force_login(staff.editor)
    page = client.get("/desk/").content.decode()
    waiting_section = page.split('id="waiting"')[1].split('id="scheduled"')[0]
    assert "needs-review" in waiting_section
    assert approved.slug in page.split('id="scheduled"')[1].split('id="embargoed"')[0]


def test_dashboard_banner_reports_an_overdue_publication(client, staff, approved):
    at = in_future(10)
    workflow.statement_schedule(statement_id=approved.pk, by=staff.publisher, scheduled_at=at)
    client.force_login(staff.author)
    with time_machine.travel(at + datetime.timedelta(minutes=6)):
        page = client.get("/desk/").content.decode()
    assert "Overdue publications" in page and approved.slug in page


def test_translation_overview_shows_missing_and_stale_burmese(client, staff, campaign, draft):
    workflow.statement_create(
        by=staff.author, campaign=campaign.slug, slug="english-only", translations={"en": EN}
    )
    workflow.statement_edit(
        statement_id=draft.pk,
        by=staff.author,
        translations={"en": EN | {"body": "Changed source."}},
    )
    client.force_login(staff.author)
    page = client.get("/desk/translations/").content.decode()
    assert 'class="st-missing" data-lang="my">missing' in page
    assert 'class="st-stale" data-lang="my">stale' in page


def test_buttons_are_only_those_the_user_may_use(client, staff, draft):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    client.force_login(staff.author)
    page = client.get(f"/desk/statements/{draft.pk}/").content.decode()
    assert 'value="approve"' not in page and 'value="publish"' not in page
    client.force_login(staff.editor)
    page = client.get(f"/desk/statements/{draft.pk}/").content.decode()
    assert 'value="approve"' in page and 'value="request_changes"' in page


def test_editor_shows_english_and_burmese_side_by_side(client, staff, draft):
    client.force_login(staff.author)
    page = client.get(f"/desk/statements/{draft.pk}/").content.decode()
    assert 'fieldset lang="en"' in page and 'fieldset lang="my"' in page
    # Language names, never codes (issue 11).
    assert "English and Burmese side by side" in page and MY["body"].split("\n")[0] in page


def test_a_refused_action_shows_the_rule_and_changes_nothing(client, staff, draft):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    client.force_login(staff.editor)
    response = client.post(f"/desk/statements/{draft.pk}/request_changes/", {"comment": ""})
    assert response.status_code == 400
    assert "needs a comment" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "in_review"


def test_diff_between_two_revisions_per_language(client, staff, draft):
    workflow.statement_edit(
        statement_id=draft.pk, by=staff.author, translations={"my": MY | {"title": "ခေါင်းစဉ် အသစ်"}}
    )
    client.force_login(staff.editor)
    page = client.get(f"/desk/statements/{draft.pk}/diff/?a=1&b=2").content.decode()
    # Languages and fields by name, not code (issue 11: "my · title" was developer wording).
    assert "Burmese · Title" in page and "diff_" in page
    assert "English · Title" not in page and "my · title" not in page


def test_preview_of_the_public_page_in_each_language(client, staff, draft):
    client.force_login(staff.author)
    page = client.get(f"/desk/statements/{draft.pk}/preview/my/").content.decode()
    assert '<html lang="my">' in page and MY["title"] in page


def test_desk_comment_is_kept_in_the_history(client, staff, draft):
    client.force_login(staff.editor)
    client.post(f"/desk/statements/{draft.pk}/comment/", {"comment": "Looks close."})
    assert draft.events.filter(action="comment", comment="Looks close.").exists()


def test_a_zawgyi_paste_into_the_desk_editor_is_stored_as_unicode(client, staff, draft):
    zawgyi = "ျမန္မာႏိုင္ငံ လူ႔အခြင့္အေရး"
    client.force_login(staff.author)
    form = {f"en-{k}": v for k, v in EN.items()} | {f"my-{k}": v for k, v in MY.items()}
    form |= {"en-complete": "on", "my-complete": "on", "my-title": zawgyi}
    response = client.post(f"/desk/statements/{draft.pk}/save/", form, follow=True)
    assert "converted from Zawgyi" in response.content.decode()
    assert draft.translations.get(language="my").title.startswith("မြန်မာ")


def test_desk_needs_a_staff_role(client, django_user_model):
    assert client.get("/desk/").status_code == 302
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 20))
    assert client.get("/desk/").status_code == 403


def test_dashboard_shows_sends_in_progress(client, staff, published):
    from contacts.models import Contact, MediaList
    from distribution.services import distribution_start

    media_list = MediaList.objects.create(slug="press", name="Press")
    Contact.objects.create(email="a@example.org", languages=["en"]).lists.add(media_list)
    distribution_start(
        statement_id=published.pk,
        media_list_slugs=["press"],
        by=staff.publisher,
        send_at=in_future(60),
    )
    client.force_login(staff.publisher)
    page = client.get("/desk/").content.decode()
    sends = page.split('id="sends"')[1].split('id="waiting"')[0]
    assert published.slug in sends and "0 / 1" in sends

"""Every field has an edit rule (statements/transitions.py FIELD_RULES), through the staff API
and the desk: approved fields send an approved or scheduled statement back to review, after
publication the embargo changes only by a publisher's recorded action, every change is a
revision and an event, and relation edits count for four eyes."""

import pytest

from statements import transitions, workflow
from statements.models import Statement
from tests.factories import TargetFactory
from tests.statements.conftest import in_future
from tests.statements.test_staff_api import client_for

pytestmark = pytest.mark.django_db
S = Statement.State


def _fresh(statement) -> Statement:
    return Statement.objects.get(pk=statement.pk)


def test_every_field_of_a_statement_has_an_edit_rule(draft):
    meta = Statement._meta
    names = {f.name for f in (*meta.concrete_fields, *meta.many_to_many)}
    assert names | {"translations"} == set(transitions.FIELD_RULES)
    approved = {n for n, r in transitions.FIELD_RULES.items() if r.approved}
    assert {"translations", "embargo_until", "targets", "asks", "roles", "kind"} <= approved
    assert {"required_languages", "campaign", "boilerplate"} <= approved
    assert set(transitions.approved_values(draft)) == approved - {"translations"}


@pytest.fixture
def target(db):
    return TargetFactory(slug="asean")


@pytest.fixture
def other_target(db):
    return TargetFactory(slug="un-security-council")


@pytest.fixture
def embargoed(draft, staff):
    workflow.statement_edit(statement_id=draft.pk, by=staff.author, embargo_until=in_future(180))
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    workflow.statement_publish(statement_id=draft.pk, by=staff.publisher)
    return _fresh(draft)


# --- approved fields return an approved or scheduled statement to review -------------------


@pytest.mark.parametrize(
    "change",
    [
        {"targets": ["asean"]},
        {"kind": "open_letter"},
        {"required_languages": ["en"]},
        {"embargo_until": None},
        {"embargo_until": "2099-01-01T09:00:00Z"},
    ],
)
def test_a_change_of_an_approved_field_sends_a_scheduled_statement_back_to_review(
    approved, staff, target, change
):
    if "embargo_until" in change and change["embargo_until"] is None:
        workflow.statement_edit(
            statement_id=approved.pk, by=staff.author, embargo_until=in_future()
        )
        workflow.statement_approve(statement_id=approved.pk, by=staff.editor2)
    workflow.statement_schedule(
        statement_id=approved.pk, by=staff.publisher, scheduled_at=in_future(30)
    )
    revisions = approved.revisions.count()
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{approved.pk}/", change, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "in_review" and body["scheduled_at"] is None
    statement = _fresh(approved)
    assert statement.revisions.count() == revisions + 1
    event = statement.events.filter(action="edit").latest("id")
    assert event.actor == staff.author and event.from_state == "scheduled"
    assert event.data["changed"] == list(change)
    assert (
        statement.revisions.latest("number").snapshot[next(iter(change))]
        == (event.data["values"][next(iter(change))]["to"])
    )
    publisher = client_for(staff.publisher)
    assert publisher.post(f"/api/v1/statements/{approved.pk}/publish/").status_code == 400


def test_a_boilerplate_change_is_a_change_of_what_was_approved(approved, staff):
    from statements.models import Boilerplate

    Boilerplate.objects.create(slug="about-2", about={"en": "We are...", "my": "ကျွန်ုပ်တို့"})
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{approved.pk}/", {"boilerplate": "about-2"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "in_review"
    assert response.json()["boilerplate"] == "about-2"


def test_an_unchanged_relation_changes_nothing(approved, staff, target):
    workflow.statement_edit(statement_id=approved.pk, by=staff.author2, targets=["asean"])
    workflow.statement_approve(statement_id=approved.pk, by=staff.editor2)
    events = approved.events.count()
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{approved.pk}/", {"targets": ["asean"]}, format="json"
    )
    assert response.json()["state"] == "approved"
    assert approved.events.count() == events


# --- four eyes counts relation edits --------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"targets": ["asean"]}, {"kind": "briefing"}, {"embargo_until": "2099-01-01T09:00:00Z"}],
)
def test_an_editor_who_changed_a_relation_cannot_approve(draft, staff, target, change):
    editor = client_for(staff.editor)
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    assert editor.patch(f"/api/v1/statements/{draft.pk}/", change, format="json").status_code == 200
    listed = editor.get(f"/api/v1/statements/{draft.pk}/").json()["actions"]
    assert "approve" not in listed
    response = editor.post(f"/api/v1/statements/{draft.pk}/approve/")
    assert response.status_code == 400 and "Four eyes" in response.json()["message"]
    assert _fresh(draft).state == S.IN_REVIEW
    assert (
        client_for(staff.editor2).post(f"/api/v1/statements/{draft.pk}/approve/").json()["state"]
        == "approved"
    )


def test_retargeting_an_approved_statement_then_approving_it_is_refused(approved, staff, target):
    editor = client_for(staff.editor2)
    body = editor.patch(
        f"/api/v1/statements/{approved.pk}/", {"targets": ["asean"]}, format="json"
    ).json()
    assert body["state"] == "in_review" and body["targets"] == ["asean"]
    response = editor.post(f"/api/v1/statements/{approved.pk}/approve/")
    assert response.status_code == 400 and "Four eyes" in response.json()["message"]


# --- after publication ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "2000-01-01T00:00:00Z"])
def test_an_author_cannot_lift_the_embargo_of_a_published_release(embargoed, staff, value):
    before = _fresh(embargoed)
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{embargoed.pk}/", {"embargo_until": value}, format="json"
    )
    assert response.status_code == 403, response.content
    assert "publisher" in response.json()["message"]
    after = _fresh(embargoed)
    assert after.embargo_until == before.embargo_until
    assert after.events.count() == before.events.count()
    assert after.revisions.count() == before.revisions.count()
    from publishing import visibility

    assert not visibility.is_public(after)


def test_a_publisher_changes_a_published_embargo_only_by_the_recorded_action(embargoed, staff):
    publisher = client_for(staff.publisher)
    response = publisher.patch(
        f"/api/v1/statements/{embargoed.pk}/", {"embargo_until": None}, format="json"
    )
    assert response.status_code == 400 and "set-embargo" in response.json()["message"]
    assert _fresh(embargoed).embargo_until is not None

    response = publisher.post(
        f"/api/v1/statements/{embargoed.pk}/set-embargo/", {"embargo_until": None}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()["message"]
    revisions = embargoed.revisions.count()
    response = publisher.post(
        f"/api/v1/statements/{embargoed.pk}/set-embargo/",
        {"embargo_until": None, "reason": "The minister spoke early"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["embargo_until"] is None
    event = embargoed.events.get(action="set_embargo")
    assert event.actor == staff.publisher and event.comment == "The minister spoke early"
    assert event.data["values"]["embargo_until"]["to"] is None
    assert embargoed.revisions.count() == revisions + 1
    # Once public, the embargo cannot be set again (it would hide what readers already saw).
    response = publisher.post(
        f"/api/v1/statements/{embargoed.pk}/set-embargo/",
        {"embargo_until": in_future(60).isoformat(), "reason": "Oops"},
        format="json",
    )
    assert response.status_code == 400 and "public" in response.json()["message"]
    assert (
        "set-embargo" not in publisher.get(f"/api/v1/statements/{embargoed.pk}/").json()["actions"]
    )


def test_an_author_cannot_use_the_set_embargo_action(embargoed, staff):
    response = client_for(staff.author).post(
        f"/api/v1/statements/{embargoed.pk}/set-embargo/",
        {"embargo_until": None, "reason": "Early"},
        format="json",
    )
    assert response.status_code == 403
    assert _fresh(embargoed).embargo_until is not None


@pytest.mark.parametrize("change", [{"targets": ["asean"]}, {"kind": "briefing"}])
def test_relations_of_a_published_release_change_only_by_a_publisher_with_an_event(
    published, staff, target, change
):
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{published.pk}/", change, format="json"
    )
    assert response.status_code == 403
    assert _fresh(published).kind == "press_release" and not published.targets.exists()
    response = client_for(staff.publisher).patch(
        f"/api/v1/statements/{published.pk}/", change, format="json"
    )
    assert response.status_code == 200
    event = published.events.filter(action="edit").latest("id")
    assert event.actor == staff.publisher and event.data["after_publication"] is True
    assert event.data["changed"] == list(change)


def test_campaign_and_slug_are_fixed(draft, staff):
    for change in ({"campaign": "other"}, {"slug": "other"}):
        response = client_for(staff.author).patch(
            f"/api/v1/statements/{draft.pk}/", change, format="json"
        )
        assert response.status_code == 400


# --- the desk ------------------------------------------------------------------------------


def _desk_form(statement) -> dict:
    form = {}
    for lang, entry in workflow.working_content(statement).items():
        for name in ("title", "summary", "body", "more_information"):
            form[f"{lang}-{name}"] = entry.get(name, "")
        form[f"{lang}-complete"] = "on"
    return form


def test_desk_embargo_change_sends_an_approved_statement_back_to_review(client, approved, staff):
    client.force_login(staff.author)
    response = client.post(
        f"/desk/statements/{approved.pk}/save/",
        _desk_form(approved) | {"embargo_until": "2099-01-01 09:00"},
    )
    assert response.status_code == 302
    statement = _fresh(approved)
    assert statement.state == S.IN_REVIEW and statement.embargo_until.year == 2099
    assert statement.events.latest("id").data["changed"] == ["embargo_until"]


def test_desk_save_of_the_text_keeps_the_embargo_and_the_approval(client, staff, draft):
    workflow.statement_edit(statement_id=draft.pk, by=staff.author, embargo_until=in_future(90))
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    statement = _fresh(draft)
    client.force_login(staff.author)
    page = client.get(f"/desk/statements/{draft.pk}/").content.decode()
    shown = statement.embargo_until.strftime("%Y-%m-%d %H:%M:%S")
    assert shown in page
    client.post(
        f"/desk/statements/{draft.pk}/save/", _desk_form(statement) | {"embargo_until": shown}
    )
    after = _fresh(draft)
    assert after.state == S.APPROVED and after.embargo_until == statement.embargo_until


def test_desk_author_cannot_lift_a_published_embargo(client, embargoed, staff):
    client.force_login(staff.author)
    page = client.get(f"/desk/statements/{embargoed.pk}/").content.decode()
    assert 'value="set_embargo"' not in page
    client.post(
        f"/desk/statements/{embargoed.pk}/save/", _desk_form(embargoed) | {"embargo_until": ""}
    )  # the field is locked after publication: the value sent is ignored
    assert _fresh(embargoed).embargo_until == embargoed.embargo_until
    response = client.post(
        f"/desk/statements/{embargoed.pk}/set_embargo/", {"embargo_until": "", "reason": "x"}
    )
    assert response.status_code == 403
    assert _fresh(embargoed).embargo_until == embargoed.embargo_until


def test_desk_publisher_changes_a_published_embargo_with_the_action(client, embargoed, staff):
    client.force_login(staff.publisher)
    page = client.get(f"/desk/statements/{embargoed.pk}/").content.decode()
    assert 'value="set_embargo"' in page
    response = client.post(
        f"/desk/statements/{embargoed.pk}/set_embargo/",
        {"embargo_until": "2099-02-01 09:00", "reason": "Partner asked for a day"},
    )
    assert response.status_code == 302
    assert _fresh(embargoed).embargo_until.year == 2099
    assert embargoed.events.get(action="set_embargo").comment == "Partner asked for a day"

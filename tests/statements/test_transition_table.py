"""Generated from statements/transitions.py: for every stage x every role x every action of the
table, the actions listed to the caller (the staff API's `actions`, the desk's buttons) are
exactly those the enforcement accepts. A listed action succeeds with a valid request; an
action not listed is refused (403 or 400) and changes nothing."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.staff import staff_token
from statements import transitions, workflow
from statements.models import Statement
from tests.statements.conftest import EN, MY, in_future

pytestmark = pytest.mark.django_db

ROLES = ["author", "editor", "publisher", "admin"]
STAGES = [*transitions.STAGES, "published_under_embargo"]


@pytest.fixture
def crew(make_staff):
    return {
        "writer": make_staff("author", "writer"),
        "reviewer": make_staff("editor", "rev"),
        "releaser": make_staff("publisher", "rel"),
    }


def prepare(stage: str, campaign, crew) -> Statement:
    """A statement at `stage`, made by the crew, never by the actor under test."""
    writer, reviewer, releaser = crew["writer"], crew["reviewer"], crew["releaser"]
    embargo = in_future(180) if stage == "published_under_embargo" else None
    s, _ = workflow.statement_create(
        by=writer,
        campaign=campaign.slug,
        translations={"en": EN, "my": MY},
        embargo_until=embargo,
    )
    sid = s.pk

    def at(*stages):
        return stage in stages

    if at("draft"):
        return s
    workflow.statement_submit(statement_id=sid, by=writer)
    if at("in_review"):
        return s
    if at("changes_requested"):
        workflow.statement_request_changes(statement_id=sid, by=reviewer, comment="Fix it")
        return s
    workflow.statement_approve(statement_id=sid, by=reviewer)
    if at("approved"):
        return s
    if at("scheduled"):
        workflow.statement_schedule(statement_id=sid, by=releaser, scheduled_at=in_future())
        return s
    workflow.statement_publish(statement_id=sid, by=releaser)
    if at("published", "published_under_embargo"):
        return s
    if at("retracted"):
        workflow.statement_retract(statement_id=sid, by=releaser, reason="Withdrawn")
        return s
    workflow.statement_edit(
        statement_id=sid,
        by=writer,
        translations={"en": EN | {"body": "Corrected."}, "my": MY | {"body": "ပြင်ဆင်ပြီး။"}},
    )
    if at(transitions.CHANGE_DRAFT):
        return s
    workflow.statement_submit(statement_id=sid, by=writer)
    if at(transitions.CHANGE_IN_REVIEW):
        return s
    if at(transitions.CHANGE_CHANGES_REQUESTED):
        workflow.statement_request_changes(statement_id=sid, by=reviewer, comment="Not yet")
        return s
    workflow.statement_approve(statement_id=sid, by=reviewer)
    if at(transitions.CHANGE_APPROVED):
        return s
    assert at("corrected"), stage
    workflow.statement_correct(
        statement_id=sid, by=releaser, notes={"en": "Fixed.", "my": "ပြင်ဆင်သည်။"}
    )
    return s


def request_for(action: str, client: APIClient, sid: int):
    """A valid request for `action`: only the table may refuse it."""
    url = f"/api/v1/statements/{sid}/"
    if action == "edit":
        return client.patch(url, {"translations": {"en": EN | {"title": "Edited"}}}, format="json")
    payload = {
        "request-changes": {"comment": "Please fix"},
        "defer-translation": {"languages": ["my"], "reason": "Burmese to follow"},
        "schedule": {"scheduled_at": in_future(30).isoformat()},
        "correct": {"notes": {"en": "Corrected a figure.", "my": "ကိန်းဂဏန်း ပြင်ဆင်သည်။"}},
        "retract": {"reason": "Withdrawn"},
        "set-embargo": {"embargo_until": in_future(600).isoformat(), "reason": "Moved"},
    }.get(action, {})
    return client.post(f"{url}{action}/", payload, format="json")


def fingerprint(sid: int) -> tuple:
    s = Statement.objects.get(pk=sid)
    return (
        transitions.stage(s),
        workflow.working_hash(s),
        s.embargo_until,
        s.deferred_languages,
        s.events.count(),
        s.revisions.count(),
        s.reviews.count(),
    )


class Undo(Exception):
    pass


def test_every_stage_is_reachable_and_every_action_has_a_service():
    assert set(workflow.SERVICES) == set(transitions.ACTIONS)
    for row in transitions.TRANSITIONS:
        assert set(row.sources) <= set(transitions.STAGES), row
        assert row.target is None or row.target in transitions.STAGES, row
    # All rows of one action share one permission (the 403 is decided before the stage).
    for action in transitions.ACTIONS:
        assert len({r.permission for r in transitions.rows(action)}) == 1, action


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("stage", STAGES)
def test_listed_actions_are_exactly_the_accepted_ones(
    stage, role, campaign, crew, make_staff, client
):
    statement = prepare(stage, campaign, crew)
    sid = statement.pk
    expected_stage = "published" if stage == "published_under_embargo" else stage
    assert transitions.stage(Statement.objects.get(pk=sid)) == expected_stage
    actor = make_staff(role, f"actor-{role}")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=actor)}")

    listed = api.get(f"/api/v1/statements/{sid}/").json()["actions"]
    assert set(listed) <= set(transitions.ACTIONS)

    # The desk shows one button per listed action (edit is the editor form).
    client.force_login(actor)
    page = client.get(f"/desk/statements/{sid}/").content.decode()
    buttons = set(re.findall(r'name="action" value="([a-z_]+)"', page))
    assert buttons == {transitions.rows(a)[0].key for a in listed if a != "edit"}
    assert ('id="statement-form"' in page) == ("edit" in listed)

    for action in transitions.ACTIONS:
        before = fingerprint(sid)
        try:
            with transaction.atomic():
                response = request_for(action, api, sid)
                if action in listed:
                    assert response.status_code == 200, (action, response.content)
                else:
                    assert response.status_code in (400, 403), (action, response.content)
                    assert response.json()["message"]
                    assert fingerprint(sid) == before, action
                raise Undo
        except Undo:
            pass
        assert fingerprint(sid) == before


def test_an_author_sees_no_review_or_publication_actions(campaign, crew, make_staff):
    statement = Statement.objects.get(pk=prepare("in_review", campaign, crew).pk)
    author = make_staff("author", "someone")
    assert workflow.allowed_actions(statement, author) == ["edit"]
    assert workflow.allowed_actions(statement, None) == []


def test_the_scheduler_publishes_by_the_same_row_without_a_user(campaign, crew):
    statement = prepare("scheduled", campaign, crew)
    at = Statement.objects.get(pk=statement.pk).scheduled_at
    workflow.statement_edit(
        statement_id=statement.pk, by=crew["writer"], kind=Statement.Kind.BRIEFING
    )  # back to review: the row's from-state refuses the scheduler too
    with pytest.raises(Exception, match="Only an approved"):
        workflow.statement_publish(statement_id=statement.pk, by=None, system=True)
    assert workflow.run_due_schedules(at + datetime.timedelta(seconds=1))["published"] == []
    assert timezone.now() < at

# ruff: noqa: F811  (fixtures imported from tests/statements/conftest.py)
"""The ask ledger's rules: a status change needs a date and a source; back-dated history does
not override a newer status; releases make or repeat asks, once per release, through the real
publication path."""

import datetime

import pytest

from campaigns.models import Ask
from campaigns.services import ask_create, ask_set_status
from config.errors import NotAllowed, RuleBroken
from statements import ledger, workflow
from statements.models import AskRecord, Statement
from tests.factories import AskFactory
from tests.statements.conftest import EN, MY, approved, campaign, draft, published, staff  # noqa: F401

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_status_change_without_a_source_is_refused_and_records_nothing():
    ask = AskFactory()
    with pytest.raises(RuleBroken) as err:
        ask_set_status(ask=ask, status="met", on=D(2025, 1, 1))
    assert "needs a source" in err.value.message
    assert err.value.extra["rule"] == "status_change_needs_source"
    ask.refresh_from_db()
    assert ask.status == "open" and not ask.status_changes.exists()


def test_a_status_change_needs_a_date_not_in_the_future():
    ask = AskFactory()
    with pytest.raises(RuleBroken, match="date"):
        ask_set_status(ask=ask, status="met", on=None, source_url="https://example.org/")
    with pytest.raises(RuleBroken, match="future"):
        ask_set_status(ask=ask, status="met", on=D(2999, 1, 1), source_url="https://example.org/")


def test_a_source_link_must_be_a_web_link():
    with pytest.raises(RuleBroken, match="source_url"):
        ask_set_status(
            ask=AskFactory(), status="met", on=D(2025, 1, 1), source_url="javascript:alert(1)"
        )


def test_a_status_change_may_cite_one_of_our_statements(published, staff):
    ask = AskFactory(campaign=published.campaign)
    change = ledger.ask_status_change(
        ask=ask, status="rejected", on=D(2025, 4, 24), by=staff.editor, statement_id=published.pk
    )
    assert change.statement_source.statement == published
    assert change.source_url == ""
    ask.refresh_from_db()
    assert ask.status == "rejected"


def test_citing_a_statement_that_does_not_exist_is_refused(staff):
    ask = AskFactory()
    with pytest.raises(RuleBroken, match="No such statement"):
        ledger.ask_status_change(
            ask=ask, status="met", on=D(2025, 1, 1), by=staff.editor, statement_id=999999
        )
    assert not ask.status_changes.exists()


def test_an_author_may_not_change_an_ask_status(staff):
    with pytest.raises(NotAllowed):
        ledger.ask_status_change(
            ask=AskFactory(),
            status="met",
            on=D(2025, 1, 1),
            by=staff.author,
            source_url="https://example.org/",
        )


def test_a_back_dated_entry_is_kept_but_the_newest_date_sets_the_status():
    ask = AskFactory()
    src = "https://example.org/"
    ask_set_status(ask=ask, status="rejected", on=D(2025, 9, 1), source_url=src)
    ask_set_status(ask=ask, status="met", on=D(2024, 1, 1), source_url=src, note="late news")
    ask.refresh_from_db()
    assert ask.status == "rejected"
    history = list(ask.status_changes.values_list("changed_on", "status"))
    assert history == [(D(2024, 1, 1), "met"), (D(2025, 9, 1), "rejected")]


def test_two_entries_on_the_same_day_the_later_recorded_wins():
    ask = AskFactory()
    src = "https://example.org/"
    ask_set_status(ask=ask, status="partly_met", on=D(2025, 9, 1), source_url=src)
    ask_set_status(ask=ask, status="met", on=D(2025, 9, 1), source_url=src)
    ask.refresh_from_db()
    assert ask.status == "met"


def test_ask_create_starts_an_open_history_and_checks_its_input(campaign):
    ask, _ = ask_create(
        campaign=campaign.slug, slug="ban-the-junta", text={"en": "Ban the junta."}, targets=[]
    )
    assert ask.status == "open"
    assert list(ask.status_changes.values_list("status", flat=True)) == ["open"]
    with pytest.raises(RuleBroken, match="exists"):
        ask_create(campaign=campaign, slug="ban-the-junta", text={"en": "Again."})
    with pytest.raises(RuleBroken, match="Unknown targets"):
        ask_create(campaign=campaign, slug="other", text={"en": "x"}, targets=["nobody"])
    with pytest.raises(RuleBroken, match="at least one language"):
        ask_create(campaign=campaign, slug="empty", text={"en": "  "})
    with pytest.raises(RuleBroken, match="unknown language"):
        ask_create(campaign=campaign, slug="klingon", text={"tlh": "x"})
    assert Ask.objects.filter(campaign=campaign).count() == 1


# --- made and repeated, through the workflow's publication ------------------------------------


def _publish_new(campaign, staff, asks, slug):
    statement, _ = workflow.statement_create(
        by=staff.author,
        campaign=campaign.slug,
        slug=slug,
        translations={"en": EN, "my": MY},
    )
    workflow.statement_edit(statement_id=statement.pk, by=staff.author, asks=[a.slug for a in asks])
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    workflow.statement_approve(statement_id=statement.pk, by=staff.editor)
    workflow.statement_publish(statement_id=statement.pk, by=staff.publisher)
    return Statement.objects.get(pk=statement.pk)


def test_first_release_makes_an_ask_later_ones_repeat_it(campaign, staff):
    ask = AskFactory(campaign=campaign)
    other = AskFactory(campaign=campaign)
    first = _publish_new(campaign, staff, [ask], "first-release")
    second = _publish_new(campaign, staff, [ask, other], "second-release")
    records = {(r.statement_id, r.ask_id): r for r in AskRecord.objects.all()}
    assert records[(first.pk, ask.pk)].role == "made"
    assert records[(second.pk, ask.pk)].role == "repeated"
    assert records[(second.pk, other.pk)].role == "made"
    assert records[(second.pk, ask.pk)].published_at == second.published_at
    times = ledger.asked_times(ask=ask)
    assert times.count == 2 and times.since == first.published_at


def test_an_unpublished_statement_records_nothing(draft, staff):
    ask = AskFactory(campaign=draft.campaign)
    workflow.statement_edit(statement_id=draft.pk, by=staff.author, asks=[ask.slug])
    assert ledger.ask_records_sync(statement_id=draft.pk) == []
    assert not AskRecord.objects.exists()


def test_records_are_idempotent_across_corrections_and_re_runs(campaign, staff):
    ask = AskFactory(campaign=campaign)
    release = _publish_new(campaign, staff, [ask], "once-only")
    workflow.statement_edit(
        statement_id=release.pk,
        by=staff.author,
        translations={"en": EN | {"body": "Fixed."}, "my": MY | {"body": "ပြင်ပြီး။"}},
    )
    workflow.statement_submit(statement_id=release.pk, by=staff.author)
    workflow.statement_approve(statement_id=release.pk, by=staff.editor)
    workflow.statement_correct(
        statement_id=release.pk, by=staff.publisher, notes={"en": "Fixed.", "my": "ပြင်သည်။"}
    )
    ledger.ask_records_sync(statement_id=release.pk)
    ledger.ask_records_backfill()
    assert AskRecord.objects.filter(ask=ask).count() == 1
    assert AskRecord.objects.get(ask=ask).role == "made"


def test_an_ask_added_to_a_published_release_is_recorded(
    campaign, staff, django_capture_on_commit_callbacks
):
    ask = AskFactory(campaign=campaign)
    release = _publish_new(campaign, staff, [], "added-later")
    with django_capture_on_commit_callbacks(execute=True):  # release_changed "edited"
        workflow.statement_edit(statement_id=release.pk, by=staff.publisher, asks=[ask.slug])
    assert AskRecord.objects.get(ask=ask).statement_id == release.pk


def test_a_late_recorded_earlier_release_becomes_the_one_that_made_the_ask(
    campaign, staff, django_capture_on_commit_callbacks
):
    ask = AskFactory(campaign=campaign)
    later = _publish_new(campaign, staff, [ask], "later-release")
    earlier = _publish_new(campaign, staff, [], "earlier-release")
    Statement.objects.filter(pk=earlier.pk).update(
        published_at=later.published_at - datetime.timedelta(days=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_edit(statement_id=earlier.pk, by=staff.publisher, asks=[ask.slug])
    roles = dict(AskRecord.objects.filter(ask=ask).values_list("statement_id", "role"))
    assert roles == {earlier.pk: "made", later.pk: "repeated"}


def test_a_retraction_keeps_the_private_record_and_the_public_count_drops_it(campaign, staff):
    from publishing.visibility import public_statements

    ask = AskFactory(campaign=campaign)
    first = _publish_new(campaign, staff, [ask], "to-retract")
    second = _publish_new(campaign, staff, [ask], "stays-up")
    workflow.statement_retract(statement_id=first.pk, by=staff.publisher, reason="Wrong.")
    assert ledger.asked_times(ask=ask).count == 2
    public = public_statements()
    times = ledger.asked_times(ask=ask, statements=public)
    assert times.count == 1 and times.since == second.published_at
    assert [r.statement_id for r in ledger.records_among(public)] == [second.pk]
    assert ledger.asked_times_by_ask(asks=[ask.pk], statements=public)[ask.pk].count == 1


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_has_the_ledger_and_loads_twice_without_duplicates():
    from statements.demo import load_demo
    from statements.models import Invitation, ledger_today

    load_demo()
    load_demo()
    ask = Ask.objects.get(slug="stop-legitimising-junta")
    roles = sorted(AskRecord.objects.filter(ask=ask).values_list("role", flat=True))
    assert roles == ["made", "repeated"]
    assert ask.status == "partly_met"
    history = list(ask.status_changes.all())
    assert history[0].changed_on == D(2021, 10, 26)  # back-dated, kept first
    assert all(c.source_url or hasattr(c, "statement_source") for c in history)
    assert Ask.objects.get(slug="end-military-cooperation").status == "rejected"
    statuses = sorted(i.status_on(ledger_today()) for i in Invitation.objects.all())
    assert statuses == ["awaiting", "no_response", "responded"]
    assert AskRecord.objects.count() == 6

"""The editorial rules of PRODUCT.md, pinned through statements/workflow.py."""

import datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from config.errors import NotAllowed, RuleBroken
from publishing import visibility as selectors
from statements import workflow
from statements.models import Statement, StatementEvent
from tests.statements.conftest import EN, MY, in_future

pytestmark = pytest.mark.django_db
S = Statement.State


def _state(statement) -> str:
    statement.refresh_from_db()
    return statement.state


def test_create_makes_a_draft_with_an_ascii_slug_from_the_english_title(draft):
    assert draft.state == S.DRAFT
    assert draft.slug == "asean-must-stop-legitimising-the-junta"
    assert draft.required_languages == ["en", "my"]
    assert draft.revisions.count() == 1
    assert draft.events.get().action == "create"


def test_a_burmese_only_title_needs_an_explicit_slug(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, source_language="my", translations={"my": MY}
    )
    assert statement.slug.isascii() and statement.slug  # never slugify(allow_unicode) Burmese
    with pytest.raises(RuleBroken, match="ASCII"):
        workflow.statement_create(
            by=staff.author, campaign=campaign.slug, slug="မြန်မာ", translations={"my": MY}
        )


def test_full_path_to_publication_records_every_transition(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor, comment="Good")
    workflow.statement_publish(statement_id=draft.pk, by=staff.publisher)
    assert _state(draft) == S.PUBLISHED
    events = list(draft.events.values_list("action", "from_state", "to_state", "actor__username"))
    assert events == [
        ("create", "", "draft", "author"),
        ("submit", "draft", "in_review", "author"),
        ("approved", "in_review", "approved", "editor"),
        ("publish", "approved", "published", "publisher"),
    ]
    assert selectors.is_public(draft)


def test_editor_cannot_approve_own_statement(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.editor, campaign=campaign.slug, translations={"en": EN, "my": MY}
    )
    workflow.statement_submit(statement_id=statement.pk, by=staff.editor)
    with pytest.raises(RuleBroken, match="Four eyes"):
        workflow.statement_approve(statement_id=statement.pk, by=staff.editor)
    assert _state(statement) == S.IN_REVIEW


def test_editor_who_co_edited_since_the_last_approval_cannot_approve(draft, staff):
    workflow.statement_edit(
        statement_id=draft.pk,
        by=staff.editor,
        translations={"my": MY | {"summary": "တည်းဖြတ်သူ ပြင်ဆင်သည်။"}},
    )
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="Four eyes"):
        workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor2)
    assert _state(draft) == S.APPROVED


@override_settings(APPROVALS_REQUIRED=2)
def test_the_number_of_approvals_needed_is_a_setting(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    assert _state(draft) == S.IN_REVIEW
    with pytest.raises(RuleBroken, match="already approved"):
        workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor2)
    assert _state(draft) == S.APPROVED


def test_a_real_edit_after_approval_returns_it_to_review(approved, staff):
    workflow.statement_edit(
        statement_id=approved.pk,
        by=staff.author,
        translations={"en": EN | {"body": "A changed body."}, "my": MY},
    )
    assert _state(approved) == S.IN_REVIEW
    with pytest.raises(RuleBroken, match="approved"):
        workflow.statement_publish(statement_id=approved.pk, by=staff.publisher)


def test_a_save_without_changes_keeps_the_approval(approved, staff):
    revisions = approved.revisions.count()
    workflow.statement_edit(
        statement_id=approved.pk, by=staff.author, translations={"en": EN, "my": MY}
    )
    assert _state(approved) == S.APPROVED
    assert approved.revisions.count() == revisions
    workflow.statement_publish(statement_id=approved.pk, by=staff.publisher)
    assert _state(approved) == S.PUBLISHED


def test_editing_a_scheduled_statement_unschedules_it_and_returns_it_to_review(approved, staff):
    workflow.statement_schedule(
        statement_id=approved.pk, by=staff.publisher, scheduled_at=in_future()
    )
    workflow.statement_edit(
        statement_id=approved.pk, by=staff.author, translations={"my": MY | {"title": "ခေါင်းစဉ်သစ်"}}
    )
    approved.refresh_from_db()
    assert approved.state == S.IN_REVIEW and approved.scheduled_at is None


def test_approval_is_refused_while_a_required_translation_is_missing(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, translations={"en": EN}
    )
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="my: missing"):
        workflow.statement_approve(statement_id=statement.pk, by=staff.editor)


def test_approval_is_refused_while_a_translation_is_marked_incomplete(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author,
        campaign=campaign.slug,
        translations={"en": EN, "my": MY | {"complete": False}},
    )
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="my: incomplete"):
        workflow.statement_approve(statement_id=statement.pk, by=staff.editor)


def test_approval_is_refused_while_a_translation_is_stale(draft, staff):
    workflow.statement_edit(
        statement_id=draft.pk,
        by=staff.author,
        translations={"en": EN | {"body": "The source changed."}},
    )
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="my: stale"):
        workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    # Updating the Burmese against the new source clears it.
    workflow.statement_edit(
        statement_id=draft.pk,
        by=staff.author2,
        translations={"my": MY | {"body": "ရင်းမြစ် ပြောင်းလဲသွားသည်။"}},
    )
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    assert _state(draft) == S.APPROVED


def test_publish_english_now_burmese_to_follow_is_a_recorded_decision(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, translations={"en": EN}
    )
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="reason"):
        workflow.statement_defer_translation(
            statement_id=statement.pk, by=staff.publisher, languages=["my"], reason=""
        )
    workflow.statement_defer_translation(
        statement_id=statement.pk, by=staff.publisher, languages=["my"], reason="Breaking news"
    )
    workflow.statement_approve(statement_id=statement.pk, by=staff.editor)
    workflow.statement_publish(statement_id=statement.pk, by=staff.publisher)
    event = statement.events.get(action="defer_translation")
    assert event.comment == "Breaking news" and event.actor == staff.publisher

    # The follow-up translation goes through review and publishes into the same release.
    workflow.statement_edit(statement_id=statement.pk, by=staff.author, translations={"my": MY})
    statement.refresh_from_db()
    assert statement.translation("my") is None  # not public before review
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    workflow.statement_approve(statement_id=statement.pk, by=staff.editor)
    workflow.statement_publish(statement_id=statement.pk, by=staff.publisher)
    statement.refresh_from_db()
    assert statement.translation("my").title == MY["title"]
    assert statement.deferred_languages == [] and statement.state == S.PUBLISHED
    assert statement.events.filter(action="publish_translation").exists()


def test_requesting_changes_needs_a_comment(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    with pytest.raises(RuleBroken, match="comment"):
        workflow.statement_request_changes(statement_id=draft.pk, by=staff.editor, comment=" ")
    workflow.statement_request_changes(
        statement_id=draft.pk, by=staff.editor, comment="Cite the UN report."
    )
    assert _state(draft) == S.CHANGES_REQUESTED
    assert draft.reviews.get().comment == "Cite the UN report."


def test_embargoed_release_is_published_but_invisible_until_the_embargo_lifts(draft, staff):
    lift = in_future(120)
    workflow.statement_edit(statement_id=draft.pk, by=staff.author, embargo_until=lift)
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    workflow.statement_publish(statement_id=draft.pk, by=staff.publisher)
    draft.refresh_from_db()
    assert draft.state == S.PUBLISHED and not selectors.is_public(draft)
    assert not selectors.public_statements().filter(pk=draft.pk).exists()
    with time_machine.travel(lift + datetime.timedelta(seconds=1)):
        # Visibility reads the database clock, which no Python clock travel moves: the
        # moment is given explicitly here (tests/public pin the database-clock path).
        assert selectors.public_statements(timezone.now()).filter(pk=draft.pk).exists()
        result = workflow.run_due_schedules()
        assert result["lifted"] == [draft.slug]
        assert workflow.run_due_schedules()["lifted"] == []  # idempotent


def test_scheduled_statement_is_published_by_the_periodic_task_once(approved, staff):
    at = in_future(30)
    workflow.statement_schedule(statement_id=approved.pk, by=staff.publisher, scheduled_at=at)
    assert workflow.run_due_schedules()["published"] == []
    with time_machine.travel(at + datetime.timedelta(seconds=20)):
        assert workflow.run_due_schedules()["published"] == [approved.slug]
        assert workflow.run_due_schedules()["published"] == []
    approved.refresh_from_db()
    assert approved.state == S.PUBLISHED
    assert approved.events.filter(action="publish").count() == 1


def test_a_publication_more_than_5_minutes_late_is_reported_not_skipped(approved, staff, caplog):
    at = in_future(30)
    workflow.statement_schedule(statement_id=approved.pk, by=staff.publisher, scheduled_at=at)
    with time_machine.travel(at + datetime.timedelta(minutes=12)):
        assert workflow.overdue_report() == [approved]
        result = workflow.run_due_schedules()
        assert result["published"] == [approved.slug] and result["late"] == [approved.slug]
        assert approved in workflow.overdue_report()
    assert "late" in caplog.text
    assert StatementEvent.objects.filter(statement=approved, action="overdue").exists()


def test_schedule_needs_a_future_time_and_an_approved_statement(campaign, approved, staff):
    with pytest.raises(RuleBroken, match="future"):
        workflow.statement_schedule(
            statement_id=approved.pk,
            by=staff.publisher,
            scheduled_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    other, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, translations={"en": EN, "my": MY}
    )
    with pytest.raises(RuleBroken, match="Only an approved"):
        workflow.statement_schedule(
            statement_id=other.pk, by=staff.publisher, scheduled_at=in_future()
        )


def test_correction_needs_a_note_in_every_published_language_and_a_reapproval(published, staff):
    with pytest.raises(RuleBroken, match="re-approval"):
        workflow.statement_correct(
            statement_id=published.pk,
            by=staff.publisher,
            notes={"en": "Fixed a date.", "my": "ရက်စွဲ ပြင်ဆင်သည်။"},
        )
    fixed = EN | {"body": "Paragraph one, corrected.\n\nParagraph two."}
    workflow.statement_edit(
        statement_id=published.pk,
        by=staff.author,
        translations={"en": fixed, "my": MY | {"body": "ပြင်ဆင်ပြီး။"}},
    )
    published.refresh_from_db()
    assert published.translation("en").body == EN["body"]  # the public text is untouched
    workflow.statement_submit(statement_id=published.pk, by=staff.author)
    workflow.statement_approve(statement_id=published.pk, by=staff.editor)
    with pytest.raises(RuleBroken, match="missing: my"):
        workflow.statement_correct(
            statement_id=published.pk, by=staff.publisher, notes={"en": "Fixed a date."}
        )
    workflow.statement_correct(
        statement_id=published.pk,
        by=staff.publisher,
        notes={"en": "Fixed a date.", "my": "ရက်စွဲ ပြင်ဆင်သည်။"},
    )
    published.refresh_from_db()
    assert published.state == S.CORRECTED and published.correction_count == 1
    assert published.corrected_at is not None
    assert published.translation("en").body == fixed["body"]
    assert published.corrections.get().notes["my"] == "ရက်စွဲ ပြင်ဆင်သည်။"
    assert selectors.is_public(published)


def test_retraction_needs_a_reason_and_freezes_the_statement(published, staff):
    with pytest.raises(RuleBroken, match="reason"):
        workflow.statement_retract(statement_id=published.pk, by=staff.publisher, reason="")
    workflow.statement_retract(
        statement_id=published.pk, by=staff.publisher, reason="Published in error"
    )
    published.refresh_from_db()
    assert published.state == S.RETRACTED and published.retracted_at is not None
    assert not selectors.is_public(published)
    assert selectors.retracted_statements().filter(pk=published.pk).exists()
    with pytest.raises(RuleBroken, match="frozen"):
        workflow.statement_edit(
            statement_id=published.pk, by=staff.author, translations={"en": EN | {"title": "x"}}
        )
    with pytest.raises(RuleBroken, match="frozen"):
        workflow.statement_submit(statement_id=published.pk, by=staff.author)


def test_roles_without_the_right_are_not_allowed(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    with pytest.raises(NotAllowed):
        workflow.statement_approve(statement_id=draft.pk, by=staff.author2)
    with pytest.raises(NotAllowed):
        workflow.statement_approve(statement_id=draft.pk, by=staff.publisher)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    with pytest.raises(NotAllowed):
        workflow.statement_publish(statement_id=draft.pk, by=staff.editor)


def test_every_saved_change_stores_a_revision(draft, staff):
    workflow.statement_edit(
        statement_id=draft.pk, by=staff.author, translations={"en": EN | {"summary": "v2"}}
    )
    workflow.statement_edit(
        statement_id=draft.pk, by=staff.author2, translations={"en": EN | {"summary": "v3"}}
    )
    revisions = list(draft.revisions.values_list("number", "created_by__username"))
    assert revisions == [(1, "author"), (2, "author"), (3, "author2")]
    assert draft.revisions.get(number=2).snapshot["translations"]["en"]["summary"] == "v2"


def test_resending_an_unchanged_translation_does_not_make_it_fresh(draft, staff):
    workflow.statement_edit(
        statement_id=draft.pk,
        by=staff.author,
        translations={"en": EN | {"body": "New source."}, "my": MY},
    )
    draft.refresh_from_db()
    assert workflow.translation_status(draft)["my"]["stale"]
    workflow.statement_edit(
        statement_id=draft.pk, by=staff.author2, translations={"my": MY | {"current": True}}
    )
    assert not workflow.translation_status(draft)["my"]["stale"]

"""Staff notifications: who is told of each event, preferences, the email outbox and its claim.

Events go through statements/workflow.py and distribution's services, as in production; tasks
run in-process (the fast suite) and email lands in Django's locmem outbox.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from desk import notifications
from desk.models import Notification, NotificationPreferences
from distribution import services as distribution_services
from statements import workflow
from statements.models import Statement
from tests.distribution.backends import RefusingBackend
from tests.factories import CampaignFactory, ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
BACKEND = "tests.distribution.backends.RefusingBackend"

EN = {"title": "ASEAN must act", "summary": "ASEAN is complicit.", "body": "Paragraph one."}
MY = {
    "title": "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်",
    "summary": "အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
    "body": "ပထမ စာပိုဒ်။\n\nဒုတိယ စာပိုဒ်။",
}


@pytest.fixture
def staff(make_staff):
    def person(role: str, name: str, email: str | None = None):
        user = make_staff(role, name)
        user.email = f"{name}@example.org" if email is None else email
        user.save(update_fields=["email"])
        return user

    class Staff:
        author = person("author", "author")
        author2 = person("author", "author2")
        editor = person("editor", "editor")
        editor2 = person("editor", "editor2")
        publisher = person("publisher", "publisher")
        publisher2 = person("publisher", "publisher2")
        admin = person("admin", "admin")

    return Staff


@pytest.fixture
def draft(staff):
    CampaignFactory(slug="asean-complicity")
    statement, _ = workflow.statement_create(
        by=staff.author, campaign="asean-complicity", translations={"en": EN, "my": MY}
    )
    return statement


_capture = []


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Each action commits as in production: its after-commit work (queued emails) runs."""
    _capture[:] = [django_capture_on_commit_callbacks]
    yield
    _capture.clear()
    RefusingBackend.refusals = {}


def act(service, **kwargs):
    with _capture[0](execute=True):
        return service(**kwargs)


def _told(kind: str, statement=None) -> set[str]:
    rows = Notification.objects.filter(kind=kind)
    if statement is not None:
        rows = rows.filter(statement=statement)
    return set(rows.values_list("recipient__username", flat=True))


def _emails_to(subject_part: str) -> set[str]:
    return {m.to[0].split("@")[0] for m in mail.outbox if subject_part in m.subject}


# --- who is told --------------------------------------------------------------------------


def test_submit_tells_every_reviewer_but_never_the_author(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    # Editors and admins may review; the author, other authors and publishers may not.
    assert _told(Kind.REVIEW_REQUESTED, draft) == {"editor", "editor2", "admin"}
    assert _emails_to("review") == {"editor", "editor2", "admin"}
    assert all(m.subject == "Please review: ASEAN must act" for m in mail.outbox)


def test_an_editor_who_wrote_the_statement_is_not_asked_to_review_it(staff):
    CampaignFactory(slug="asean-complicity")
    statement, _ = workflow.statement_create(
        by=staff.editor, campaign="asean-complicity", translations={"en": EN, "my": MY}
    )
    act(workflow.statement_submit, statement_id=statement.pk, by=staff.editor)
    assert _told(Kind.REVIEW_REQUESTED) == {"editor2", "admin"}


def test_an_editor_who_edited_it_since_approval_is_not_asked_to_review_it(draft, staff):
    # Four eyes (statements.transitions.four_eyes) decides, as for approving.
    act(
        workflow.statement_edit,
        statement_id=draft.pk,
        by=staff.editor,
        translations={"en": EN | {"summary": "Edited."}},
    )
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    assert _told(Kind.REVIEW_REQUESTED) == {"editor2", "admin"}


def test_changes_requested_tells_the_author_and_those_who_edited_it(draft, staff):
    act(
        workflow.statement_edit,
        statement_id=draft.pk,
        by=staff.author2,
        translations={"en": EN | {"summary": "More."}},
    )
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    mail.outbox.clear()
    act(
        workflow.statement_request_changes,
        statement_id=draft.pk,
        by=staff.editor,
        comment="Name the chair.",
    )
    assert _told(Kind.CHANGES_REQUESTED) == {"author", "author2"}
    assert _emails_to("Changes") == {"author", "author2"}
    message = next(m for m in mail.outbox if m.to == ["author@example.org"])
    assert "changes" in message.subject.lower()
    assert "Name the chair." in message.body  # the reviewer's comment
    assert f"http://testserver/desk/statements/{draft.pk}/" in message.body or (
        f"/desk/statements/{draft.pk}/" in message.body
    )


def test_approval_tells_every_publisher(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    mail.outbox.clear()
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    assert _told(Kind.APPROVED) == {"publisher", "publisher2", "admin"}
    assert _emails_to("Approved") == {"publisher", "publisher2", "admin"}
    assert all("approved" in m.subject.lower() for m in mail.outbox)


def test_nobody_is_told_of_their_own_action(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.admin)
    assert "admin" not in _told(Kind.APPROVED)


def test_an_approval_short_of_the_required_number_tells_no_publisher(draft, staff, settings):
    settings.APPROVALS_REQUIRED = 2
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    assert _told(Kind.APPROVED) == set()
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor2)
    assert _told(Kind.APPROVED) == {"publisher", "publisher2", "admin"}


def test_an_edit_that_sends_an_approved_statement_back_asks_for_review_again(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    Notification.objects.all().delete()
    act(
        workflow.statement_edit,
        statement_id=draft.pk,
        by=staff.author,
        translations={"en": EN | {"body": "New."}},
    )
    assert Statement.objects.get(pk=draft.pk).state == Statement.State.IN_REVIEW
    assert _told(Kind.REVIEW_REQUESTED) == {"editor", "editor2", "admin"}


def _scheduled(draft, staff, when):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    act(workflow.statement_schedule, statement_id=draft.pk, by=staff.publisher, scheduled_at=when)


def test_an_overdue_scheduled_publication_tells_every_publisher(draft, staff):
    now = timezone.now()
    _scheduled(draft, staff, now + datetime.timedelta(minutes=1))
    act(workflow.run_due_schedules, now=now + datetime.timedelta(minutes=30))
    assert _told(Kind.PUBLICATION_OVERDUE) == {"publisher", "publisher2", "admin"}
    assert any("overdue" in m.subject.lower() for m in mail.outbox)


def test_a_lifted_embargo_tells_publishers_and_the_author(draft, staff):
    now = timezone.now()
    act(
        workflow.statement_edit,
        statement_id=draft.pk,
        by=staff.author,
        embargo_until=now + datetime.timedelta(hours=1),
    )
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    act(workflow.statement_publish, statement_id=draft.pk, by=staff.publisher)
    assert _told(Kind.EMBARGO_LIFTED) == set()
    act(workflow.run_due_schedules, now=now + datetime.timedelta(hours=2))
    assert _told(Kind.EMBARGO_LIFTED) == {"publisher", "publisher2", "admin", "author"}
    act(workflow.run_due_schedules, now=now + datetime.timedelta(hours=3))  # idempotent
    assert Notification.objects.filter(kind=Kind.EMBARGO_LIFTED).count() == 4


def _published(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    act(workflow.statement_approve, statement_id=draft.pk, by=staff.editor)
    act(workflow.statement_publish, statement_id=draft.pk, by=staff.publisher)


def test_a_finished_send_tells_the_publisher_who_started_it(draft, staff):
    _published(draft, staff)
    press = MediaListFactory(slug="press")
    ContactFactory(email="journalist@example.org", languages=["en"]).lists.add(press)
    distribution = act(
        distribution_services.distribution_start,
        statement_id=draft.pk,
        media_list_slugs=["press"],
        by=staff.publisher,
    )
    distribution.refresh_from_db()
    assert distribution.state == distribution.State.DONE
    assert _told(Kind.SEND_FINISHED) == {"publisher"}
    note = Notification.objects.get(kind=Kind.SEND_FINISHED)
    assert note.distribution_id == distribution.pk
    assert "Sent: 1." in notifications.detail(note)


def test_a_send_with_failures_is_reported_as_failed(draft, staff, settings):
    _published(draft, staff)
    press = MediaListFactory(slug="press")
    ContactFactory(email="refused@example.org", languages=["en"]).lists.add(press)
    settings.EMAIL_BACKEND = BACKEND
    RefusingBackend.refusals = {"refused@example.org": [550] * 9}
    act(
        distribution_services.distribution_start,
        statement_id=draft.pk,
        media_list_slugs=["press"],
        by=staff.publisher,
    )
    assert _told(Kind.SEND_FAILED) == {"publisher"}
    assert _told(Kind.SEND_FINISHED) == set()


# --- preferences --------------------------------------------------------------------------


def _turn_off(user, *, inbox=(), email=()):
    notifications.preferences_save(
        user=user,
        inbox=[k for k in Kind.values if k not in inbox],
        email=[k for k in Kind.values if k not in email] + ["not-a-kind"],
    )


def test_by_default_everything_is_in_the_inbox_and_all_but_a_finished_send_is_emailed(staff):
    chosen = notifications.preferences_of(staff.editor)
    assert all(chosen["inbox"].values())
    assert [k for k, on in chosen["email"].items() if not on] == [Kind.SEND_FINISHED]


def test_a_finished_send_is_emailed_to_whoever_turned_it_on(draft, staff):
    notifications.preferences_save(user=staff.publisher, inbox=[], email=[Kind.SEND_FINISHED])
    _published(draft, staff)
    MediaListFactory(slug="press")
    act(
        distribution_services.distribution_start,
        statement_id=draft.pk,
        media_list_slugs=["press"],
        by=staff.publisher,
    )
    assert _emails_to("Send finished") == {"publisher"}
    assert not Notification.objects.get(kind=Kind.SEND_FINISHED).in_inbox


def test_a_kind_turned_off_for_email_sends_nothing_but_stays_in_the_inbox(draft, staff):
    _turn_off(staff.editor, email=[Kind.REVIEW_REQUESTED])
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    assert "editor" not in _emails_to("review")
    row = Notification.objects.get(recipient=staff.editor)
    assert row.in_inbox and row.email_state == Notification.Email.NONE


def test_a_kind_turned_off_everywhere_writes_nothing(draft, staff):
    _turn_off(staff.editor, inbox=[Kind.REVIEW_REQUESTED], email=[Kind.REVIEW_REQUESTED])
    prefs = NotificationPreferences.objects.get(user=staff.editor)
    assert prefs.email[Kind.REVIEW_REQUESTED] is False and prefs.email[Kind.APPROVED] is True
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    assert not Notification.objects.filter(recipient=staff.editor).exists()
    assert "editor" not in _emails_to("review")
    assert "editor2" in _emails_to("review")


def test_a_kind_turned_off_in_the_inbox_is_still_emailed(draft, staff):
    _turn_off(staff.editor, inbox=[Kind.REVIEW_REQUESTED])
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    assert "editor" in _emails_to("review")
    assert notifications.unread_count(staff.editor) == 0


def test_staff_without_an_address_get_the_inbox_only(draft, staff):
    staff.editor.email = ""
    staff.editor.save(update_fields=["email"])
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    assert "editor" not in _emails_to("review")
    assert notifications.unread_count(staff.editor) == 1


# --- the email ----------------------------------------------------------------------------


def test_the_email_is_plain_text_and_html_with_a_link_into_the_desk(draft, staff, settings):
    settings.SITE_URL = "https://press.example.org"
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author, comment="Urgent")
    message = next(m for m in mail.outbox if m.to == ["editor@example.org"])
    link = f"https://press.example.org/desk/statements/{draft.pk}/"
    assert link in message.body and "Urgent" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert message.extra_headers["Content-Language"] == "en"
    assert "https://press.example.org/desk/inbox/settings/" in message.body


def test_the_email_is_in_the_recipients_interface_language(draft, staff):
    from accounts.models import InterfacePreference

    InterfacePreference.objects.create(user=staff.editor, language="my")
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    message = next(m for m in mail.outbox if m.to == ["editor@example.org"])
    assert message.extra_headers["Content-Language"] == "my"
    # The title in the reader's language when the statement has it.
    assert MY["title"] in message.subject
    html, _ = message.alternatives[0]
    assert '<html lang="my">' in html and f'<span lang="my">{MY["title"]}</span>' in html


def test_a_row_is_emailed_once(draft, staff):
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    row = Notification.objects.get(recipient=staff.editor)
    assert row.email_state == Notification.Email.SENT and row.emailed_at is not None
    sent = len(mail.outbox)
    assert notifications.email_notification(notification_id=row.pk) == "skipped"
    assert notifications.sweep_emails() == {}
    assert len(mail.outbox) == sent


def test_a_claimed_row_is_not_sent_by_another_worker_until_its_lease_runs_out(draft, staff):
    Notification.objects.all().delete()
    row = notifications.notify(Kind.REVIEW_REQUESTED, [staff.editor], statement=draft)[0]
    # The first worker's claim (as its task would make it) holds the row.
    now = timezone.now()
    assert notifications._claim(row.pk, now)
    assert not notifications._claim(row.pk, now)
    assert notifications.email_notification(notification_id=row.pk) == "skipped"
    assert notifications.emails_due() == []
    # Its worker died: after the lease the sweep sends it.
    later = now + notifications.EMAIL_LEASE + datetime.timedelta(seconds=1)
    assert notifications.emails_due(now=later) == [row.pk]
    Notification.objects.filter(pk=row.pk).update(email_claimed_until=now)
    assert notifications.sweep_emails() == {"sent": 1}
    assert notifications.sweep_emails() == {}


def test_a_temporary_smtp_failure_is_retried_by_the_sweep(draft, staff, settings):
    settings.EMAIL_BACKEND = BACKEND
    RefusingBackend.refusals = {"editor@example.org": [451]}
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    rows = Notification.objects.filter(kind=Kind.REVIEW_REQUESTED)
    failed = [r for r in rows if r.email_state == Notification.Email.PENDING]
    assert len(failed) == 1 and failed[0].email_attempts == 1
    assert failed[0].email_claimed_until > timezone.now()  # the next attempt, later
    Notification.objects.filter(pk=failed[0].pk).update(email_claimed_until=timezone.now())
    assert notifications.sweep_emails() == {"sent": 1}
    assert set(rows.values_list("email_state", flat=True)) == {Notification.Email.SENT}


def test_a_permanent_smtp_failure_is_not_retried(draft, staff, settings):
    settings.EMAIL_BACKEND = BACKEND
    RefusingBackend.refusals = {"editor@example.org": [550]}
    act(workflow.statement_submit, statement_id=draft.pk, by=staff.author)
    row = Notification.objects.get(recipient=staff.editor)
    assert row.email_state == Notification.Email.FAILED and "550" in row.email_error
    assert row.pk not in notifications.emails_due(now=timezone.now() + datetime.timedelta(days=1))


def test_a_rolled_back_transition_leaves_no_notification(draft, staff):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.statement_submit(statement_id=draft.pk, by=staff.author)
        assert Notification.objects.exists()
        raise RuntimeError("the transition's transaction fails")
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_email_it_once(make_staff):
    """Two threads (two database connections) claim the same rows at once."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is in memory, one connection")  # PostgreSQL in CI
    user = make_staff("editor", "racer")
    user.email = "racer@example.org"
    user.save(update_fields=["email"])
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=Kind.APPROVED, email_state=Notification.Email.PENDING)
            for _ in range(20)
        ]
    )
    results: list[str] = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            for row in rows:
                results.append(notifications.email_notification(notification_id=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("sent") == 20 and results.count("skipped") == 20
    assert len([m for m in mail.outbox if m.to == ["racer@example.org"]]) == 20

"""A send stops when its statement is retracted, and a task's soft time limit fails nobody."""

from __future__ import annotations

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import timezone

from distribution import sending, services, tasks
from distribution.models import Delivery, Distribution
from statements.models import Statement
from statements.workflow import statement_retract
from tests.distribution.backends import HookBackend
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def press(db):
    media_list = MediaListFactory(slug="press")
    for i in range(12):
        ContactFactory(email=f"reporter{i:02}@example.org").lists.add(media_list)
    return media_list


@pytest.fixture
def hook(settings):
    settings.EMAIL_BACKEND = "tests.distribution.backends.HookBackend"
    HookBackend.before_send = None
    yield HookBackend
    HookBackend.before_send = None


def _start(statement, publisher, **kwargs) -> Distribution:
    # Not committed in a test: nothing is sent until the test asks.
    return services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher, **kwargs
    )


def _reasons(distribution) -> set[tuple[str, str]]:
    return set(distribution.deliveries.values_list("state", "skip_reason"))


def test_retraction_stops_queued_sending_and_paused_sends_but_not_the_notice(
    publisher, press, django_capture_on_commit_callbacks
):
    statement = make_statement()
    sending_now = _start(statement, publisher)
    later = _start(statement, publisher, send_at=timezone.now() + datetime.timedelta(hours=1))
    paused = _start(statement, publisher)
    services.distribution_pause(distribution_id=paused.pk, by=publisher)
    finished = _start(statement, publisher)
    sending.distribution_work(distribution_id=finished.pk)
    assert len(mail.outbox) == 12
    other = _start(make_statement(slug="another-release"), publisher)

    with django_capture_on_commit_callbacks(execute=True):
        statement_retract(statement_id=statement.pk, by=publisher, reason="Wrong figures")

    for distribution in (sending_now, later, paused):
        distribution.refresh_from_db()
        assert distribution.state == Distribution.State.CANCELLED
        assert distribution.cancel_reason == "retracted"
        assert _reasons(distribution) == {("skipped", "retracted")}
    finished.refresh_from_db()
    assert finished.state == Distribution.State.DONE
    assert _reasons(finished) == {("sent", "")}
    other.refresh_from_db()
    assert other.state == Distribution.State.SENDING
    assert _reasons(other) == {("pending", "")}

    # The retraction notice itself goes out, to everyone who had the release.
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.distribution_start(
            statement_id=statement.pk,
            media_list_slugs=[],
            by=publisher,
            kind=Distribution.Kind.RETRACTION,
        )
    notice.refresh_from_db()
    assert notice.state == Distribution.State.DONE
    assert _reasons(notice) == {("sent", "")}
    # Nothing more of the retracted release went out; the stopped sends stay stopped.
    for distribution in (sending_now, later, paused):
        assert sending.distribution_work(distribution_id=distribution.pk).sent_batches == 0
        assert _reasons(distribution) == {("skipped", "retracted")}


def test_a_worker_mid_batch_stops_before_its_next_message_when_the_statement_is_retracted(
    publisher, press, hook
):
    statement = make_statement()
    distribution = _start(statement, publisher)
    sent_before: list[str] = []

    def retract_during_the_fifth(address: str) -> None:
        sent_before.append(address)
        if len(sent_before) == 5:
            # Committed in the middle of the batch; its after-commit receiver has not run
            # (a test transaction), so only the worker's own check can stop the rest.
            statement_retract(statement_id=statement.pk, by=publisher, reason="Wrong figures")

    hook.before_send = retract_during_the_fifth
    sending.distribution_work(distribution_id=distribution.pk)

    assert len(mail.outbox) == 5  # the one in flight at the retraction, and no other
    distribution.refresh_from_db()
    assert distribution.state == Distribution.State.CANCELLED
    assert distribution.cancel_reason == "retracted"
    counts = services.distribution_counts(distribution=distribution)
    assert counts["sent"] == 5 and counts["skipped"] == 7
    assert set(distribution.deliveries.filter(state="skipped").values_list("skip_reason")) == {
        ("retracted",)
    }


def test_the_tick_stops_a_send_whose_retraction_signal_was_lost(publisher, press):
    statement = make_statement()
    distribution = _start(statement, publisher)
    claimed = sending.claim_batch(distribution_id=distribution.pk, size=4)
    # Retracted without the after-commit signal (a process died between commit and receiver).
    Statement.objects.filter(pk=statement.pk).update(state=Statement.State.RETRACTED)

    tasks.tick()

    distribution.refresh_from_db()
    assert (distribution.state, distribution.cancel_reason) == ("cancelled", "retracted")
    rows = distribution.deliveries.exclude(pk__in=[d.pk for d in claimed])
    assert set(rows.values_list("state", "skip_reason")) == {("skipped", "retracted")}
    # The dead worker's claim, once its lease runs out, is skipped too, never re-queued.
    sending.leases_hand_back(now=timezone.now() + datetime.timedelta(hours=1))
    assert _reasons(distribution) == {("skipped", "retracted")}
    assert mail.outbox == []


def test_soft_time_limit_gives_the_delivery_in_hand_back_to_pending(publisher, press, hook):
    distribution = _start(make_statement(), publisher)
    seen: list[str] = []

    def time_runs_out_at_the_third(address: str) -> None:
        seen.append(address)
        if len(seen) == 3:
            raise SoftTimeLimitExceeded()

    hook.before_send = time_runs_out_at_the_third
    result = sending.distribution_work(distribution_id=distribution.pk)

    assert result.out_of_time  # the task queues itself again
    assert len(mail.outbox) == 2
    in_hand = Delivery.objects.get(address=seen[2])
    assert in_hand.state == "pending"
    assert (in_hand.attempts, in_hand.lease_expires_at, in_hand.last_error) == (0, None, "")
    counts = services.distribution_counts(distribution=distribution)
    assert counts == {
        "pending": 10,
        "sending": 0,
        "sent": 2,
        "failed": 0,
        "bounced": 0,
        "skipped": 0,
    }

    hook.before_send = None
    sending.distribution_work(distribution_id=distribution.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        distribution.deliveries.values_list("address", flat=True)
    )
    in_hand.refresh_from_db()
    assert (in_hand.state, in_hand.attempts) == ("sent", 1)
    distribution.refresh_from_db()
    assert distribution.state == Distribution.State.DONE


def test_soft_time_limit_while_preparing_a_message_fails_nobody(publisher, press, monkeypatch):
    distribution = _start(make_statement(), publisher)
    prepare = sending._prepare
    calls = []

    def slow_prepare(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise SoftTimeLimitExceeded()
        return prepare(*args, **kwargs)

    monkeypatch.setattr(sending, "_prepare", slow_prepare)
    assert sending.distribution_work(distribution_id=distribution.pk).out_of_time
    assert not distribution.deliveries.filter(state__in=["failed", "sending"]).exists()
    monkeypatch.setattr(sending, "_prepare", prepare)
    sending.distribution_work(distribution_id=distribution.pk)
    assert len(mail.outbox) == 12
    assert set(distribution.deliveries.values_list("state", "attempts")) == {("sent", 1)}

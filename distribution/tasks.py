"""Thin Celery tasks: they take ids and call distribution/sending.py or services.py.

A task message only says "look at distribution N again"; the database says what is left.
Losing one (Redis restarted) costs nothing: the periodic tick queues another. Running one twice
costs nothing: claims skip what another worker holds.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from config.celery import app
from distribution import messages, sending, services
from distribution.models import Delivery, Distribution
from statements.models import Statement

log = logging.getLogger(__name__)

# Stay well inside the broker's visibility timeout (3600 s): a countdown longer than it would
# be delivered twice.
MAX_COUNTDOWN = 3000


@worker_process_init.connect
def _warm_up(**_kwargs) -> None:
    """Load the URLconf in each new worker process before any work arrives: the first
    reverse() imports every view module, a tenth of a second that would otherwise hold up
    the first message of the first send."""
    try:
        messages.unsubscribe_url_for("warm-up")
    except Exception:  # a worker must start even if this fails; the first send will do it
        log.exception("distribution: warming up the worker failed")


def _enqueue(distribution_id: int, *, countdown: float | None = None, copies: int = 1) -> None:
    """Queue send work; a broker that is down is logged, the tick will queue it again."""
    for _ in range(copies):
        try:
            send_distribution.apply_async(
                (distribution_id,),
                countdown=min(countdown, MAX_COUNTDOWN) if countdown else None,
                retry=False,
            )
        except Exception:
            log.warning("distribution %s: could not queue work; the tick will", distribution_id)
            return


def _once(key: str, ttl: int) -> bool:
    """True the first time within ttl; True as well when the cache (Redis) is down."""
    try:
        return bool(cache.add(key, 1, timeout=ttl))
    except Exception:
        return True


def kick(distribution_id: int) -> None:
    """Start sending: one task per worker process we want busy on this distribution."""
    copies = 1 if app.conf.task_always_eager else settings.DISTRIBUTION_PARALLEL_TASKS
    _enqueue(distribution_id, copies=copies)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_distribution(distribution_id: int) -> None:
    eager = app.conf.task_always_eager
    result = sending.distribution_work(
        distribution_id=distribution_id,
        budget_seconds=10**9 if eager else None,
    )
    if eager:
        return  # in-process: the embedded tick (run_embedded) wakes retries
    if result.out_of_time:
        _enqueue(distribution_id)
    elif result.next_due is not None:
        delay = max((result.next_due - timezone.now()).total_seconds(), 0) + 0.05
        # One scheduled wake-up per distribution at a time, not one per task that saw retries.
        if _once(f"distribution:{distribution_id}:wake", max(int(delay), 1)):
            _enqueue(distribution_id, countdown=delay)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def tick() -> None:
    """Periodic: stop the sends of retracted statements (in case the signal was lost), hand
    back expired leases, start due sends, re-queue what Redis may have lost."""
    now = timezone.now()
    # Before handing leases back: a retracted statement's claims are skipped, not re-queued.
    for statement_id in (
        Distribution.objects.filter(
            state__in=Distribution.UNFINISHED_STATES, statement__state=Statement.State.RETRACTED
        )
        .exclude(kind=Distribution.Kind.RETRACTION)
        .order_by()
        .values_list("statement_id", flat=True)
        .distinct()
    ):
        services.distributions_stop_for_retraction(statement_id=statement_id)
    sending.leases_hand_back(now=now)
    for distribution_id in Distribution.objects.filter(
        state=Distribution.State.QUEUED, needs_confirmation=False, send_at__lte=now
    ).values_list("pk", flat=True):
        services.distribution_start_due(distribution_id=distribution_id, now=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    for distribution_id in Distribution.objects.filter(
        state=Distribution.State.SENDING, needs_confirmation=False
    ).values_list("pk", flat=True):
        pending = Delivery.objects.filter(
            distribution_id=distribution_id, state=Delivery.State.PENDING
        )
        if pending.filter(due).exists():
            # At most one re-queue per few ticks, so a long send does not pile up tasks.
            ttl = max(int(settings.CELERY_BEAT_SCHEDULE["distribution-tick"]["schedule"] * 3), 2)
            if _once(f"distribution:{distribution_id}:tick", ttl):
                kick(distribution_id)
        elif not pending.exists():
            sending.finish_if_done(distribution_id)


@shared_task(ignore_result=True)
def poll_bounces() -> None:
    """Periodic when BOUNCE_IMAP_URL is set: read new bounce and complaint reports. One poll
    at a time; each message is marked seen once applied, so none is applied twice."""
    if not settings.BOUNCE_IMAP_URL or not _once("distribution:bounces:poll", 600):
        return
    from distribution.bounces import SourceError, process_source

    try:
        summary = process_source(settings.BOUNCE_IMAP_URL)
    except SourceError as err:
        log.warning("bounces: %s", err)
    else:
        if summary.found:
            log.info("bounces: %s", summary.line())
    finally:
        cache.delete("distribution:bounces:poll")

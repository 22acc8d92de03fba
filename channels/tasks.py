"""Thin Celery tasks: take ids, call channels/services.py or mirrors.py.

A task message only says "look at post N" or "push the mirrors": the rows say what is left.
A lost message costs nothing (the sweep queues another), a second one nothing either (claims).
Without Redis (the embedded default) nothing is queued from a request: the in-process beat
runs the sweep, which sends and pushes, so a publication never waits for Telegram or S3.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from channels import mirrors, services
from config.celery import app

log = logging.getLogger(__name__)

MAX_COUNTDOWN = 3000  # below the broker's visibility timeout (3600 s)


def _eager() -> bool:
    return bool(app.conf.task_always_eager)


def _once(key: str, ttl: float) -> bool:
    try:
        return bool(cache.add(key, 1, timeout=max(int(ttl), 1)))
    except Exception:
        return True


def queue_posts(post_ids: list[int], *, countdown: float | None = None) -> None:
    if _eager():
        return
    for post_id in post_ids:
        try:
            send_telegram_post.apply_async(
                (post_id,),
                countdown=min(countdown, MAX_COUNTDOWN) if countdown else None,
                retry=False,
            )
        except Exception:
            log.warning("telegram post %s: could not queue it; the sweep will", post_id)
            return


def queue_mirrors() -> None:
    """A push after MIRROR_DELAY_SECONDS: changes in the meantime join it."""
    if _eager() or not _once("channels:mirrors:queued", settings.MIRROR_DELAY_SECONDS):
        return
    try:
        push_mirrors.apply_async(countdown=settings.MIRROR_DELAY_SECONDS + 0.5, retry=False)
    except Exception:
        log.warning("mirrors: could not queue the push; the sweep will")


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_telegram_post(post_id: int) -> None:
    result = services.post_work(post_id=post_id)
    if result.next_due is not None and not _eager():
        delay = max((result.next_due - timezone.now()).total_seconds(), 0) + 0.05
        queue_posts([post_id], countdown=delay)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=int(settings.MIRROR_LEASE_SECONDS),
    soft_time_limit=int(settings.MIRROR_LEASE_SECONDS) - 30,
)
def push_mirrors() -> None:
    mirrors.mirrors_push()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep() -> None:
    """Periodic: expired leases, due retries, lost signals and tasks, mirrors behind."""
    now = timezone.now()
    services.posts_catch_up(now=now)
    due = services.posts_sweep(now=now)
    if _eager():
        for post_id in due:  # in-process beat: send here
            services.post_work(post_id=post_id)
    else:
        ttl = settings.CELERY_BEAT_SCHEDULE["channels-sweep"]["schedule"] * 2
        queue_posts([pk for pk in due if _once(f"channels:post:{pk}:swept", ttl)])
    if mirrors.mirrors_sweep(now=now):
        if _eager():
            mirrors.mirrors_push()
        else:
            queue_mirrors()

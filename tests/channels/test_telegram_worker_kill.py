"""The real path: a Celery worker on Redis and PostgreSQL posts to the Bot API stub; killed
while Telegram is being asked, and replaced, it never makes a second post.

The stub holds its answer to one channel's sendMessage; the worker is SIGKILLed while it
waits. Telegram may or may not have posted (the stub did receive it), so the new worker's sweep
marks the post "uncertain" instead of posting again; a person then decides.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from channels import services
from channels.models import TelegramPost
from tests.celery_worker import CeleryWorker
from tests.channels.telegram_stub import Answer
from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(postgres):
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis (set REDIS_URL=redis://...)")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except Exception:
        skip_or_fail(f"Redis at {settings.REDIS_URL} does not answer")
    client.flushdb()


class Worker(CeleryWorker):
    """`celery -A config worker -B` posting to the test's Bot API stub."""

    def __init__(self, tmp_path: Path, api_url: str) -> None:
        super().__init__(
            tmp_path,
            name="channels-test",
            env={
                "TELEGRAM_BOT_TOKEN": settings.TELEGRAM_BOT_TOKEN,
                "TELEGRAM_CHANNELS": settings.TELEGRAM_CHANNELS,
                "TELEGRAM_API_URL": api_url,
                "TELEGRAM_TIMEOUT": "120",  # the worker waits on the stub until it is killed
                "TELEGRAM_LEASE_SECONDS": "4",
                "CHANNELS_SWEEP_SECONDS": "1",
                "MIRROR_TARGETS": "",
            },
        )


def _wait(condition, timeout: float, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {timeout} s\n{worker.log_tail()}")


def test_a_worker_killed_mid_post_never_makes_a_second_post(
    servers, telegram, release, settings, tmp_path
):
    settings.TELEGRAM_CHANNELS = "en=@slow_en,my=@fast_my"
    telegram.script[("sendMessage", "@slow_en")] = [Answer(delay=120), Answer()]
    worker = Worker(tmp_path, settings.TELEGRAM_API_URL)
    worker.start()
    try:
        r = release()
        r.publish()  # rows written and tasks queued after commit, as in production
        _wait(
            lambda: (
                telegram.of("sendMessage", "@slow_en") and telegram.of("sendDocument", "@fast_my")
            ),
            90,
            "the slow channel's request and the fast channel's PDF",
            worker,
        )
        slow = TelegramPost.objects.get(statement_id=r.pk, channel="@slow_en")
        assert slow.state == "sending" and slow.request_started_at is not None
        worker.kill()  # while the stub still holds its answer

        worker.start()
        _wait(
            lambda: TelegramPost.objects.get(pk=slow.pk).state == "uncertain",
            60,
            "the killed post marked uncertain",
            worker,
        )
        time.sleep(4)  # more sweeps and leases go by: still nothing is posted again
        assert len(telegram.of("sendMessage", "@slow_en")) == 1
        assert not telegram.of("sendDocument", "@slow_en")
        assert len(telegram.of("sendMessage", "@fast_my")) == 1
        assert len(telegram.of("sendDocument", "@fast_my")) == 1
        fast = TelegramPost.objects.get(statement_id=r.pk, channel="@fast_my")
        assert fast.state == "sent" and fast.message_id and fast.document_message_id

        # A person looked at the channel, did not find it, and asks for it again: once.
        services.post_retry(post_id=slow.pk, by=r.publisher)
        _wait(
            lambda: TelegramPost.objects.get(pk=slow.pk).state == "sent",
            60,
            "the post sent again at a person's request",
            worker,
        )
        assert len(telegram.of("sendMessage", "@slow_en")) == 2
        assert len(telegram.of("sendDocument", "@slow_en")) == 1
    finally:
        worker.stop()
        print(worker.log_tail())

"""The real path: a Celery worker on Redis and PostgreSQL posts to the Bot API stub; killed
while Telegram is being asked, and replaced, it never makes a second post.

The stub holds its answer to one channel's sendMessage; the worker is SIGKILLed while it
waits. Telegram may or may not have posted (the stub did receive it), so the new worker's sweep
marks the post "uncertain" instead of posting again; a person then decides.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from channels import services
from channels.models import TelegramPost
from tests.celery_worker import kill_worker, log_tail, start_worker, stop_worker
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


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, tmp_path: Path, api_url: str) -> None:
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SITE_URL": settings.SITE_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "SUPPRESSION_KEY": settings.SUPPRESSION_KEY,
            "TELEGRAM_BOT_TOKEN": settings.TELEGRAM_BOT_TOKEN,
            "TELEGRAM_CHANNELS": settings.TELEGRAM_CHANNELS,
            "TELEGRAM_API_URL": api_url,
            "TELEGRAM_TIMEOUT": "120",  # the worker waits on the stub until it is killed
            "TELEGRAM_LEASE_SECONDS": "4",
            "CHANNELS_SWEEP_SECONDS": "1",
            "MIRROR_TARGETS": "",
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.tmp_path / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        try:
            self.process = start_worker(
                env=self.env,
                log_path=self.log_path,
                name=f"channels-test-{os.getpid()}-{self.starts}",
                beat_schedule=self.tmp_path / f"beat-{self.starts}",
            )
        except RuntimeError as err:
            raise AssertionError(str(err)) from err

    def kill(self) -> None:
        if self.process:
            kill_worker(self.process)

    def stop(self) -> None:
        if self.process:
            stop_worker(self.process)


def _wait(condition, timeout: float, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {timeout} s\n{log_tail(worker.log_path)}")


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
        print(log_tail(worker.log_path))

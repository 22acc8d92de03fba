"""The real path: a Celery worker process on Redis, PostgreSQL, and an SMTP sink on loopback.

Each test starts a worker (with its embedded beat) against the test database, sends through
the staff API, and checks what the sink received. Settings shortened through the worker's
environment (leases, tick, backoff) keep each test well under two minutes.
"""

from __future__ import annotations

import collections
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.staff import staff_token
from contacts.models import Contact, Suppression
from distribution.models import Delivery, Distribution
from tests.celery_worker import CeleryWorker
from tests.conftest import skip_or_fail
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.distribution.smtp_sink import start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3, socket_connect_timeout=3)


@pytest.fixture
def servers(postgres):
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis (set REDIS_URL=redis://...)")
    try:
        _redis().ping()
    except Exception:
        skip_or_fail(f"Redis at {settings.REDIS_URL} does not answer")
    # Tasks left by an earlier test would only find nothing to do, but start clean.
    _redis().flushdb()


@pytest.fixture
def sink():
    # PIPELINING on, as the MTAs and providers' relays offer it: the production path.
    controller, recorder, port = start_sink(delay=0.01, pipelining=True)
    yield recorder, port
    controller.stop()


class Worker(CeleryWorker):
    """`celery -A config worker -B` sending to the test's SMTP sink."""

    def __init__(self, tmp_path: Path, smtp_port: int) -> None:
        super().__init__(
            tmp_path,
            name="dist-test",
            env={
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "DISTRIBUTION_BATCH_SIZE": "10",
                "DISTRIBUTION_LEASE_SECONDS": "5",
                "DISTRIBUTION_TICK_SECONDS": "1",
                "DISTRIBUTION_RETRY_BASE_SECONDS": "0.5",
                "DISTRIBUTION_RETRY_MAX_SECONDS": "2",
                "DISTRIBUTION_TASK_BUDGET_SECONDS": "20",
            },
        )


@pytest.fixture
def worker(servers, sink, tmp_path):
    _recorder, port = sink
    w = Worker(tmp_path, port)
    w.start()
    yield w
    w.stop()
    print(w.log_tail())  # shown by pytest only when the test failed


@pytest.fixture
def api():
    # A superuser: the flush between transactional tests empties the permission and role
    # tables that migrations filled, and roles are tested in the fast suite.
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("dist-admin", "a@example.org", None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=admin)}")
    return client


def _audience(n: int, media_list) -> list[Contact]:
    languages = [["en"], ["my"], ["en", "my"], ["my", "en"]]
    contacts = []
    for i in range(n):
        contact = ContactFactory(email=f"reporter{i}@example.org", languages=languages[i % 4])
        contact.lists.add(media_list)
        contacts.append(contact)
    return contacts


def _send(api, statement, lists: list[str]) -> int:
    response = api.post(
        "/api/v1/distributions/", {"statement": statement.pk, "media_lists": lists}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _wait_done(api, distribution_id: int, timeout: float, worker: Worker) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = api.get(f"/api/v1/distributions/{distribution_id}/").json()
        if body["status"] == "done":
            return body
        time.sleep(0.5)
    raise AssertionError(f"not done after {timeout} s: {body}\n{worker.log_tail()}")


def _wait_received(recorder, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while recorder.count < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert recorder.count >= count, f"sink got only {recorder.count}"


def test_every_active_contact_gets_one_message_with_language_headers_links(worker, sink, api):
    recorder, _port = sink
    press = MediaListFactory(slug="press")
    wire = MediaListFactory(slug="wire")
    contacts = _audience(40, press)
    for contact in contacts[:10]:
        contact.lists.add(wire)  # on two lists: still one message
    unsubscribed = ContactFactory(email="gone@example.org", status="unsubscribed")
    suppressed = ContactFactory(email="Suppressed@Example.org")
    from contacts.services import contact_suppress

    contact_suppress(email="suppressed@example.org", reason=Suppression.Reason.MANUAL)
    for contact in (unsubscribed, suppressed):
        contact.lists.add(press)
    statement = make_statement()

    distribution_id = _send(api, statement, ["press", "wire"])
    body = _wait_done(api, distribution_id, 60, worker)

    assert body["counts"]["sent"] == 40 and body["counts"]["skipped"] == 2
    assert sum(body["counts"].values()) == 42
    received = recorder.messages()
    by_address = collections.Counter(rcpt for rcpt, _m in received)
    assert set(by_address) == {c.email for c in contacts}
    assert set(by_address.values()) == {1}
    for rcpt, message in received:
        contact = next(c for c in contacts if c.email == rcpt)
        subject = message["Subject"]
        assert (EN_TITLE in subject) == ("en" in contact.languages)
        assert (MY_TITLE in subject) == ("my" in contact.languages)
        assert message["Content-Language"] == ", ".join(contact.languages)  # "my, en"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/unsubscribe/" in message["List-Unsubscribe"]
        assert "mailto:" in message["List-Unsubscribe"]
        assert message["List-Id"] and message["Message-ID"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for lang in contact.languages:
            assert f"{settings.SITE_URL}/{lang}/releases/{statement.slug}/" in text
            assert f"{settings.SITE_URL}/{lang}/releases/{statement.slug}.pdf" in html
            assert f'lang="{lang}"' in html
    assert Delivery.objects.filter(state="sent").exclude(message_id="").count() == 40


def test_worker_killed_mid_send_then_new_worker_completes(worker, sink, api):
    recorder, _port = sink
    recorder.delay = 0.03  # slow enough to kill it half-way
    press = MediaListFactory(slug="press")
    contacts = _audience(200, press)
    distribution_id = _send(api, make_statement(), ["press"])
    _wait_received(recorder, 50)
    worker.kill()
    at_kill = recorder.count
    assert at_kill < 200, "the send finished before the kill; slow the sink"
    assert Distribution.objects.get(pk=distribution_id).state == "sending"

    killed_at = time.monotonic()
    worker.start()
    _wait_done(api, distribution_id, 150, worker)
    assert time.monotonic() - killed_at < 150

    by_address = collections.Counter(recorder.addresses())
    assert set(by_address) == {c.email for c in contacts}
    duplicates = sum(n - 1 for n in by_address.values())
    print(f"killed with {at_kill} of 200 at the sink; {duplicates} duplicate(s) after")
    # Only a message in flight at the kill may come twice: one per worker process.
    assert duplicates <= 2, by_address.most_common(5)


def test_redis_restarted_mid_send_loses_nothing(worker, sink, api):
    recorder, _port = sink
    recorder.delay = 0.03
    press = MediaListFactory(slug="press")
    contacts = _audience(200, press)
    distribution_id = _send(api, make_statement(), ["press"])
    _wait_received(recorder, 40)
    try:
        subprocess.run(
            ["redis-cli", "-p", "6379", "SHUTDOWN", "NOSAVE"],
            check=False,
            capture_output=True,
            timeout=10,
        )
        time.sleep(2)
    finally:
        subprocess.run(REDIS_START, check=False, capture_output=True, timeout=10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if _redis().ping():
                    break
            except Exception:
                time.sleep(0.2)
    assert recorder.count < 200, "the send finished before Redis went down; slow the sink"
    _wait_done(api, distribution_id, 120, worker)
    by_address = collections.Counter(recorder.addresses())
    assert set(by_address) == {c.email for c in contacts}
    assert set(by_address.values()) == {1}


def test_temporary_refusals_are_retried_and_permanent_ones_suppress(worker, sink, api):
    recorder, _port = sink
    press = MediaListFactory(slug="press")
    contacts = _audience(40, press)
    greylisted = [c.email for c in contacts[:12]]
    rejected = [c.email for c in contacts[12:15]]
    for address in greylisted:
        recorder.refuse[address] = [451, 451]
    for address in rejected:
        recorder.refuse[address] = [550] * 5
    started = time.monotonic()
    distribution_id = _send(api, make_statement(), ["press"])
    body = _wait_done(api, distribution_id, 120, worker)
    assert time.monotonic() - started < 200

    assert body["counts"]["sent"] == 37 and body["counts"]["failed"] == 3
    # Only the journalists: the publisher is told of the failed send through the same server.
    journalists = {c.email for c in contacts}
    by_address = collections.Counter(a for a in recorder.addresses() if a in journalists)
    assert set(by_address) == journalists - set(rejected)
    assert set(by_address.values()) == {1}
    refused = collections.Counter(recorder.refused)
    for address in greylisted:
        assert refused[(address, 451)] == 2
    for address in rejected:
        assert refused[(address, 550)] == 1  # permanent: never retried
        assert Suppression.covers(address)
        assert Contact.objects.get(email=address).status == "bounced"
    for delivery in Delivery.objects.filter(address__in=rejected):
        assert delivery.state == "failed" and "550" in delivery.last_error

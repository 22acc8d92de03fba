"""Staff notification emails arrive at an SMTP server with CONTRACT.md's subjects when a
statement is submitted, has changes requested, and is approved through the staff API.

Twice: with a real `celery -A config worker -B` on PostgreSQL and Redis (skipped without them
outside CI, never under CI=true), and with the task in-process (any database), both sending
over SMTP to the aiosmtpd sink of tests/distribution/smtp_sink.py.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.staff import staff_token
from desk.models import Notification
from tests.celery_worker import CeleryWorker
from tests.conftest import skip_or_fail
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EN = {"title": "ASEAN must act now", "summary": "ASEAN is complicit.", "body": "Paragraph."}
MY = {
    "title": "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်",
    "summary": "အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
    "body": "ပထမ စာပိုဒ်။\n\nဒုတိယ စာပိုဒ်။",
}


@pytest.fixture
def sink():
    controller, recorder, port = start_sink()
    yield recorder, port
    controller.stop()


@pytest.fixture
def people(make_staff):
    class People:
        pass

    for role, name in [
        ("author", "nl-author"),
        ("editor", "nl-editor"),
        ("editor", "nl-editor2"),
        ("publisher", "nl-publisher"),
    ]:
        user = make_staff(role, name)
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
        setattr(People, name.removeprefix("nl-"), user)
    return People


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def _subjects(recorder) -> dict[str, list[str]]:
    by_address: dict[str, list[str]] = {}
    for rcpt, message in recorder.messages():
        by_address.setdefault(rcpt, []).append(str(message["Subject"]))
    return by_address


def _wait_for(recorder, count: int, timeout: float, where: str = "") -> None:
    deadline = time.monotonic() + timeout
    while len(recorder.addresses()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(recorder.addresses()) >= count, (
        f"the sink got {len(recorder.addresses())} of {count}: {_subjects(recorder)}\n{where}"
    )


def _review_cycle(people, recorder, *, timeout: float, where=lambda: "") -> None:
    """Submit, request changes, resubmit, approve: through the staff API, as a client would."""
    CampaignFactory(slug="asean-complicity")
    author, editor = _api(people.author), _api(people.editor)
    statement = _ok(
        author.post(
            "/api/v1/statements/",
            {"campaign": "asean-complicity", "translations": {"en": EN, "my": MY}},
            format="json",
        ),
        201,
    )
    sid = statement["id"]
    _ok(author.post(f"/api/v1/statements/{sid}/submit/", {}, format="json"))
    _wait_for(recorder, 2, timeout, where())  # both editors
    _ok(
        editor.post(
            f"/api/v1/statements/{sid}/request-changes/",
            {"comment": "Name the chair."},
            format="json",
        )
    )
    _wait_for(recorder, 3, timeout, where())  # the author
    _ok(author.post(f"/api/v1/statements/{sid}/submit/", {}, format="json"))
    _wait_for(recorder, 5, timeout, where())
    _ok(editor.post(f"/api/v1/statements/{sid}/approve/", {}, format="json"))
    _wait_for(recorder, 6, timeout, where())  # the publisher

    subjects = _subjects(recorder)
    for editor_address in ("nl-editor@example.org", "nl-editor2@example.org"):
        assert len(subjects[editor_address]) == 2
        assert all("review" in s for s in subjects[editor_address])
    assert subjects["nl-author@example.org"] == [f"Changes requested: {EN['title']}"]
    assert subjects["nl-publisher@example.org"] == [f"Approved, ready to publish: {EN['title']}"]
    assert len(recorder.addresses()) == 6  # nobody else, nothing twice
    changes = next(m for r, m in recorder.messages() if r == "nl-author@example.org")
    text = changes.get_body(("plain",)).get_content()
    assert "Name the chair." in text and f"{settings.SITE_URL}/desk/statements/{sid}/" in text
    assert changes.get_body(("html",)) is not None
    pending = Notification.objects.exclude(email_state=Notification.Email.SENT)
    assert not pending.exists(), list(pending.values("kind", "email_state", "email_error"))


def test_emails_arrive_through_the_task_in_process(people, sink, settings):
    from config.celery import app

    # tests/conftest.py's autouse fixture puts the previous value back afterwards.
    app.conf.task_always_eager = True
    recorder, port = sink
    email_to_sink(settings, port)
    _review_cycle(people, recorder, timeout=10)


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


@pytest.fixture
def worker(servers, sink, tmp_path):
    _recorder, port = sink
    worker = CeleryWorker(
        tmp_path,
        name="notify-test",
        env={"EMAIL_URL": f"smtp://127.0.0.1:{port}", "NOTIFICATION_SWEEP_SECONDS": "1"},
    )
    worker.start()
    yield worker
    worker.stop()
    print(worker.log_tail())  # shown by pytest only when the test failed


def test_emails_arrive_through_a_real_worker(people, sink, worker):
    recorder, _port = sink
    _review_cycle(people, recorder, timeout=30, where=lambda: worker.log_tail())


def test_a_lost_task_is_sent_by_the_sweep(people, sink, worker):
    """The broker lost the task (here: never queued); the beat sweep finds the row."""
    from desk import notifications

    recorder, _port = sink
    CampaignFactory(slug="asean-complicity")
    from statements import workflow

    statement, _ = workflow.statement_create(
        by=people.author, campaign="asean-complicity", translations={"en": EN, "my": MY}
    )
    original = notifications._queue_emails
    notifications._queue_emails = lambda ids: None
    try:
        workflow.statement_submit(statement_id=statement.pk, by=people.author)
    finally:
        notifications._queue_emails = original
    _wait_for(recorder, 2, 30, worker.log_tail())
    assert sorted(recorder.addresses()) == ["nl-editor2@example.org", "nl-editor@example.org"]

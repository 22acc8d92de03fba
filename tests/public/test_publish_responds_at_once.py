"""The embedded default (no broker): publishing answers at once; the PDFs are made after the
response on the in-process queue (config/background.py), not inside the request."""

from __future__ import annotations

import threading
import time

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from config import background
from statements import workflow
from tests.factories import CampaignFactory
from tests.statements.conftest import EN, MY

# Committed data: the background thread reads it through its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


@pytest.fixture
def approved(make_staff):
    author, editor = make_staff("author"), make_staff("editor")
    CampaignFactory(slug="c")
    statement, _ = workflow.statement_create(
        by=author, campaign="c", translations={"en": EN, "my": MY}
    )
    workflow.statement_submit(statement_id=statement.pk, by=author)
    workflow.statement_approve(statement_id=statement.pk, by=editor)
    return statement


@pytest.fixture
def slow_renderer(monkeypatch):
    """The real renderer, held until the test lets it go; records its thread."""
    from publishing import pdf

    real = pdf.refresh_release_pdfs
    gate, calls = threading.Event(), []

    def held(*, statement_id):
        calls.append({"thread": threading.current_thread().name, "gate_open": gate.is_set()})
        gate.wait(20)
        return real(statement_id=statement_id)

    monkeypatch.setattr(pdf, "refresh_release_pdfs", held)
    return gate, calls


def test_publishing_answers_before_the_pdfs_are_made(
    settings, make_staff, approved, media_root, slow_renderer
):
    settings.TASKS_AFTER_RESPONSE = True  # as run_embedded sets it
    assert background.enabled()
    gate, calls = slow_renderer
    publisher = make_staff("publisher")
    started = time.monotonic()
    response = _api(publisher).post(f"/api/v1/statements/{approved.pk}/publish/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.json()["state"] == "published"
    # The renderer is held for 20 s: had the request made the PDFs, it would still wait.
    assert elapsed < 10
    assert not list((media_root / "pdf").glob(f"{approved.slug}.*.pdf"))
    gate.set()
    assert background.wait_idle(60)
    assert calls and all(call["thread"] == "pressroom-tasks" for call in calls)
    made = {p.name.split(".")[1] for p in (media_root / "pdf").glob(f"{approved.slug}.*.pdf")}
    assert made == {"en", "my"}


def test_without_the_embedded_server_tasks_stay_eager(
    make_staff, approved, media_root, slow_renderer
):
    # Tests and `celery -A config worker` setups: the old path, the PDFs made by then.
    gate, calls = slow_renderer
    gate.set()
    assert not background.enabled()
    publisher = make_staff("publisher")
    response = _api(publisher).post(f"/api/v1/statements/{approved.pk}/publish/")
    assert response.status_code == 200
    assert calls and calls[0]["thread"] == threading.current_thread().name
    assert len(list((media_root / "pdf").glob(f"{approved.slug}.*.pdf"))) == 2

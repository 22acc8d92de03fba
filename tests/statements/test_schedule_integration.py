"""A scheduled statement is published by the real beat + worker within 60 s of its time."""

import datetime
import time

import pytest
from django.utils import timezone

from publishing import visibility as selectors
from statements import workflow
from statements.models import Statement
from tests.distribution.test_distribution_integration import Worker
from tests.statements.conftest import EN, MY

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def beat_worker(postgres, tmp_path):
    from django.conf import settings

    from tests.conftest import skip_or_fail

    if not settings.REDIS_URL:
        skip_or_fail("needs Redis (set REDIS_URL=redis://...)")
    worker = Worker(tmp_path, smtp_port=9)  # sends no mail
    worker.start()
    yield worker
    worker.stop()


def test_scheduled_statement_is_public_within_60_seconds(beat_worker, campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, translations={"en": EN, "my": MY}
    )
    workflow.statement_submit(statement_id=statement.pk, by=staff.author)
    workflow.statement_approve(statement_id=statement.pk, by=staff.editor)
    at = timezone.now() + datetime.timedelta(seconds=3)
    workflow.statement_schedule(statement_id=statement.pk, by=staff.publisher, scheduled_at=at)

    deadline = time.monotonic() + 75
    while time.monotonic() < deadline:
        statement.refresh_from_db()
        if statement.state == Statement.State.PUBLISHED:
            break
        time.sleep(0.5)
    assert statement.state == Statement.State.PUBLISHED, beat_worker.log_tail()
    assert statement.published_at - at < datetime.timedelta(seconds=60)
    assert selectors.is_public(statement)
    assert statement.events.filter(action="publish", actor__isnull=True).count() == 1

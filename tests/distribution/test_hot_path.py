"""What the per-message path caches must not change: the unsubscribe token is exactly what
django.core.signing makes, and the prepared sent mark survives a new database session."""

from __future__ import annotations

import pytest
from django.core import signing
from django.db import connection as db_connection

from distribution import messages
from distribution.models import Delivery
from distribution.sent_marks import _PREPARED_NAME, SentMarks
from tests.conftest import skip_or_fail
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory


def test_unsubscribe_token_is_the_signing_modules_own(settings, monkeypatch):
    for now in (1_700_000_000, 1_800_000_123):
        monkeypatch.setattr(signing.time, "time", lambda now=now: now)
        for contact_id in (1, 123456, 10**12):
            token = messages.unsubscribe_token(contact_id)
            assert token == signing.dumps(contact_id, salt=messages.UNSUBSCRIBE_SALT)
            assert messages.unsubscribe_contact_id(token) == contact_id


def test_unsubscribe_token_follows_a_new_secret_key(settings):
    before = messages.unsubscribe_token(42)
    settings.SECRET_KEY = "another-" + "k" * 50
    after = messages.unsubscribe_token(42)
    assert after != before
    assert messages.unsubscribe_contact_id(after) == 42
    assert messages.unsubscribe_contact_id(before) is None  # not signed with the key in use


def _prepared_here() -> bool:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_prepared_statements WHERE name = %s", [_PREPARED_NAME.decode()]
        )
        return cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_the_sent_mark_is_prepared_once_per_database_session(make_staff):
    if db_connection.vendor != "postgresql":
        skip_or_fail("the prepared mark is PostgreSQL's")
    from django.utils import timezone

    from distribution.models import Distribution

    statement = make_statement(slug="prepared-mark")
    distribution = Distribution.objects.create(
        statement=statement,
        created_by=make_staff("publisher"),
        state="sending",
        send_at=timezone.now(),
    )
    deliveries = [
        Delivery.objects.create(
            distribution=distribution,
            contact=ContactFactory(email=f"p{n}@example.org"),
            address=f"p{n}@example.org",
            variant="en",
            state=Delivery.State.SENDING,
        )
        for n in range(3)
    ]
    for delivery in deliveries[:2]:  # two batches on one session: the second reuses it
        marks = SentMarks(distribution.pk)
        marks.mark(delivery.pk, f"<m{delivery.pk}@example.org>")
        marks.drain()
        assert marks.stop_reason is None
        assert _prepared_here()
    db_connection.close()  # a new session has no prepared statements: it prepares again
    marks = SentMarks(distribution.pk)
    marks.mark(deliveries[2].pk, "<m-last@example.org>")
    marks.drain()
    assert _prepared_here()
    assert list(Delivery.objects.order_by("pk").values_list("state", "message_id")) == [
        ("sent", f"<m{deliveries[0].pk}@example.org>"),
        ("sent", f"<m{deliveries[1].pk}@example.org>"),
        ("sent", "<m-last@example.org>"),
    ]

"""The crash bound, pinned without a crash: each message is marked sent before the next one
is offered to the server, so a worker killed at any moment has at most the message in flight
unrecorded. The sink looks at the database whenever a new message starts (MAIL FROM)."""

from __future__ import annotations

import asyncio

import pytest
from django.db import connection as db_connection

from distribution import sending, services
from distribution.models import Delivery
from tests.conftest import skip_or_fail
from tests.distribution.helpers import make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory


def _sent_count() -> int:
    try:
        return Delivery.objects.filter(state=Delivery.State.SENT).count()
    finally:
        db_connection.close()  # this runs in a thread of its own


@pytest.mark.django_db(transaction=True)
def test_each_message_is_marked_sent_before_the_next_one_starts(settings, make_staff):
    controller, recorder, port = start_sink()
    seen_at_mail: list[int] = []

    async def handle_MAIL(server, session, envelope, address, mail_options):
        # The client is blocked until this answers, so any mark that shows up while we wait
        # was written before this MAIL: the earlier messages must all be marked.
        expected = len(seen_at_mail)
        for _ in range(200):
            count = await asyncio.to_thread(_sent_count)
            if count >= expected:
                break
            await asyncio.sleep(0.02)
        seen_at_mail.append(count)
        envelope.mail_from = address
        return "250 OK"

    recorder.handle_MAIL = handle_MAIL
    email_to_sink(settings, port)
    try:
        press = MediaListFactory(slug="press")
        for n in range(6):
            ContactFactory(
                email=f"j{n}@example.org", languages=["en", "my"][: n % 2 + 1]
            ).lists.add(press)
        statement = make_statement(slug="marked-in-order")
        distribution = services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=make_staff("publisher")
        )
        sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    finally:
        controller.stop()

    assert recorder.count == 6
    assert seen_at_mail == [0, 1, 2, 3, 4, 5]
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_refused_mark_raises_and_the_connection_stays_usable():
    from django.db import DatabaseError

    from distribution.sent_marks import SentMarks

    if db_connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    marks = SentMarks()
    assert marks._pgconn is not None  # the asynchronous path
    marks.mark(delivery_id=1, message_id="<m@example.org>")  # no such row: nothing changes
    marks.drain()
    marks.mark(delivery_id="not a number", message_id="<m@example.org>")
    with pytest.raises(DatabaseError, match="marking a delivery sent"):
        marks.drain()
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_inside_a_transaction_marks_are_plain_queries_of_that_transaction(db):
    from distribution.sent_marks import SentMarks

    assert SentMarks()._pgconn is None

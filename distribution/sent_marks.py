"""Marking deliveries sent without waiting for PostgreSQL's reply before the next message.

Each mark is its own UPDATE, written to the database connection the moment the SMTP server
accepts the message, as before; only the wait for its reply is moved to just before the next
mark (or any other query). A worker killed at any point has therefore already handed every
accepted message's mark to the kernel for PostgreSQL, so a crash still re-sends only the
message in flight: marks are never held back and batched.

On PostgreSQL in autocommit this uses libpq's asynchronous send of a statement prepared once
per database session (psycopg's PGconn.send_query_prepared and get_result): planning the
UPDATE and its stop-reason lookup again for every message cost PostgreSQL more than running
them. Elsewhere each mark is a plain query.
"""

from __future__ import annotations

import hashlib

from django.db import DatabaseError
from django.db import connection as db_connection
from django.utils import timezone

from distribution.models import Delivery, Distribution

# The mark also answers whether the distribution may go on (Distribution.stop_reason_sql): a
# retraction or a cancel is seen with no query of its own, before the next message or so.
_SQL = (
    "UPDATE distribution_delivery SET state = {}, sent_at = {}, updated_at = {}, "
    "message_id = {}, lease_expires_at = NULL, last_error = '' WHERE id = {} AND state = {} "
    "RETURNING {}"
)
_SQL_DB_API = _SQL.format(*["%s"] * 6, Distribution.stop_reason_sql("%s"))
_SQL_LIBPQ = _SQL.format(
    *(f"${i}" for i in range(1, 7)), Distribution.stop_reason_sql("$7::bigint")
).encode()
# Versioned by the text, so a worker running new code never uses an older session's plan.
_PREPARED_NAME = b"pressroom_sent_mark_" + hashlib.sha256(_SQL_LIBPQ).hexdigest()[:12].encode()


class SentMarks:
    """One per batch. Call drain() before anything else uses the database connection.

    `stop_reason` is None while the marks say the distribution may go on, else why not
    ('paused', 'cancelled', 'retracted')."""

    def __init__(self, distribution_id: int | None = None) -> None:
        self._distribution_id = distribution_id
        self.stop_reason: str | None = None
        self._pgconn = None
        self._waiting = False
        # Only in autocommit (as in a worker's task): inside a transaction block psycopg may
        # not have sent BEGIN yet, and a query sent past it would not be part of it.
        if db_connection.vendor == "postgresql" and db_connection.get_autocommit():
            db_connection.ensure_connection()
            self._pgconn = db_connection.connection.pgconn
            self._prepare()

    def _prepare(self) -> None:
        """Prepare the mark in this database session unless an earlier batch already did."""
        from psycopg import pq

        with db_connection.wrap_database_errors:
            described = self._pgconn.describe_prepared(_PREPARED_NAME)
            if described.status == pq.ExecStatus.COMMAND_OK:
                return
            prepared = self._pgconn.prepare(_PREPARED_NAME, _SQL_LIBPQ)
        if prepared.status != pq.ExecStatus.COMMAND_OK:
            message = prepared.error_message.decode("utf-8", "replace")
            raise DatabaseError(f"preparing the sent mark: {message}")

    def mark(self, delivery_id: int, message_id: object) -> None:
        now = timezone.now()
        params = [
            Delivery.State.SENT,
            now,
            now,
            str(message_id)[:255],
            delivery_id,
            Delivery.State.SENDING,
            self._distribution_id or 0,  # 0: no distribution, nothing to learn
        ]
        if self._pgconn is None:
            with db_connection.cursor() as cursor:
                cursor.execute(_SQL_DB_API, params)
                row = cursor.fetchone()
            if row is not None:
                self._note(row[0])
            return
        self.drain()
        # Django's wrapper turns psycopg's errors into django.db's and, for a broken
        # connection, makes Django close it after the task, as for its own queries.
        with db_connection.wrap_database_errors:
            # In libpq's blocking mode the query is flushed to the socket before this returns.
            self._pgconn.send_query_prepared(_PREPARED_NAME, [str(p).encode() for p in params])
        self._waiting = True

    def poll(self) -> None:
        """Take the last mark's reply if it has already arrived; never waits."""
        if not self._waiting:
            return
        with db_connection.wrap_database_errors:
            self._pgconn.consume_input()
            busy = self._pgconn.is_busy()
        if not busy:
            self.drain()

    def drain(self) -> None:
        """Wait for the reply to the last mark; raise if PostgreSQL refused it."""
        if not self._waiting:
            return
        self._waiting = False
        error = b""
        with db_connection.wrap_database_errors:
            while (result := self._pgconn.get_result()) is not None:
                if result.error_message:
                    error = result.error_message
                elif result.ntuples:
                    value = result.get_value(0, 0)
                    self._note(None if value is None else value.decode())
        if error:
            raise DatabaseError(f"marking a delivery sent: {error.decode('utf-8', 'replace')}")

    def _note(self, reason: str | None) -> None:
        if self._distribution_id is None:
            return  # not asked
        # NULL: the distribution is gone; treat it as cancelled.
        reason = Distribution.CancelReason.CANCELLED if reason is None else reason
        if reason and self.stop_reason is None:
            self.stop_reason = reason

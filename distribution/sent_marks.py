"""Marking deliveries sent without waiting for PostgreSQL's reply before the next message.

Each mark is its own UPDATE, written to the database connection the moment the SMTP server
accepts the message, as before; only the wait for its reply is moved to just before the next
mark (or any other query). A worker killed at any point has therefore already handed every
accepted message's mark to the kernel for PostgreSQL, so a crash still re-sends only the
message in flight: marks are never held back and batched.

On PostgreSQL in autocommit this uses libpq's asynchronous send (psycopg's
PGconn.send_query_params and get_result); elsewhere each mark is a plain query.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.db import connection as db_connection
from django.utils import timezone

from distribution.models import Delivery

_SQL = (
    "UPDATE distribution_delivery SET state = {}, sent_at = {}, updated_at = {}, "
    "message_id = {}, lease_expires_at = NULL, last_error = '' WHERE id = {} AND state = {}"
)
_SQL_DB_API = _SQL.format(*["%s"] * 6)
_SQL_LIBPQ = _SQL.format(*(f"${i}" for i in range(1, 7))).encode()


class SentMarks:
    """One per batch. Call drain() before anything else uses the database connection."""

    def __init__(self) -> None:
        self._pgconn = None
        self._waiting = False
        # Only in autocommit (as in a worker's task): inside a transaction block psycopg may
        # not have sent BEGIN yet, and a query sent past it would not be part of it.
        if db_connection.vendor == "postgresql" and db_connection.get_autocommit():
            db_connection.ensure_connection()
            self._pgconn = db_connection.connection.pgconn

    def mark(self, delivery_id: int, message_id: object) -> None:
        now = timezone.now()
        params = [
            Delivery.State.SENT,
            now,
            now,
            str(message_id)[:255],
            delivery_id,
            Delivery.State.SENDING,
        ]
        if self._pgconn is None:
            with db_connection.cursor() as cursor:
                cursor.execute(_SQL_DB_API, params)
            return
        self.drain()
        # Django's wrapper turns psycopg's errors into django.db's and, for a broken
        # connection, makes Django close it after the task, as for its own queries.
        with db_connection.wrap_database_errors:
            # In libpq's blocking mode the query is flushed to the socket before this returns.
            self._pgconn.send_query_params(_SQL_LIBPQ, [str(p).encode() for p in params])
        self._waiting = True

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
        if error:
            raise DatabaseError(f"marking a delivery sent: {error.decode('utf-8', 'replace')}")

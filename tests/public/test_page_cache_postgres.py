"""The page cache on PostgreSQL: each process keeps the public version while its LISTEN hears
nothing, and drops it as soon as another process commits a write of public data."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from publishing import cache
from publishing.visibility import public_version


@pytest.fixture
def other_process(transactional_db):
    """A connection of its own, as another web worker or the Celery worker has."""
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL")
    import psycopg

    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    yield other
    other.close()


def _eventually(check, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def test_a_write_committed_elsewhere_reaches_this_process(other_process, make_release):
    make_release()
    before = cache.current_version()
    assert cache._known.token == before  # kept: no query for the next answers

    with other_process.transaction():  # another process publishes: new token, then NOTIFY
        other_process.execute("UPDATE publishing_publicversion SET token = 'elsewhere'")
        other_process.execute(f"NOTIFY {cache.CHANNEL}")

    assert _eventually(lambda: cache.current_version() == "elsewhere")


def test_nothing_is_heard_of_a_write_rolled_back_elsewhere(other_process, make_release):
    make_release()
    before = cache.current_version()
    with pytest.raises(RuntimeError), other_process.transaction():
        other_process.execute("UPDATE publishing_publicversion SET token = 'never'")
        other_process.execute(f"NOTIFY {cache.CHANNEL}")
        raise RuntimeError("rolled back")
    time.sleep(0.05)
    assert cache.current_version() == before == public_version()


def test_a_retraction_in_another_process_is_not_served_from_the_cache(
    other_process, client, make_release, make_staff
):
    from statements import workflow

    release = make_release(slug="retracted-elsewhere")
    page = f"/en/releases/{release.slug}/"
    client.get(page)
    assert client.get(page)["X-Page-Cache"] == "hit"
    workflow.statement_retract(statement_id=release.pk, by=make_staff("publisher"), reason="Wrong.")
    # This process wrote, so it forgot at once; another process hears the NOTIFY on commit.
    assert client.get(page).status_code == 410

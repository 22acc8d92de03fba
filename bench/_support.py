"""Shared by the benchmarks (not a benchmark itself: `make bench` skips files starting with _)."""

from __future__ import annotations


def ensure_database(database_url: str) -> str:
    """Create the benchmark's PostgreSQL database if it is missing; '' or why it failed."""
    import psycopg

    base, _, name = database_url.rpartition("/")
    try:
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as err:
        return f"PostgreSQL at {base}: {err}"
    return ""

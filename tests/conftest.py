"""Shared fixtures. Under CI (CI=true) a missing server fails the run instead of skipping."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop without the server; under CI nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"pressroom: database={db} redis={'yes' if settings.REDIS_URL else 'no'} ci={IN_CI}"]


def pytest_configure(config):
    # Argon2 is the production hasher (pinned by a test); the suite makes many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if IN_CI:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine or not settings.REDIS_URL:
            raise pytest.UsageError("CI=true needs DATABASE_URL (PostgreSQL) and REDIS_URL.")


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """The fast suite runs Celery tasks in-process; integration tests use a real worker."""
    from config.celery import app

    eager = request.node.get_closest_marker("integration") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager or previous
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import caches

    for cache in caches.all():  # "pages" too: the database (and its version row) rolls back
        cache.clear()
    yield
    from publishing.cache import stop_listening

    stop_listening()  # its connection would keep the test database from being dropped


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    return connection


def restore_roles() -> None:
    """Transactional tests flush the database, permissions and the staff groups of the data
    migration included; run that migration's function again (idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("statements.migrations.0002_staff_roles").create_roles(apps, None)


@pytest.fixture
def make_staff(db):
    from accounts.staff import staff_upsert

    restore_roles()

    def make(role: str, username: str | None = None):
        user, _ = staff_upsert(
            username=username or f"{role}-{os.urandom(3).hex()}",
            role=role,
            email=f"{role}@example.org",
            password="a long enough test password 1",
        )
        return user

    return make

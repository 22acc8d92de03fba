"""Settings modes, /healthz, seed_demo and add_staff through their real entry points."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from campaigns.models import Role
from statements.models import Statement, StatementTranslation

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "DEBUG",
            "SECRET_KEY",
            "SUPPRESSION_KEY",
            "ALLOWED_HOSTS",
        )
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
    "django.setup(); from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
)


def test_embedded_default_needs_no_server(tmp_path):
    out = _python(SHOW, VAR_DIR=str(tmp_path)).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


def test_environment_selects_postgres_redis_and_smtp(tmp_path):
    out = _python(
        SHOW,
        VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u@db:5432/p",
        REDIS_URL="redis://r:6379/0",
        EMAIL_URL="smtp://mail:25",
    ).stdout.split()
    assert out == [
        "django.db.backends.postgresql",
        "False",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


def test_production_mode_refuses_to_start_without_secret_key_and_hosts(tmp_path):
    result = _python(SHOW, VAR_DIR=str(tmp_path), DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "press.example.org",
        "SECRET_KEY": "x" * 20 + os.urandom(24).hex(),
        "SUPPRESSION_KEY": os.urandom(24).hex(),
        "SITE_URL": "https://press.example.org",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )

    # A production deploy runs collectstatic first; without its manifest the check fails
    # (config/checks.py: pressroom.E001), as every page would.
    missing = manage("check", "--deploy")
    assert missing.returncode != 0 and "pressroom.E001" in missing.stderr
    # The manifest as collectstatic writes it (running it here, compressing every file,
    # takes over a minute; tests/public/test_static_manifest_check.py runs it for real).
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


def test_healthz_answers_503_when_the_broker_does_not(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


def test_seed_demo_is_idempotent_and_loads_both_releases():
    call_command("seed_demo", stdout=StringIO())
    counts = (Statement.objects.count(), StatementTranslation.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Statement.objects.count(), StatementTranslation.objects.count()) == counts
    assert set(Statement.objects.values_list("slug", flat=True)) == {
        "asean-junta-russia-coordinator",
        "malaysia-asean-chair-counter-terrorism",
    }
    assert all(s.state == "published" for s in Statement.objects.all())


def test_seed_demo_names_malaysia_as_asean_chair_for_the_2025_release():
    call_command("seed_demo", stdout=StringIO())
    release = Statement.objects.get(slug="malaysia-asean-chair-counter-terrorism")
    chair = release.roles.get(slug="asean-chair")
    assert chair.holder_on(release.published_at.date()).slug == "malaysia"
    assert (
        Role.objects.get(slug="asean-chair").holder_on(__import__("datetime").date(2024, 6, 1)).slug
        == "laos"
    )


def test_seed_demo_burmese_translations_are_unicode_demo_translations():
    from myanmartools import ZawgyiDetector

    call_command("seed_demo", stdout=StringIO())
    burmese = StatementTranslation.objects.filter(language="my")
    assert burmese.count() == 2
    detector = ZawgyiDetector()
    for t in burmese:
        assert t.is_demo and t.is_complete and not t.is_stale()
        for text in (t.title, t.summary, t.body):
            assert any("\u1000" <= ch <= "\u109f" for ch in text)
            assert detector.get_zawgyi_probability(text) < 0.05


def test_seed_demo_prints_the_demo_users_and_password():
    out = StringIO()
    with override_settings():
        os.environ["DEMO_PASSWORD"] = "demo password for the test 42"
        try:
            call_command("seed_demo", stdout=out)
        finally:
            del os.environ["DEMO_PASSWORD"]
    assert "demo-editor" in out.getvalue()
    assert out.getvalue().strip().endswith("demo password for the test 42")
    user = get_user_model().objects.get(username="demo-publisher")
    assert user.check_password("demo password for the test 42")
    assert [g.name for g in user.groups.all()] == ["publisher"]


def test_add_staff_creates_a_user_with_a_role_and_prints_a_token(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "a long enough test password 1")
    out = StringIO()
    call_command(
        "add_staff", "ma-ma", "--role", "editor", "--email", "m@example.org", "--token", stdout=out
    )
    user = get_user_model().objects.get(username="ma-ma")
    token = out.getvalue().strip().splitlines()[-1]
    # Stored as a digest only (accounts/models.py ApiToken); the printed token authenticates.
    from knox.crypto import hash_token

    assert user.auth_token_set.get().digest == hash_token(token)
    assert user.has_perm("statements.review_statement")
    assert not user.has_perm("statements.publish_statement")
    assert not user.is_staff  # only admins enter the Django admin


def test_add_staff_updates_the_role_of_an_existing_user(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "a long enough test password 1")
    call_command("add_staff", "ko-ko", "--role", "author", stdout=StringIO())
    call_command("add_staff", "ko-ko", "--role", "admin", stdout=StringIO())
    user = get_user_model().objects.get(username="ko-ko")
    assert [g.name for g in user.groups.all()] == ["admin"]
    assert user.is_staff and user.has_perm("contacts.delete_contact")


def test_add_staff_refuses_a_weak_password(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("STAFF_PASSWORD", "short")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("add_staff", "weak", "--role", "author", stdout=StringIO())
    assert not get_user_model().objects.filter(username="weak").exists()


def test_staff_passwords_are_hashed_with_argon2_in_production():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

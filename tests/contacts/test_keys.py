"""Keys: the embedded default makes its own; the suppression list survives a SECRET_KEY rotation."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.test import override_settings

from contacts.models import Contact, Suppression
from contacts.services import contact_create, contact_suppress, contact_unsubscribe
from distribution import messages
from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parents[2]
# The key the embedded default used to sign with, once written in config/settings.py.
OLD_SOURCE_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

PRINT_KEYS = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
    "django.setup(); from django.conf import settings as s;"
    "from contacts.models import address_hash;"
    "print(s.SECRET_KEY); print(s.SUPPRESSION_KEY); print(address_hash('Reporter@Example.org'))"
)


def _settings_process(code: str, **env: str) -> subprocess.CompletedProcess:
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "SUPPRESSION_KEY")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=keep | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_default_makes_its_keys_at_first_run_and_keeps_them_private(tmp_path):
    first = _settings_process(PRINT_KEYS, VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    secret_key, suppression_key, _hash = first.stdout.split()
    assert secret_key != OLD_SOURCE_KEY and len(secret_key) >= 50
    assert suppression_key != secret_key and len(suppression_key) >= 50
    for name, value in (("secret_key", secret_key), ("suppression_key", suppression_key)):
        path = tmp_path / name
        assert path.read_text().strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Every later run (web, worker, management commands) reads the same keys.
    again = _settings_process(PRINT_KEYS, VAR_DIR=str(tmp_path))
    assert again.stdout == first.stdout
    # Another installation gets other keys.
    other = _settings_process(PRINT_KEYS, VAR_DIR=str(tmp_path / "other"))
    assert set(other.stdout.split()[:2]).isdisjoint({secret_key, suppression_key})


def test_rotating_secret_key_keeps_the_suppression_hashes(tmp_path):
    before = _settings_process(PRINT_KEYS, VAR_DIR=str(tmp_path), SECRET_KEY="a" * 60)
    after = _settings_process(PRINT_KEYS, VAR_DIR=str(tmp_path), SECRET_KEY="b" * 60)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout.split()[0] != after.stdout.split()[0]
    assert before.stdout.split()[1:] == after.stdout.split()[1:]


def test_production_settings_refuse_to_start_without_a_suppression_key(tmp_path):
    result = _settings_process(
        PRINT_KEYS,
        VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="press.example.org",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SUPPRESSION_KEY" in result.stderr
    assert not (tmp_path / "suppression_key").exists()


@pytest.mark.django_db
def test_a_suppressed_address_stays_suppressed_after_secret_key_rotation():
    contact = ContactFactory(email="reporter@example.org")
    contact_unsubscribe(contact_id=contact.pk)
    contact_suppress(email="bounced@example.org", reason=Suppression.Reason.BOUNCED)
    with override_settings(SECRET_KEY="rotated-" + "k" * 60):
        assert Suppression.covers("Reporter@Example.org")
        assert Suppression.covers("bounced@example.org")
        Contact.objects.filter(pk=contact.pk).delete()
        with pytest.raises(Exception, match="suppression list"):
            contact_create(email="reporter@example.org", languages=["en"])


@pytest.mark.django_db
def test_unsubscribe_token_forged_with_the_old_source_key_is_refused(client):
    assert OLD_SOURCE_KEY not in (settings.SECRET_KEY, settings.SUPPRESSION_KEY)
    contact = ContactFactory(email="reporter@example.org")
    forged = signing.dumps(
        contact.pk, key=OLD_SOURCE_KEY, salt=messages.UNSUBSCRIBE_SALT, compress=False
    )

    assert client.get(f"/unsubscribe/{forged}/").status_code == 404
    assert client.post(f"/unsubscribe/{forged}/").status_code == 404
    contact.refresh_from_db()
    assert contact.status == Contact.Status.ACTIVE
    assert not Suppression.covers("reporter@example.org")

    # The link the message carries still works.
    genuine = messages.unsubscribe_token(contact.pk)
    assert client.post(f"/unsubscribe/{genuine}/").status_code == 200
    contact.refresh_from_db()
    assert contact.status == Contact.Status.UNSUBSCRIBED

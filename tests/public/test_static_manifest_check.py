"""With DEBUG=0, a missing static manifest is a start-up error (config/checks.py), not a 500
on every page; collectstatic, which makes it, is not stopped by the check."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


def _production(storage: str, static_root):
    return override_settings(
        DEBUG=False,
        STATIC_ROOT=static_root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": storage},
        },
    )


@pytest.mark.parametrize(
    "storage",
    [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    ],
)
def test_missing_static_manifest_stops_the_check_with_a_clear_error(storage, tmp_path):
    with (
        _production(storage, tmp_path / "static"),
        pytest.raises(SystemCheckError, match=r"(?s)pressroom\.E001.*collectstatic"),
    ):
        call_command("check")


def test_after_collectstatic_the_check_passes(tmp_path):
    storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    with _production(storage, tmp_path / "static"):
        call_command("collectstatic", "--noinput", verbosity=0)  # not stopped by the check
        call_command("check")
        (tmp_path / "static/staticfiles.json").write_text("{not json")
        with pytest.raises(SystemCheckError, match="broken"):
            call_command("check")


def test_debug_needs_no_manifest(tmp_path):
    storage = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    with _production(storage, tmp_path / "static"), override_settings(DEBUG=True):
        call_command("check")

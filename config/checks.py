"""System checks for misconfiguration that would otherwise show up per request.

Registered by ConfigChecks (in INSTALLED_APPS), so `manage.py check`, `migrate` and
`runserver` stop with the message at start-up. Not tagged `staticfiles`: `collectstatic`, which
makes the manifest, runs only the checks with that tag and must not be stopped by this one.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks

STARTUP = "pressroom_startup"


def static_manifest_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG=0 the static files are served by their hashed names from the manifest that
    `collectstatic` writes; without it every page that names a static file answers 500."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    where = f"{settings.STATIC_ROOT}/{staticfiles_storage.manifest_name}"
    hint = "Run `python manage.py collectstatic --noinput` with these settings (DEBUG=0)."
    try:
        content = staticfiles_storage.read_manifest()
    except OSError as exc:
        return [
            checks.Error(
                f"The static files manifest {where} cannot be read: {exc}.",
                hint=hint,
                id="pressroom.E001",
            )
        ]
    if content is None:
        return [
            checks.Error(
                f"The static files manifest {where} is missing: with DEBUG=0 every page would "
                "answer 500.",
                hint=hint,
                id="pressroom.E001",
            )
        ]
    try:
        staticfiles_storage.load_manifest()
    except ValueError as exc:
        return [
            checks.Error(
                f"The static files manifest {where} is broken: {exc}",
                hint=hint,
                id="pressroom.E001",
            )
        ]
    return []


class ConfigChecks(AppConfig):
    """Only registers the checks above: config holds no models and imports no app."""

    name = "config"
    label = "pressroom_config"
    verbose_name = "Pressroom configuration checks"

    def ready(self) -> None:
        checks.register(static_manifest_check, STARTUP)

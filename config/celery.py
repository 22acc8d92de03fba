"""Celery app. Settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pressroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def refuse_to_start_misconfigured(**_kwargs) -> None:
    """Stop a worker at start on the errors `manage.py check` stops on (config/checks.py): a
    worker without the static manifest, say, would fail to build every message of a send,
    which would then wait, never sent, with nothing but a traceback per batch in its log."""
    import django
    from django.core import checks

    from config.checks import STARTUP

    django.setup()  # idempotent; the Django fixup may not have run yet
    errors = [m for m in checks.run_checks(tags=[STARTUP]) if m.is_serious()]
    if errors:
        raise SystemExit("worker not started:\n" + "\n".join(str(e) for e in errors))

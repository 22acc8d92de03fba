"""Serve the embedded default: the web app plus an in-process stand-in for `celery beat`.

Without Redis there is no beat process, yet scheduled publications and embargo lifts must still
happen; a thread runs the periodic tasks of CELERY_BEAT_SCHEDULE in this process instead.

Links in emails and PDFs point at SITE_URL; when the environment does not set it, it follows the
address served (`make run PORT=8300` links to :8300, not the default :8000).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from config.celery import app

log = logging.getLogger(__name__)


def run_periodic_tasks_forever(stop: threading.Event) -> None:
    last_run: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            task = app.tasks.get(entry["task"])
            if task is None or now - last_run.get(name, -1e9) < float(entry["schedule"]):
                continue
            last_run[name] = now
            try:
                task.apply()
            except Exception:
                log.exception("periodic task %s failed", name)
            finally:
                close_old_connections()
        stop.wait(5)


def site_url_for(addr: str) -> str:
    """The URL readers reach `addr` ("host:port" or "port") at; a wildcard host is this machine."""
    host, _, port = addr.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 (a wildcard bind is read, not made)
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Run the development server with the periodic tasks in-process (no Redis needed)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        if not os.environ.get("SITE_URL"):
            # Everything reads settings.SITE_URL when it makes a link, and tasks run in-process.
            settings.SITE_URL = site_url_for(addr)
        app.loader.import_default_modules()
        stop = threading.Event()
        threading.Thread(target=run_periodic_tasks_forever, args=(stop,), daemon=True).start()
        # Without a broker tasks run in-process; those that may (the PDFs) run after the
        # response on a background thread (config/background.py), not inside the request.
        settings.TASKS_AFTER_RESPONSE = True
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            stop.set()
            settings.TASKS_AFTER_RESPONSE = False

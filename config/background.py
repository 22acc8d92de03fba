"""The embedded default's task queue: work that must not hold up a response, run after it on
one background thread of this process (no broker there; with REDIS_URL, Celery workers do it).

`run_embedded` turns it on (settings.TASKS_AFTER_RESPONSE); tests keep tasks eager and
deterministic unless a test turns it on and waits with `wait_idle()`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

_jobs: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None
_lock = threading.Lock()


def enabled() -> bool:
    """True in the embedded default when served by run_embedded: tasks would otherwise run
    inside the request (Celery's eager mode)."""
    from config.celery import app

    return bool(getattr(settings, "TASKS_AFTER_RESPONSE", False) and app.conf.task_always_eager)


def submit(job: Callable[[], object], name: str = "") -> None:
    """Run ``job`` on the background thread, in submission order."""
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="pressroom-tasks", daemon=True)
            _worker.start()
    _jobs.put((job, name))


def wait_idle(timeout: float = 30.0) -> bool:
    """Block until every submitted job has run (tests); False if that took too long."""
    finished = threading.Event()
    _jobs.put((finished.set, "wait_idle"))
    if _worker is None or not _worker.is_alive():
        submit(lambda: None)
    return finished.wait(timeout)


def _work() -> None:
    while True:
        job, name = _jobs.get()
        try:
            job()
        except Exception:
            log.exception("background task %s failed", name or job)
        finally:
            connections.close_all()  # this thread's connections only: no idle one kept open
            _jobs.task_done()

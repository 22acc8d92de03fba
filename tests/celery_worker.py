"""A real `celery -A config worker` in its own process group (so a kill takes all of it).

Used by the integration tests (tests/distribution, tests/statements) and by bench/send.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_worker(
    *,
    env: dict,
    log_path: Path,
    name: str,
    beat_schedule: Path | None = None,
    concurrency: int = 2,
    cpus: str = "",
) -> subprocess.Popen:
    """Start a prefork worker of `concurrency` processes (with beat, given a schedule file)
    and wait up to 60 s for it to say it is ready; RuntimeError with its log's tail otherwise."""
    beat = ["-B", "-s", str(beat_schedule)] if beat_schedule else []
    log = open(log_path, "wb")  # noqa: SIM115  (the child writes to it; closed with the process)
    pinned = ["taskset", "-c", cpus] if cpus else []  # benchmarks: the worker on its own CPUs
    process = subprocess.Popen(
        [*pinned, sys.executable, "-m", "celery", "-A", "config", "worker", *beat,
         "--concurrency", str(concurrency), "--pool", "prefork",
         "--without-mingle", "--without-gossip",
         "-n", f"{name}@%h", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b"ready." in log_path.read_bytes():
            return process
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop_worker(process)
    raise RuntimeError("worker did not start:\n" + log_tail(log_path))


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the whole process group: a machine that loses power."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def stop_worker(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_worker(process)
    # Pool children left behind would hold the test database open.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def log_tail(log_path: Path, lines: int = 40) -> str:
    text = log_path.read_text(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def test_database_url() -> str:
    """The test database as a DATABASE_URL, for a worker in another process."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryWorker:
    """A worker with beat for one integration test: the test database, Redis and keys of this
    process, plus the test's own settings (`env`); started, killed and restarted by the test."""

    def __init__(self, tmp_path: Path, *, name: str, env: dict[str, str]) -> None:
        from django.conf import settings

        self.tmp_path, self.name = tmp_path, name
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SITE_URL": settings.SITE_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "SUPPRESSION_KEY": settings.SUPPRESSION_KEY,
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.tmp_path / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        try:
            self.process = start_worker(
                env=self.env,
                log_path=self.log_path,
                name=f"{self.name}-{os.getpid()}-{self.starts}",
                beat_schedule=self.tmp_path / f"beat-{self.starts}",
            )
        except RuntimeError as err:
            raise AssertionError(str(err)) from err

    def kill(self) -> None:
        """SIGKILL the whole process group: a machine that loses power."""
        if self.process:
            kill_worker(self.process)

    def stop(self) -> None:
        if self.process:
            stop_worker(self.process)

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

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
    *, env: dict, log_path: Path, name: str, beat_schedule: Path | None = None
) -> subprocess.Popen:
    """Start a prefork worker of concurrency 2 (with beat, given a schedule file) and wait up
    to 60 s for it to say it is ready; RuntimeError with its log's tail otherwise."""
    beat = ["-B", "-s", str(beat_schedule)] if beat_schedule else []
    log = open(log_path, "wb")  # noqa: SIM115  (the child writes to it; closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *beat,
         "--concurrency", "2", "--pool", "prefork", "--without-mingle", "--without-gossip",
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

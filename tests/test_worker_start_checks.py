"""A Celery worker stops at start on the same misconfiguration `manage.py check` stops on:
with DEBUG=0 and no static manifest it would fail to build every email of a send."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_without_the_static_manifest_refuses_to_start(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "worker-check-" + "x" * 50,
        "SUPPRESSION_KEY": "worker-check-" + "y" * 50,
        "ALLOWED_HOSTS": "press.example.org",
        "SITE_URL": "https://press.example.org",
        "VAR_DIR": str(tmp_path),  # an empty static folder: no manifest
        # Never reached: the check runs before the worker connects to a broker.
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "pressroom.E001" in result.stdout + result.stderr
    assert "worker not started" in result.stdout + result.stderr

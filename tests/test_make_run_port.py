"""`make run PORT=8300` gives working links: SITE_URL follows the port unless the environment
sets it (CONTRACT.md "Production settings")."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from statements.management.commands import run_embedded

ROOT = Path(__file__).resolve().parent.parent

# Printed by `manage.py shell -c`: the links an email and a PDF of the demo carry.
LINKS = (
    "from django.conf import settings; "
    "from distribution.messages import unsubscribe_url_for; "
    "print('LINK', unsubscribe_url_for('tok')); print('LINK', settings.SITE_URL)"
)


def _env_without_site_url(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["VAR_DIR"] = str(tmp_path)  # keys and database of this run stay out of var/
    return env


def _make_run_serve_line(env: dict[str, str], *args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    printed = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (line,) = [x for x in printed.splitlines() if "run_embedded" in x]
    return line


def _links_under(serve_line: str, env: dict[str, str]) -> list[str]:
    """Run the shell `make run` would run, with `manage.py shell` in place of the server."""
    prefix, _, _ = serve_line.partition("manage.py run_embedded")
    prefix = prefix.replace(".venv/bin/python", shlex.quote(sys.executable))
    command = f"{prefix}manage.py shell -c {shlex.quote(LINKS)}"
    done = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [x.split()[1] for x in done.stdout.splitlines() if x.startswith("LINK ")]


def test_make_run_port_makes_links_on_that_port(tmp_path):
    env = _env_without_site_url(tmp_path)
    line = _make_run_serve_line(env, "PORT=8300")
    assert "--addr 127.0.0.1:8300" in line
    unsubscribe, site_url = _links_under(line, env)
    assert site_url == "http://127.0.0.1:8300"
    assert unsubscribe == "http://127.0.0.1:8300/unsubscribe/tok/"


def test_make_run_keeps_a_site_url_set_in_the_environment(tmp_path):
    env = {**_env_without_site_url(tmp_path), "SITE_URL": "https://press.example.org"}
    line = _make_run_serve_line(env, "PORT=8300")
    unsubscribe, site_url = _links_under(line, env)
    assert site_url == "https://press.example.org"
    assert unsubscribe.startswith("https://press.example.org/unsubscribe/")


def test_run_embedded_follows_its_address_when_site_url_is_not_set(monkeypatch, settings):
    monkeypatch.delenv("SITE_URL", raising=False)
    served = []
    monkeypatch.setattr(run_embedded, "run_periodic_tasks_forever", lambda stop: None)
    monkeypatch.setattr(run_embedded, "call_command", lambda *a, **kw: served.append(a))
    call_command("run_embedded", "--addr", "127.0.0.1:8300")
    assert served == [("runserver", "127.0.0.1:8300")]
    assert settings.SITE_URL == "http://127.0.0.1:8300"


def test_run_embedded_keeps_site_url_from_the_environment(monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "https://press.example.org")
    settings.SITE_URL = "https://press.example.org"
    monkeypatch.setattr(run_embedded, "run_periodic_tasks_forever", lambda stop: None)
    monkeypatch.setattr(run_embedded, "call_command", lambda *a, **kw: None)
    call_command("run_embedded", "--addr", "127.0.0.1:8300")
    assert settings.SITE_URL == "https://press.example.org"


def test_a_wildcard_bind_links_to_this_machine():
    assert run_embedded.site_url_for("0.0.0.0:8300") == "http://127.0.0.1:8300"
    assert run_embedded.site_url_for("8300") == "http://127.0.0.1:8300"
    assert run_embedded.site_url_for("localhost:9000") == "http://localhost:9000"

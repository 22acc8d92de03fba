"""docker-compose.yml stays valid and in step with the settings (no engine runs here)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_has_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])
    assert "gunicorn" in compose["services"]["web"]["command"]
    assert "config.wsgi:application" in compose["services"]["web"]["command"]
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_compose_environment_names_are_read_by_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    settings_source = (ROOT / "config" / "settings.py").read_text()
    for name in compose["services"]["web"]["environment"]:
        assert f'"{name}"' in settings_source, f"{name} is not read by config/settings.py"


def test_compose_config_parses_without_an_engine():
    """`docker compose config` (or Debian's docker-compose) validates the file offline."""
    import os
    import shutil
    import subprocess

    from tests.conftest import skip_or_fail

    if shutil.which("docker-compose"):
        command = ["docker-compose", "config", "-q"]
    elif (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "config", "-q"]
    else:
        skip_or_fail("needs docker compose or docker-compose (apt-get install docker-compose)")
    env = os.environ | {
        "SECRET_KEY": "x",
        "SUPPRESSION_KEY": "y",
        "ALLOWED_HOSTS": "press.example.org",
        "SITE_URL": "https://press.example.org",
    }
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

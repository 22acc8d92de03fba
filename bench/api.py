"""Public API and release page throughput under gunicorn, against a minimal Django JSON view.

    python bench/api.py          (make bench)

Needs PostgreSQL: BENCH_API_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench_api, made anew each run). Without it, it says so and exits 0.

Loads the demo data plus BENCH_RELEASES (default 300) generated bilingual releases, serves the
app with gunicorn (2 sync workers, DEBUG=0, collected static files, throttling opened up) on a
free loopback port, and measures at concurrency 16 for BENCH_SECONDS (default 8) each:

- GET /api/v1/releases/            (a page of 20 releases, both languages, full JSON)
- GET /en/releases/<slug>/         (a release page)
- GET /bench/json                  (the baseline: a minimal Django JSON view, same middleware)

It prints requests/second and p50/p99 latency for each, and each one's ratio to the baseline.
The load generator is Python threads with http.client, loopback only, bounded in count and time.
"""

from __future__ import annotations

import datetime
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pressroom_bench_api"
)
RELEASES = int(os.environ.get("BENCH_RELEASES", "300"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = 16
MAX_REQUESTS = 50_000  # per target, a bound besides the time
VAR_DIR = Path("/tmp/pressroom-bench-api-var")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "bench.support.settings",
        "PYTHONPATH": str(ROOT),
        "VAR_DIR": str(VAR_DIR),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "SUPPRESSION_KEY": "bench-only-suppression-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_ANON_THROTTLE": "100000000/minute",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }


def database_ready() -> bool:
    from urllib.parse import urlsplit

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = [
        "psql",
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        "-d",
        "postgres",
        "-q",
    ]
    if not shutil.which("psql"):
        return False
    try:
        subprocess.run(
            [*admin, "-c", f'DROP DATABASE IF EXISTS "{name}"'],
            check=True,
            capture_output=True,
            timeout=30,
        )
        subprocess.run(
            [*admin, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=30
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return False
    return True


def manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=server_env(),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def generate_releases(count: int) -> str:
    """`count` published bilingual releases made from the demo ones; returns a page slug."""
    os.environ.update(server_env())
    import django

    django.setup()
    from django.db import transaction

    from statements.models import Statement, StatementTranslation

    demo = list(Statement.objects.prefetch_related("translations", "targets", "asks", "roles"))
    start = datetime.datetime(2023, 1, 1, 3, 0, tzinfo=datetime.UTC)
    with transaction.atomic():
        for n in range(count):
            model = demo[n % len(demo)]
            statement = Statement.objects.create(
                campaign=model.campaign,
                slug=f"bench-release-{n}",
                state="published",
                published_at=start + datetime.timedelta(days=n),
                source_language="en",
                required_languages=model.required_languages,
                boilerplate=model.boilerplate,
            )
            statement.targets.set(model.targets.all())
            statement.asks.set(model.asks.all())
            statement.roles.set(model.roles.all())
            StatementTranslation.objects.bulk_create(
                StatementTranslation(
                    statement=statement,
                    language=t.language,
                    title=f"{t.title} ({n})",
                    summary=t.summary,
                    body=t.body,
                    quotes=t.quotes,
                    more_information=t.more_information,
                    source_hash=t.source_hash,
                )
                for t in model.translations.all()
            )
    return demo[0].slug


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def one_request(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return status, time.perf_counter() - started


def load(port: int, path: str, seconds: float) -> dict:
    for _ in range(20):  # warm up both workers
        one_request(port, path)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    issued = [0]

    def worker() -> None:
        while time.monotonic() < stop_at:
            with lock:
                if issued[0] >= MAX_REQUESTS:
                    return
                issued[0] += 1
            try:
                status, took = one_request(port, path)
            except OSError:
                status, took = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan"),
    }


def main() -> int:
    if not database_ready():
        print(
            f"api bench: skipped, PostgreSQL not reachable at {DATABASE_URL} "
            "(set BENCH_API_DATABASE_URL)"
        )
        return 0
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    print(f"api bench: migrating, loading demo data and {RELEASES} generated releases ...")
    manage("migrate", "--noinput")
    manage("seed_demo")
    manage("collectstatic", "--noinput")
    page_slug = generate_releases(RELEASES)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        env=server_env(),
        cwd=ROOT,
        start_new_session=True,
    )
    load_before = os.getloadavg()[0]
    try:
        wait_for(port)
        targets = [
            ("releases API", "/api/v1/releases/"),
            ("release page", f"/en/releases/{page_slug}/"),
            ("baseline JSON view", "/bench/json"),
        ]
        for _, path in targets:
            status, _ = one_request(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        results = {name: load(port, path, SECONDS) for name, path in targets}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    base = results["baseline JSON view"]
    print(
        f"gunicorn 2 sync workers, PostgreSQL, concurrency {CONCURRENCY}, {SECONDS:g} s each, "
        f"{RELEASES + 2} releases; {os.cpu_count()} CPUs, load average before "
        f"{load_before:.1f} (other work on the machine skews absolute figures, less the ratios)"
    )
    print(
        f"{'target':<20} {'path':<48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
        f" {'vs baseline':>12}"
    )
    for name, r in results.items():
        ratio = r["rps"] / base["rps"] if base["rps"] else float("nan")
        print(
            f"{name:<20} {r['path']:<48} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['errors']:>6} {ratio:>11.2f}x"
        )
    failed = sum(r["errors"] for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

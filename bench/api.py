"""Public pages, feeds and API under gunicorn, driven by wrk, against a minimal Django JSON view.

    python bench/api.py          (make bench)

Needs PostgreSQL: BENCH_API_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench_api, made anew each run); without it, it says so and exits 0. Needs wrk
(Debian: `apt-get install -y wrk`): installed here when missing and apt-get may run, else it
says how and exits 0. Uses Redis for the page cache, as production does, when
BENCH_API_REDIS_URL (default redis://127.0.0.1:6379/14) answers; else each worker's memory.

Loads the demo data plus BENCH_RELEASES (default 300) generated bilingual releases, serves the
app with gunicorn (BENCH_WORKERS, default 2 sync workers, DEBUG=0, collected static files) on a
free loopback port and measures each address with wrk for BENCH_SECONDS (default 8) at
concurrency 16 (one connection per request, as gunicorn's sync workers close each): the
baseline (/bench/json, a minimal Django JSON view under the same middleware), /healthz (one
database round trip), the release API list and detail, a release page, the listing, a campaign
page and a feed. Where taskset exists and there are two CPUs or more, gunicorn runs on the first
CPUs and wrk on the last one, so the load generator takes no CPU from what it measures
(PostgreSQL and Redis are not pinned). The API's anonymous throttle is off (API_ANON_THROTTLE=
off, as behind a proxy that limits rates): with Redis it costs two round trips per request,
kept answer or not.

It prints requests/s, p50 and p99 latency (wrk's) of each, and each one's ratio to the baseline
of the same run; the target is at least 0.8x the baseline's requests/s and p99 at most 2x.
"""

from __future__ import annotations

import datetime
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pressroom_bench_api"
)
REDIS_URL = os.environ.get("BENCH_API_REDIS_URL", "redis://127.0.0.1:6379/14")
RELEASES = int(os.environ.get("BENCH_RELEASES", "300"))
SECONDS = int(float(os.environ.get("BENCH_SECONDS", "8")))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = 16
VAR_DIR = Path("/tmp/pressroom-bench-api-var")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
TARGET_RPS_RATIO, TARGET_P99_RATIO = 0.8, 2.0
# As browsers, feed readers and API clients ask (the API list is about 1.2 MB uncompressed).
ACCEPT_GZIP = "Accept-Encoding: gzip"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def server_env(redis_url: str) -> dict[str, str]:
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
        "API_ANON_THROTTLE": "off",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
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


def wrk_ready() -> str:
    """The wrk binary, installed with apt-get if missing and possible; '' if not."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("api bench: installing wrk (apt-get install -y wrk) ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, timeout=300)
    return shutil.which("wrk") or ""


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def generate_releases(env: dict[str, str], count: int) -> tuple[str, str]:
    """`count` published bilingual releases made from the demo ones; returns a release slug
    and a campaign slug to measure."""
    os.environ.update(env)
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
    return demo[0].slug, demo[0].campaign.slug


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def probe(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Page-Cache") or "-"
    finally:
        connection.close()


def cpu_plan() -> tuple[list[str], list[str], str]:
    """taskset prefixes for gunicorn and wrk, and a sentence saying what was done."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return [], [], f"not pinned ({len(cpus)} CPU(s) or no taskset): wrk shares the CPUs"
    server = ",".join(str(c) for c in cpus[:-1])
    client = str(cpus[-1])
    return (
        ["taskset", "-c", server],
        ["taskset", "-c", client],
        f"gunicorn pinned to CPU {server} (taskset -c {server}), wrk to CPU {client} "
        f"(taskset -c {client}); PostgreSQL and Redis not pinned",
    )


LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: list[str], port: int, path: str, seconds: int) -> dict:
    url = f"http://127.0.0.1:{port}{path}"
    command = [*wrk, "-t1", f"-c{CONCURRENCY}", "--timeout", "10s", "-H", ACCEPT_GZIP]
    # Warm up every worker (and its memory, when the page cache has no Redis) first.
    subprocess.run([*command, "-d1s", url], capture_output=True, timeout=60)
    out = subprocess.run(
        [*command, f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    text = out.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    latency = {pct: float(value) * UNIT_MS[unit] for pct, value, unit in LATENCY.findall(text)}
    requests = re.search(r"(\d+) requests in", text)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    # Read errors are left out: gunicorn's sync workers close each connection after answering.
    failures = re.search(
        r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", text
    )
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in failures.groups()) if failures else 0
    if not rps:
        raise RuntimeError(f"wrk gave no figures for {path}:\n{text}\n{out.stderr}")
    return {
        "path": path,
        "requests": int(requests.group(1)) if requests else 0,
        "rps": float(rps.group(1)),
        "p50": latency.get("50", float("nan")),
        "p99": latency.get("99", float("nan")),
        "errors": errors,
    }


def main() -> int:
    if not database_ready():
        print(
            f"api bench: skipped, PostgreSQL not reachable at {DATABASE_URL} "
            "(set BENCH_API_DATABASE_URL)"
        )
        return 0
    wrk = wrk_ready()
    if not wrk:
        print("api bench: skipped, wrk is missing (Debian/Ubuntu: sudo apt-get install -y wrk)")
        return 0
    redis_url = REDIS_URL if redis_answers(REDIS_URL) else ""
    env = server_env(redis_url)
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    print(f"api bench: migrating, loading demo data and {RELEASES} generated releases ...")
    manage(env, "collectstatic", "--noinput")  # first: with DEBUG=0 a missing manifest is an error
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    release, campaign = generate_releases(env, RELEASES)

    server_cpus, client_cpus, pinning = cpu_plan()
    port = free_port()
    server = subprocess.Popen(
        [
            *server_cpus,
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    targets = [
        ("baseline JSON view", "/bench/json"),
        ("healthz (1 query)", "/healthz"),
        ("releases API", "/api/v1/releases/"),
        ("release API", f"/api/v1/releases/{release}/"),
        ("release page", f"/en/releases/{release}/"),
        ("listing", "/en/releases/"),
        ("campaign page", f"/en/campaigns/{campaign}/"),
        ("feed", "/en/feeds/releases.xml"),
    ]
    load_before = os.getloadavg()[0]
    states: dict[str, str] = {}
    try:
        wait_for(port)
        for name, path in targets:
            status, _ = probe(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            states[name] = probe(port, path)[1]  # the second answer: kept or not
        # Rounds through every target, each target's best kept: other work on a shared machine
        # comes and goes, and a round each makes the ratios compare like with like.
        results: dict[str, dict] = {}
        errors = dict.fromkeys(states, 0)
        for _round in range(ROUNDS):
            for name, path in targets:
                figures = run_wrk([*client_cpus, wrk], port, path, SECONDS)
                errors[name] += figures["errors"]
                if name not in results or figures["rps"] > results[name]["rps"]:
                    results[name] = figures
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    base = results["baseline JSON view"]
    print(
        f"gunicorn {WORKERS} sync workers, PostgreSQL, page cache in "
        f"{'Redis' if redis_url else 'each worker’s memory (no Redis answered)'}; wrk, "
        f"concurrency {CONCURRENCY}, {SECONDS} s each, best of {ROUNDS} rounds, gzip accepted; "
        f"{RELEASES + 2} releases; "
        f"{os.cpu_count()} CPUs, load average before {load_before:.1f}"
    )
    print(f"{pinning}; API throttle off. (Other work on the machine skews absolute figures.)")
    print(
        f"{'target':<20} {'path':<44} {'cache':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'req/s x':>8} {'p99 x':>6} {'target':>7}"
    )
    for name, r in results.items():
        rps_ratio = r["rps"] / base["rps"] if base["rps"] else float("nan")
        p99_ratio = r["p99"] / base["p99"] if base["p99"] else float("nan")
        meets = rps_ratio >= TARGET_RPS_RATIO and p99_ratio <= TARGET_P99_RATIO
        print(
            f"{name:<20} {r['path'][:44]:<44} {states.get(name, '-'):>6} {r['rps']:>8.0f} "
            f"{r['p50']:>7.2f} {r['p99']:>7.2f} {errors[name]:>6} {rps_ratio:>7.2f}x "
            f"{p99_ratio:>5.2f}x {'yes' if meets else 'no':>7}"
        )
    print(
        f"target: at least {TARGET_RPS_RATIO}x the baseline's requests/s and p99 at most "
        f"{TARGET_P99_RATIO:g}x its p99 (healthz is shown for reference)"
    )
    failed = sum(errors.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

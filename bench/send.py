"""Distribution throughput against plain smtplib, at scale and with full-size messages.

    python bench/send.py          (make bench)

Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench, created if missing) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/9).
Without them it says so and exits 0.

Every send goes through the real path (distribution_start -> a Celery worker, DEBUG=0 -> SMTP)
to an aiosmtpd sink in its own process; its rate runs from the start to the last message at
the sink. Every recipient reads both languages, so every message is the bilingual version and
the baseline sends exactly the same bytes. The worker runs the production shape's parallelism
(BENCH_SEND_CONNECTIONS, default 4: worker processes, DISTRIBUTION_PARALLEL_TASKS and SMTP
connections); the baseline gets as many connections.

The sink stands for a relay on another machine: with two CPUs or more it is pinned to the last
one, and the sending side to the others, so neither takes CPU from the other: Pressroom's worker
or the baseline's processes, and, for the run only, PostgreSQL's and Redis's processes (their
CPU sets are put back at the end; without the right to move them it says so and goes on).

1. Two messages, each compared on 10,000 recipients with plain smtplib sending the same
   pre-built message to the same sink (before and after the app, averaged):
   - short: a release of a title, a summary and two paragraphs in each language;
   - seed: the demo release made from the seeds (../shared/seeds), English and Burmese in
     full, about 63 KB a message.
2. Scale: the short release to 1,000, 10,000 (from step 1) and 100,000 recipients: the time
   per message and the worker's peak memory (largest process, VmHWM) at each size, so a
   reader sees whether time grows linearly and memory stays flat.
BENCH_SEND_SCALE (default 1000,100000) changes the extra sizes of step 2.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import ensure_database  # noqa: E402  (bench/ is on sys.path as the script's folder)

from tests.celery_worker import start_worker, stop_worker  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pressroom_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
COMPARE = 10_000
SCALE = tuple(
    int(n) for n in os.environ.get("BENCH_SEND_SCALE", "1000,100000").split(",") if n.strip()
)
SEED_RELEASE = "malaysia-asean-chair-counter-terrorism"
CONNECTIONS = int(os.environ.get("BENCH_SEND_CONNECTIONS", "4"))
_CPUS = sorted(os.sched_getaffinity(0))
# The sink on the last CPU, the sender on the rest (nothing pinned on a single CPU).
SINK_CPUS = set(_CPUS[-1:]) if len(_CPUS) > 1 else set(_CPUS)
SENDER_CPUS = set(_CPUS[:-1]) if len(_CPUS) > 1 else set(_CPUS)


def _sink_process(port: int, count, first, last, pipelining, ready) -> None:
    import asyncio

    os.sched_setaffinity(0, SINK_CPUS)  # before the controller's thread starts: it inherits

    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if pipelining.value:
                responses.insert(-1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):
            now = time.monotonic()
            with count.get_lock():
                if not count.value:
                    first.value = now
                count.value += len(envelope.rcpt_tos)
            last.value = now
            return "250 Message accepted"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(10**6))
    finally:
        controller.stop()


class Sink:
    def __init__(self) -> None:
        from tests.distribution.smtp_sink import free_port

        self.port = free_port()
        self.count = mp.Value("q", 0)
        self.first = mp.Value("d", 0.0)
        self.last = mp.Value("d", 0.0)
        self.pipelining = mp.Value("b", 0)
        ready = mp.Event()
        self.process = mp.Process(
            target=_sink_process,
            args=(self.port, self.count, self.first, self.last, self.pipelining, ready),
            daemon=True,
        )
        self.process.start()
        ready.wait(30)

    def reset(self) -> None:
        with self.count.get_lock():
            self.count.value = 0
        self.first.value = self.last.value = 0.0

    def wait_for(self, n: int, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while self.count.value < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"sink got {self.count.value} of {n} in {timeout} s")
            time.sleep(0.01)
        return self.last.value

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


def _servers_answer() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as err:
        return f"Redis at {REDIS_URL}: {err}"
    return ensure_database(DATABASE_URL)


def _setup_django(smtp_port: int) -> None:
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
            # Read where the send starts (this process), which queues one task per copy.
            "DISTRIBUTION_PARALLEL_TASKS": str(CONNECTIONS),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fixtures() -> tuple[object, dict[str, object]]:
    """A publisher, the short and the seed release, and lists of the first N contacts."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Campaign
    from contacts.models import Contact, MediaList, Membership
    from statements.demo import load_demo
    from statements.models import Statement, StatementTranslation

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE distribution_delivery, distribution_distribution_media_lists, "
            "distribution_distribution, contacts_membership, contacts_contact, "
            "contacts_medialist, contacts_suppression CASCADE"
        )
    load_demo()  # the seed release, as `make run` shows it
    seed = Statement.objects.get(slug=SEED_RELEASE)
    Statement.objects.filter(slug="bench-short").delete()
    campaign, _ = Campaign.objects.get_or_create(slug="bench", defaults={"name": {"en": "B"}})
    short = Statement.objects.create(
        campaign=campaign,
        slug="bench-short",
        state="published",
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    StatementTranslation.objects.create(
        statement=short,
        language="en",
        title="ASEAN must stop legitimising the junta",
        summary="ASEAN is complicit.",
        body="ASEAN must stop legitimising the junta and its sham election.\n\n"
        "Member states should refuse to recognise its result.",
    )
    StatementTranslation.objects.create(
        statement=short,
        language="my",
        title="အာဆီယံသည် စစ်ကောင်စီကို ရပ်တန့်ရမည်",
        summary="အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
        body="အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်။\n\nအဖွဲ့ဝင်နိုင်ငံများသည် ရလဒ်ကို အသိအမှတ်မပြုသင့်ပါ။",
    )
    sizes = sorted({COMPARE, *SCALE})
    # Everyone reads both languages (in either order): every message is a bilingual version.
    languages = [["en", "my"], ["my", "en"]]
    contacts = Contact.objects.bulk_create(
        (Contact(email=f"r{i}@example.org", languages=languages[i % 2]) for i in range(sizes[-1])),
        batch_size=5000,
    )
    for size in sizes:
        media_list = MediaList.objects.create(slug=f"bench-{size}", name=f"Bench {size}")
        Membership.objects.bulk_create(
            (Membership(contact=c, media_list=media_list) for c in contacts[:size]),
            batch_size=5000,
        )
    User = get_user_model()
    publisher = User.objects.filter(username="bench-publisher").first() or (
        User.objects.create_superuser("bench-publisher", "b@example.org", None)
    )
    with connection.cursor() as cursor:
        # As a database in service is: its statistics current, not mid-way through the
        # autovacuum the bulk load above would start during the first send.
        cursor.execute("VACUUM ANALYZE")
    return publisher, {"short": short, "seed": seed}


def _peak_kib(pids: list[int]) -> int:
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class SendingSideServers:
    """PostgreSQL's and Redis's processes moved to the sender's CPUs for the run (new
    PostgreSQL backends inherit the postmaster's set), then put back."""

    def __init__(self) -> None:
        self.moved: dict[int, set[int]] = {}
        self.problem = ""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                comm = (entry / "comm").read_text().strip()
                if comm.startswith(("postgres", "redis-server")):
                    pid = int(entry.name)
                    before = os.sched_getaffinity(pid)
                    for task in (entry / "task").iterdir():
                        os.sched_setaffinity(int(task.name), SENDER_CPUS)
                    self.moved[pid] = before
            except PermissionError as err:
                self.problem = f"PostgreSQL and Redis not pinned ({err})"
            except OSError:
                continue  # ended meanwhile

    def restore(self) -> None:
        for pid, cpus in self.moved.items():
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    os.sched_setaffinity(int(task.name), cpus)
            except OSError:
                continue
        # Backends forked while pinned have ended with the workers' connections, or end soon.


class PostgresCpu:
    """CPU used by PostgreSQL's processes since start, counting backends that begin and end
    meanwhile (a worker's connections come and go with it): call sample() now and then."""

    def __init__(self) -> None:
        self._last = {pid: _cpu_seconds([pid]) for pid in _postgres_pids()}
        self._first = dict(self._last)

    def sample(self) -> None:
        for pid in _postgres_pids():
            self._first.setdefault(pid, 0.0)  # began during the run: all of it counts
            self._last[pid] = _cpu_seconds([pid])

    def seconds(self) -> float:
        self.sample()
        return sum(self._last[pid] - self._first[pid] for pid in self._last)


def _machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _process_tree(root: int) -> list[int]:
    pids = [root]
    for pid in list(pids):
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        pids.extend(int(c) for c in children)
    return pids


def _worker_env(smtp_port: int) -> dict[str, str]:
    # The worker runs as in production (DEBUG=0: no query log kept per statement).
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50),
        "SUPPRESSION_KEY": os.environ.get("SUPPRESSION_KEY", "bench-" + "y" * 50),
        "ALLOWED_HOSTS": "localhost",
        "DISTRIBUTION_PARALLEL_TASKS": str(CONNECTIONS),
    }


def _collectstatic(smtp_port: int) -> None:
    # With DEBUG=0 the messages link the font through the static manifest, as in production.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=_worker_env(smtp_port),
        check=True,
    )


def _start_worker(smtp_port: int, log_path: Path) -> subprocess.Popen:
    try:
        return start_worker(
            env=_worker_env(smtp_port),
            log_path=log_path,
            name=f"bench-{os.getpid()}",
            concurrency=CONNECTIONS,
            cpus=",".join(map(str, sorted(SENDER_CPUS))),
        )
    except RuntimeError as err:
        raise SystemExit(str(err)) from err


def _run_send(sink: Sink, size: int, publisher, statement) -> tuple[float, int, float]:
    """(messages/s, the worker's peak KiB, seconds from the start to the last message)."""
    from distribution import services

    log_path = Path("/tmp") / f"pressroom-bench-worker-{os.getpid()}.log"
    worker = _start_worker(sink.port, log_path)
    try:
        tree = _process_tree(worker.pid)
        sink.reset()
        cpu_before = (
            _cpu_seconds(tree),
            _cpu_seconds([sink.process.pid]),
            PostgresCpu(),
            _machine_busy(),
        )
        limit = max(600, size // 50)
        started = time.monotonic()
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=[f"bench-{size}"], by=publisher
        )
        snapshot = time.monotonic() - started
        peak = 0
        while sink.count.value < size:
            peak = max(peak, _peak_kib(tree))
            tree = _process_tree(worker.pid)
            cpu_before[2].sample()
            if time.monotonic() - started > limit:
                raise SystemExit(
                    f"sink got {sink.count.value} of {size} in {limit} s; "
                    f"the worker's log: {log_path}"
                )
            time.sleep(0.05)
        last = sink.last.value
        peak = max(peak, _peak_kib(tree))
        worker_cpu = _cpu_seconds(tree) - cpu_before[0]
        sink_cpu = _cpu_seconds([sink.process.pid]) - cpu_before[1]
        pg_cpu = cpu_before[2].seconds()
        busy = _machine_busy()
        busy_share = (busy[0] - cpu_before[3][0]) / max(busy[1] - cpu_before[3][1], 1)
        all_cpu = (busy[0] - cpu_before[3][0]) / os.sysconf("SC_CLK_TCK")
        print(
            f"  start: recipients snapshot in {snapshot:.2f} s, first message at the sink "
            f"after {sink.first.value - started:.2f} s"
        )
        print(
            f"  cpu per message: worker {worker_cpu / size * 1000:.2f} ms, "
            f"postgres {pg_cpu / size * 1000:.2f} ms, sink {sink_cpu / size * 1000:.2f} ms, "
            f"all CPUs together {all_cpu / size * 1000:.2f} ms ({busy_share:.0%} busy)"
        )
        return size / (last - started), peak, last - started
    finally:
        stop_worker(worker, timeout=30)


def _sample_message(statement) -> bytes:
    """A message as the app builds it for the largest variant: the baseline sends its size."""
    from distribution import messages

    raw = messages.raw_template(
        messages.render_variant(statement=statement, variant="en+my", kind="release")
    )
    return messages.Prebuilt.cut(raw).fill(
        address="r2@example.org",
        token=messages.unsubscribe_token(123456),
        message_id=messages.make_message_id(distribution_id=1, delivery_id=123456),
    )


def _baseline_sender(port: int, raws: list[bytes], go) -> None:
    os.sched_setaffinity(0, SENDER_CPUS)
    go.wait()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i, raw in enumerate(raws):
        smtp.sendmail("press@example.org", [f"base{i}@example.org"], raw)
    smtp.quit()


def _baseline(sink: Sink, size: int, sample: bytes) -> float:
    sink.reset()
    go = mp.Event()
    shares = [size // CONNECTIONS + (i < size % CONNECTIONS) for i in range(CONNECTIONS)]
    senders = [
        mp.Process(target=_baseline_sender, args=(sink.port, [sample] * n, go)) for n in shares
    ]
    for sender in senders:
        sender.start()
    time.sleep(0.5)
    cpu_before = _cpu_seconds([sink.process.pid]), _machine_busy()
    started = time.monotonic()
    go.set()
    last = sink.wait_for(size, 600)
    sink_cpu = _cpu_seconds([sink.process.pid]) - cpu_before[0]
    busy = _machine_busy()
    all_cpu = (busy[0] - cpu_before[1][0]) / os.sysconf("SC_CLK_TCK")
    print(
        f"  baseline cpu per message: sink {sink_cpu / size * 1000:.2f} ms, "
        f"all CPUs together {all_cpu / size * 1000:.2f} ms"
    )
    for sender in senders:
        sender.join(30)
    return size / (last - started)


def _compare(sink: Sink, name: str, publisher, statement) -> tuple[float, float, int]:
    """(app's messages/s, baseline's messages/s, message size) on COMPARE recipients."""
    sample = _sample_message(statement)
    print(f"{name}: {len(sample):,} bytes a message, {COMPARE:,} recipients")
    # The baseline runs before and after the app, in case the machine's load changes.
    before = _baseline(sink, COMPARE, sample)
    rate, peak, _seconds = _run_send(sink, COMPARE, publisher, statement)
    after = _baseline(sink, COMPARE, sample)
    base = (before + after) / 2
    print(
        f"  pressroom {rate:8.1f} msg/s, worker peak memory {peak / 1024:.1f} MiB\n"
        f"  baseline  {base:8.1f} msg/s (plain smtplib, {CONNECTIONS} connections, the same "
        f"message pre-built; before {before:.0f}, after {after:.0f})\n"
        f"  ratio: {rate / base:.2f}x the baseline (target >= 1.00x)"
    )
    return rate, base, peak


def main() -> int:
    problem = _servers_answer()
    if problem:
        print(f"skipped: needs PostgreSQL and Redis ({problem})")
        return 0
    sink = Sink()
    servers = SendingSideServers() if len(_CPUS) > 1 else None
    try:
        _setup_django(sink.port)
        _collectstatic(sink.port)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        publisher, statements = _fixtures()
        print(
            f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
            "(other work on the machine lowers every figure)\n"
            f"sink pinned to CPU {sorted(SINK_CPUS)}, sender to CPU {sorted(SENDER_CPUS)}; "
            f"{CONNECTIONS} connections; "
            + (servers.problem if servers and servers.problem else "PostgreSQL and Redis pinned")
            + " with the sender"
        )
        ratios = {}
        compared = {}
        for name in ("short", "seed"):
            rate, base, peak = _compare(sink, name, publisher, statements[name])
            ratios[name] = rate / base
            compared[name] = (rate, peak)
        print("scale, the short release:")
        runs = {
            COMPARE: (compared["short"][0], compared["short"][1], COMPARE / compared["short"][0])
        }
        for n in SCALE:
            if n != COMPARE:
                runs[n] = _run_send(sink, n, publisher, statements["short"])
        for n in sorted(runs):
            rate, peak, seconds = runs[n]
            print(
                f"  {n:>7,} recipients  {seconds:7.1f} s  {1000 / rate:6.3f} ms/message  "
                f"{rate:7.1f} msg/s  worker peak memory {peak / 1024:6.1f} MiB"
            )
        small, large = min(runs), max(runs)
        per_message = runs[small][0] / runs[large][0]
        memory = runs[large][1] / max(runs[small][1], 1)
        print(
            f"  from {small:,} to {large:,}: time per message {per_message:.2f}x, "
            f"peak memory {memory:.2f}x"
        )
        print(
            "ratios to plain smtplib: "
            + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios.items())
            + " (target >= 1.00x on both)"
        )
        # For information, not the target: the same send to a server that offers PIPELINING,
        # as real MTAs and relays do (smtplib, the baseline, never pipelines).
        sink.pipelining.value = 1
        piped = _run_send(sink, COMPARE, publisher, statements["short"])[0]
        print(
            f"pressroom, short release, server offering PIPELINING: {piped:8.1f} msg/s "
            f"({piped / compared['short'][0]:.2f}x the same send without it)"
        )
    finally:
        sink.stop()
        if servers:
            servers.restore()
    return 0


if __name__ == "__main__":
    sys.exit(main())

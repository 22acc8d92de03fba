"""Distribution throughput against plain smtplib, and the worker's memory.

    python bench/send.py          (make bench)

Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench, created if missing) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/9).
Without them it says so and exits 0.

Sends a published bilingual release to 1,000 and then 10,000 contacts through the real path
(distribution_start -> Celery worker with concurrency 2 -> SMTP), to an aiosmtpd sink in its
own process. Prints messages/s from start to the last message at the sink and the worker's
peak memory (largest process, VmHWM) for each size; then, against the same sink, the rate of
plain smtplib sending the same number of pre-built messages of the same size over 2
connections (the baseline), and the ratio.
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
SIZES = (1_000, 10_000)


def _sink_process(port: int, count, first, last, pipelining, ready) -> None:
    import asyncio

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
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fixtures() -> tuple[object, object]:
    """A publisher, a published release, and lists of 1,000 and 10,000 contacts."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Campaign
    from contacts.models import Contact, MediaList, Membership
    from statements.models import Statement, StatementTranslation

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE distribution_delivery, distribution_distribution_media_lists, "
            "distribution_distribution, contacts_membership, contacts_contact, "
            "contacts_medialist, contacts_suppression CASCADE"
        )
    Statement.objects.filter(slug="bench-release").delete()
    campaign, _ = Campaign.objects.get_or_create(slug="bench", defaults={"name": {"en": "B"}})
    statement = Statement.objects.create(
        campaign=campaign,
        slug="bench-release",
        state="published",
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    paragraph = "ASEAN must stop legitimising the junta and its sham election. " * 12
    my_paragraph = "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်။ " * 10
    StatementTranslation.objects.create(
        statement=statement,
        language="en",
        title="ASEAN must stop legitimising the junta",
        summary="ASEAN is complicit.",
        body="\n\n".join([paragraph] * 6),
    )
    StatementTranslation.objects.create(
        statement=statement,
        language="my",
        title="အာဆီယံသည် စစ်ကောင်စီကို ရပ်တန့်ရမည်",
        summary="အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
        body="\n\n".join([my_paragraph] * 6),
    )
    languages = [["en"], ["my"], ["en", "my"], ["my", "en"]]
    lists = {}
    for size in SIZES:
        media_list = MediaList.objects.create(slug=f"bench-{size}", name=f"Bench {size}")
        contacts = Contact.objects.bulk_create(
            Contact(email=f"r{size}-{i}@example.org", languages=languages[i % 4])
            for i in range(size)
        )
        Membership.objects.bulk_create(
            Membership(contact=c, media_list=media_list) for c in contacts
        )
        lists[size] = media_list
    User = get_user_model()
    publisher = User.objects.filter(username="bench-publisher").first() or (
        User.objects.create_superuser("bench-publisher", "b@example.org", None)
    )
    return publisher, statement


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


def _start_worker(smtp_port: int, log_path: Path) -> subprocess.Popen:
    # The worker runs as in production (DEBUG=0: no query log kept per statement).
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50),
        "SUPPRESSION_KEY": os.environ.get("SUPPRESSION_KEY", "bench-" + "y" * 50),
        "ALLOWED_HOSTS": "localhost",
    }
    try:
        return start_worker(env=env, log_path=log_path, name=f"bench-{os.getpid()}")
    except RuntimeError as err:
        raise SystemExit(str(err)) from err


def _run_send(sink: Sink, size: int, publisher, statement) -> tuple[float, int, int]:
    from distribution import services

    log_path = Path("/tmp") / f"pressroom-bench-worker-{os.getpid()}.log"
    worker = _start_worker(sink.port, log_path)
    try:
        tree = _process_tree(worker.pid)
        sink.reset()
        cpu_before = (
            _cpu_seconds(tree),
            _cpu_seconds([sink.process.pid]),
            _cpu_seconds(_postgres_pids()),
            _machine_busy(),
        )
        started = time.monotonic()
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=[f"bench-{size}"], by=publisher
        )
        snapshot = time.monotonic() - started
        peak = 0
        while sink.count.value < size:
            peak = max(peak, _peak_kib(tree))
            tree = _process_tree(worker.pid)
            if time.monotonic() - started > 600:
                raise SystemExit(f"sink got {sink.count.value} of {size} in 600 s")
            time.sleep(0.05)
        last = sink.last.value
        peak = max(peak, _peak_kib(tree))
        worker_cpu = _cpu_seconds(tree) - cpu_before[0]
        sink_cpu = _cpu_seconds([sink.process.pid]) - cpu_before[1]
        pg_cpu = _cpu_seconds(_postgres_pids()) - cpu_before[2]
        busy = _machine_busy()
        busy_share = (busy[0] - cpu_before[3][0]) / max(busy[1] - cpu_before[3][1], 1)
        print(
            f"  cpu per message: postgres {pg_cpu / size * 1000:.2f} ms; all CPUs "
            f"{busy_share:.0%} busy during the send"
        )
        print(
            f"  start: recipients snapshot in {snapshot:.2f} s, first message at the sink "
            f"after {sink.first.value - started:.2f} s"
        )
        print(
            f"  cpu per message: worker {worker_cpu / size * 1000:.2f} ms, "
            f"sink {sink_cpu / size * 1000:.2f} ms"
        )
        return size / (last - started), peak, size
    finally:
        stop_worker(worker, timeout=30)


def _sample_message(statement) -> bytes:
    """A message as the app builds it for the largest variant: the baseline sends its size."""
    from distribution import messages

    raw = messages.raw_template(
        messages.render_variant(statement=statement, variant="en+my", kind="release")
    )
    return messages.Prebuilt.cut(raw).fill(
        address="r10000-2@example.org",
        token=messages.unsubscribe_token(123456),
        message_id=messages.make_message_id(distribution_id=1, delivery_id=123456),
    )


def _baseline_sender(port: int, raws: list[bytes], go) -> None:
    go.wait()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for i, raw in enumerate(raws):
        smtp.sendmail("press@example.org", [f"base{i}@example.org"], raw)
    smtp.quit()


def _baseline(sink: Sink, size: int, sample: bytes) -> float:
    sink.reset()
    go = mp.Event()
    half = size // 2
    senders = [
        mp.Process(target=_baseline_sender, args=(sink.port, [sample] * n, go))
        for n in (half, size - half)
    ]
    for sender in senders:
        sender.start()
    time.sleep(0.5)
    cpu_before = _cpu_seconds([sink.process.pid])
    started = time.monotonic()
    go.set()
    last = sink.wait_for(size, 600)
    sink_cpu = _cpu_seconds([sink.process.pid]) - cpu_before
    print(f"  baseline cpu per message: sink {sink_cpu / size * 1000:.2f} ms")
    for sender in senders:
        sender.join(30)
    return size / (last - started)


def main() -> int:
    problem = _servers_answer()
    if problem:
        print(f"skipped: needs PostgreSQL and Redis ({problem})")
        return 0
    sink = Sink()
    try:
        _setup_django(sink.port)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        publisher, statement = _fixtures()
        print(
            f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
            "(other work on the machine lowers every figure)"
        )
        sample = _sample_message(statement)
        size = SIZES[-1]
        # The baseline runs before and after the app, in case the machine's load changes.
        baselines = [_baseline(sink, size, sample)]
        results = {}
        for n in SIZES:
            results[n] = _run_send(sink, n, publisher, statement)
            rate, peak, _n = results[n]
            print(
                f"pressroom: {n:>6} recipients  {rate:8.1f} msg/s  "
                f"worker peak memory {peak / 1024:6.1f} MiB (largest process)"
            )
        baselines.append(_baseline(sink, size, sample))
        base_rate = sum(baselines) / len(baselines)
        rate = results[size][0]
        print(
            f"baseline: {size:>6} messages    {base_rate:8.1f} msg/s  "
            f"(plain smtplib, 2 connections, pre-built {len(sample)} bytes each; "
            f"before {baselines[0]:.0f}, after {baselines[1]:.0f})"
        )
        print(f"ratio: {rate / base_rate:.0%} of baseline (target >= 80%)")
        growth = results[SIZES[-1]][1] / max(results[SIZES[0]][1], 1)
        print(f"memory: {growth:.2f}x from {SIZES[0]} to {SIZES[-1]} recipients")
        # For information, not the target: the same send to a server that offers PIPELINING,
        # as real MTAs and relays do (smtplib, the baseline, never pipelines).
        sink.pipelining.value = 1
        piped = _run_send(sink, size, publisher, statement)[0]
        print(
            f"pressroom, server offering PIPELINING: {piped:8.1f} msg/s "
            f"({piped / base_rate:.0%} of the baseline)"
        )
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

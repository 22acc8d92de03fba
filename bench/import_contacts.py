"""Contact CSV import at the size of a real press list.

    python bench/import_contacts.py          (make bench)

Needs PostgreSQL: BENCH_IMPORT_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench_import, created if missing; its contact tables are emptied each run). Without
it, it says so and exits 0.

Sets up 20,000 existing contacts, 500 suppressed addresses and two media lists, writes a CSV of
BENCH_IMPORT_ROWS (default 100,000) rows to a temporary file (English and Burmese names, some in
Zawgyi, some uncertain Burmese, in-file duplicates in another case, existing contacts with and
without changes, suppressed addresses, rows without consent), then imports it through the real
path (contacts/importer.py, as `import_contacts` does) and prints rows/s, total seconds, the
process's peak memory (ru_maxrss), and each one's ratio to its target (30 s, 300 MB).
"""

from __future__ import annotations

import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import ensure_database  # noqa: E402  (bench/ is on sys.path as the script's folder)

DATABASE_URL = os.environ.get(
    "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pressroom_bench_import"
)
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
EXISTING = 20_000
SUPPRESSED = 500
TARGET_SECONDS = 30.0
TARGET_MB = 300.0

UNICODE_NAMES = ("ခင်မာ", "အောင်ကိုကို", "မြင့်မြင့်ဝင်း", "ဇော်မင်းထွန်း", "နန်းဆုမွန်")
ZAWGYI_NAME = "ျမန္မာ"  # "မြန်မာ"
UNSURE_NAME = "လူခပ်သိမ်း၏"  # rejected: could be either encoding
OUTLETS = ("Frontier Myanmar", "Mizzima", "The Irrawaddy", "ဧရာဝတီ", "Reuters", "DVB")
BEATS = ("politics", "human rights", "economy", "နိုင်ငံရေး", "")


def _setup_django() -> None:
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fixtures() -> None:
    import datetime

    from django.db import connection

    from contacts.models import Contact, MediaList, Suppression, address_hash

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE contacts_membership, contacts_contact, contacts_medialist, "
            "contacts_suppression CASCADE"
        )
    MediaList.objects.create(slug="regional", name="Regional press")
    MediaList.objects.create(slug="wires", name="Wire services")
    Contact.objects.bulk_create(
        (
            Contact(
                email=f"known{i}@example.org",
                name=f"Known {i}",
                languages=["en"],
                consent_basis="legitimate_interest",
                consent_date=datetime.date(2024, 1, 1),
            )
            for i in range(EXISTING)
        ),
        batch_size=5_000,
    )
    Suppression.objects.bulk_create(
        Suppression(address_hash=address_hash(f"gone{i}@example.org"), reason="unsubscribed")
        for i in range(SUPPRESSED)
    )


def _write_csv(path: Path) -> dict[str, int]:
    """The benchmark file, written row by row; what it holds, by kind."""
    from contacts.importer import COLUMNS

    kinds = dict.fromkeys(
        ("new", "existing", "duplicate", "suppressed", "no consent", "zawgyi", "unsure"), 0
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(ROWS):
            name = f"Journalist {i}"
            email = f"new{i}@example.org"
            consent = ("consent", "2025-01-31")
            kind = "new"
            if i % 5 == 1 and i // 5 < EXISTING:
                kind, email = "existing", f"Known{i // 5}@Example.org"
                consent = ("", "")  # kept from the stored contact
                if i % 2:  # the same as stored: nothing to write
                    writer.writerow([email, f"Known {i // 5}", "", "", "", "", "", "", *consent])
                    kinds["existing"] += 1
                    continue
            elif i % 50 == 3:
                kind, email = "duplicate", f"NEW{i - 1}@EXAMPLE.ORG"
            elif i % 200 == 7:
                kind, email = "suppressed", f"gone{(i // 200) % SUPPRESSED}@example.org"
            elif i % 250 == 9:
                kind, consent = "no consent", ("", "")
            if i % 10 == 4:
                name = UNICODE_NAMES[i % len(UNICODE_NAMES)]
            elif i % 100 == 6:
                kinds["zawgyi"] += 1
                name = ZAWGYI_NAME
            elif i % 1000 == 8:
                kinds["unsure"] += 1
                name = UNSURE_NAME
            kinds[kind] += 1
            writer.writerow(
                [
                    email,
                    name,
                    OUTLETS[i % len(OUTLETS)],
                    BEATS[i % len(BEATS)],
                    "MM" if i % 3 else "TH",
                    ("en", "my", "en;my", "my;en")[i % 4],
                    ("regional", "wires", "regional;wires", "")[i % 4],
                    "yes" if i % 7 == 0 else "no",
                    *consent,
                ]
            )
    return kinds


def main() -> int:
    problem = ensure_database(DATABASE_URL)
    if problem:
        print(f"bench/import_contacts.py needs PostgreSQL; skipped. ({problem})")
        return 0
    _setup_django()
    _fixtures()
    from contacts.importer import import_contacts_csv, open_csv
    from contacts.models import Contact, Membership

    with tempfile.TemporaryDirectory(prefix="pressroom-bench-import-") as folder:
        path = Path(folder) / "contacts.csv"
        kinds = _write_csv(path)
        size_mb = path.stat().st_size / 1e6
        before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        with open_csv(path) as handle:
            report = import_contacts_csv(handle)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"CSV: {ROWS:,} rows, {size_mb:.1f} MB; in the file: {kinds}")
    print(
        f"Import: {report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {len(report.rejected):,} rejected, "
        f"{report.converted_rows:,} converted from Zawgyi"
    )
    print(
        f"Database now: {Contact.objects.count():,} contacts, "
        f"{Membership.objects.count():,} memberships"
    )
    # CPU time of this process: the part of the time other load on the machine cannot inflate.
    print(
        f"Time: {seconds:.1f} s, {ROWS / seconds:,.0f} rows/s "
        f"(this process's CPU {cpu_seconds:.1f} s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs)"
    )
    print(f"Peak memory (process, ru_maxrss): {peak_mb:.0f} MB (before the import {before_mb:.0f})")
    scale = ROWS / 100_000
    print(
        f"Against the targets (100,000 rows in {TARGET_SECONDS:.0f} s, {TARGET_MB:.0f} MB): "
        f"time {seconds / scale / TARGET_SECONDS:.2f} of the target, "
        f"memory {peak_mb / TARGET_MB:.2f} of the target"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search latency over 10,000 bilingual statements on PostgreSQL, and detection accuracy.

    python bench/search.py          (make bench)

Needs PostgreSQL: BENCH_SEARCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pressroom_bench_search, created and migrated if missing). Without it, says so and exits 0.

Builds 10,000 published statements (once; kept between runs), each with an English and a
Burmese translation made from the sentences of tests/data/burmese_sentences.txt and an English
word list, so every statement has a few paragraphs of unsegmented Burmese. Then, for English
and Burmese queries (and a Zawgyi-typed one), prints the number of matches and the p50 / p99
latency of the public search (statements/search.py: first page of 20, ranked), the p50 of
its count (capped at 1,000: "1,000+"), which indexes the queries of the first page use (title
and text trigram indexes, the newest-first btree), and the same figures for the substring
search it replaced (icontains over the translation rows). Last, Zawgyi detection accuracy on
the corpus.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _support import ensure_database  # noqa: E402  (bench/ is on sys.path as the script's folder)

DATABASE_URL = os.environ.get(
    "BENCH_SEARCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pressroom_bench_search"
)
STATEMENTS = 10_000
RUNS = 40
OLD_RUNS = 8  # the substring search it replaced is slow: fewer runs, same warm-up
PAGE = 20
SENTENCES = ROOT / "tests" / "data" / "burmese_sentences.txt"
CORPUS = ROOT / "tests" / "data" / "burmese_corpus.jsonl"

ENGLISH_WORDS = [
    "asean",
    "junta",
    "myanmar",
    "military",
    "council",
    "airstrike",
    "village",
    "displaced",
    "refugees",
    "sanctions",
    "jet",
    "fuel",
    "arms",
    "embargo",
    "humanitarian",
    "access",
    "accountability",
    "chair",
    "malaysia",
    "russia",
    "india",
    "australia",
    "government",
    "coordinator",
    "complicity",
    "legitimacy",
    "election",
    "violence",
    "detention",
    "political",
    "prisoners",
    "release",
    "ceasefire",
    "aid",
    "border",
    "thailand",
    "bangladesh",
    "rohingya",
    "karen",
    "kachin",
    "shan",
    "chin",
    "karenni",
    "resistance",
    "civilians",
    "school",
    "hospital",
    "monastery",
    "bombing",
]
QUERIES = [
    ("English, common", "junta"),
    ("English, two words", "jet fuel"),
    ("English, capitals", "ASEAN Chair"),
    ("English, rare", "kyaukphyu"),
    ("Burmese, common", "မြန်မာ"),
    ("Burmese, inside words", "စစ်ကောင်စီ"),
    ("Burmese, rare", "ကျောက်ဖြူ"),
    ("Zawgyi-typed query", "ျမန္မာ"),
]


def _setup_django() -> None:
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _burmese_sentences() -> list[str]:
    lines = []
    section = ""
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line and not line.startswith("#") and section not in ("english", "mixed"):
            lines.append(line.strip())
    return lines


def _build() -> None:
    """10,000 published statements with both translations; kept between runs."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.models import Campaign
    from statements.models import Statement, StatementTranslation
    from statements.search import build_search_text, title_line

    existing = Statement.objects.filter(slug__startswith="bench-")
    if existing.count() == STATEMENTS and existing.filter(search_text__contains="ကျောက်ဖြူ"):
        with connection.cursor() as cursor:  # fresh statistics (a migration may add a column)
            cursor.execute("VACUUM ANALYZE statements_statement")
        return
    print(f"building {STATEMENTS:,} statements (once) ...", flush=True)
    started = time.perf_counter()
    rng = random.Random(6)
    burmese = _burmese_sentences()
    with transaction.atomic():
        Statement.objects.filter(slug__startswith="bench-").delete()
        campaign, _ = Campaign.objects.get_or_create(
            slug="bench", defaults={"name": {"en": "Bench", "my": "စမ်းသပ်"}}
        )
        now = timezone.now()
        statements = Statement.objects.bulk_create(
            Statement(
                campaign=campaign,
                slug=f"bench-{i}",
                state=Statement.State.PUBLISHED,
                required_languages=["en", "my"],
                published_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(STATEMENTS)
        )
        rows = []
        for statement in statements:

            def english(words: int) -> str:
                return " ".join(rng.choice(ENGLISH_WORDS) for _ in range(words)).capitalize()

            rows.append(
                StatementTranslation(
                    statement=statement,
                    language="en",
                    title=english(8),
                    summary=english(30),
                    body="\n\n".join(english(60) for _ in range(4)),
                )
            )
            rows.append(
                StatementTranslation(
                    statement=statement,
                    language="my",
                    title=rng.choice(burmese),
                    summary=" ".join(rng.sample(burmese, 2)),
                    body="\n\n".join(" ".join(rng.sample(burmese, 3)) for _ in range(4)),
                )
            )
        # One statement mentions the rare words, so the rare queries find exactly one.
        rows[0].body += "\n\nThe Kyaukphyu port deal."
        rows[1].body += "\n\nကျောက်ဖြူ ဆိပ်ကမ်း။"
        StatementTranslation.objects.bulk_create(rows, batch_size=2000)
        by_statement: dict[int, list] = {}
        for row in rows:
            by_statement.setdefault(row.statement_id, []).append(row)
        for statement in statements:
            statement.search_text = build_search_text(
                slug=statement.slug, translations=by_statement[statement.pk]
            )
            statement.search_title = title_line(statement.search_text)
        Statement.objects.bulk_update(statements, ["search_text", "search_title"], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE statements_statement")
        cursor.execute("ANALYZE statements_statementtranslation")
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)


def _timed(run, runs: int = RUNS) -> tuple[float, float]:
    for _ in range(2):
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _old_substring_search(queryset, q: str):
    # The search this replaced: icontains over the translation rows (no normalisation).
    from django.db.models import Q

    matching = (
        Q(translations__title__icontains=q)
        | Q(translations__summary__icontains=q)
        | Q(translations__body__icontains=q)
    )
    return queryset.filter(pk__in=queryset.filter(matching).values("pk")).order_by(
        "-published_at", "-pk"
    )


def search_latency() -> None:
    from publishing.visibility import public_statements, search_filter
    from statements.search import COUNT_CAP

    base = public_statements().filter(slug__startswith="bench-")
    total = base.count()
    print(
        f"Search over {total:,} published bilingual statements on PostgreSQL "
        f"(first page of {PAGE}, ms; {RUNS} runs each, {OLD_RUNS} of the old search; "
        f"p99 is the slowest of so few runs)"
    )
    print(
        f"  {'query':<24} {'matches':>8} {'p50':>8} {'p99':>8} {'count p50':>9}  {'plan':<12}"
        f" {'old p50':>8} {'old p99':>8} {'old matches':>11}"
    )
    for label, q in QUERIES:
        found = search_filter(base, q)  # the public API's q: statements.search, public text
        matches = found.count()  # capped at statements.search.COUNT_CAP
        p50, p99 = _timed(lambda found=found: list(found[:PAGE].values_list("pk", flat=True)))
        count50, _ = _timed(lambda found=found: found.count(), OLD_RUNS)
        plan = found[:PAGE].explain()
        index = "+".join(
            name
            for name, index_name in (
                ("title", "statement_search_title_trgm"),
                ("text", "statement_search_text_trgm"),
                ("newest", "statement_newest"),
            )
            if index_name in plan
        )
        old = _old_substring_search(base, q)
        old_matches = old.count()
        old50, old99 = _timed(
            lambda old=old: list(old[:PAGE].values_list("pk", flat=True)), OLD_RUNS
        )
        shown = f"{matches:,}" + ("+" if matches >= COUNT_CAP else "")
        print(
            f"  {label:<24} {shown:>8} {p50:>8.1f} {p99:>8.1f} {count50:>9.1f}  {index:<12}"
            f" {old50:>8.1f} {old99:>8.1f} {old_matches:>11,}"
        )


def detection_accuracy() -> None:
    """Zawgyi detection on the corpus, as bench/burmese_accuracy.py prints it (that script
    also has conversion accuracy and throughput)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "burmese_accuracy", Path(__file__).with_name("burmese_accuracy.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.detection(module.load())


def main() -> None:
    problem = ensure_database(DATABASE_URL)
    if problem:
        print(f"search benchmark skipped: needs PostgreSQL ({problem})")
        detection_accuracy()
        return
    _setup_django()
    _build()
    search_latency()
    detection_accuracy()


if __name__ == "__main__":
    main()

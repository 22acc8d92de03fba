"""Accuracy and speed of Burmese encoding handling on tests/data/burmese_corpus.jsonl.

    python bench/burmese_accuracy.py

Prints Zawgyi detection accuracy (Unicode and Zawgyi sides), the exact-match rate of each
Zawgyi->Unicode converter (raw, and after ``normalise`` as the app stores it), broken down
by who wrote the Zawgyi, and detection+conversion throughput on a 20,000-character body.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from burmese import (  # noqa: E402
    available_converters,
    clean_burmese,
    default_converter,
    normalise,
    zawgyi_probability,
    zawgyi_to_unicode,
)
from burmese.encoding import UNICODE_BELOW, ZAWGYI_ABOVE  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "burmese_corpus.jsonl"
SENTENCE_KINDS = {"news", "names", "everyday", "domain", "pali", "mixed"}
BODY_CHARS = 20_000


def load() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def rate(hits: int, total: int) -> str:
    return f"{hits / total:7.2%}  ({hits}/{total})" if total else "    n/a"


def detection(rows: list[dict]) -> None:
    print("Detection (Zawgyi above 0.95 converts, below 0.05 is Unicode, else refused)")
    groups = {
        "sentences": [r for r in rows if r["kind"] in SENTENCE_KINDS],
        "myanmartools fragments": [
            r
            for r in rows
            if r["kind"].startswith("myanmartools-") and r["kind"] not in ("myanmartools-same",)
        ],
    }
    for name, group in groups.items():
        unicode = sorted({r["unicode"] for r in group})
        zawgyi = sorted({r["zawgyi"] for r in group if r["zawgyi"]})
        u_hits = sum(zawgyi_probability(t) < UNICODE_BELOW for t in unicode)
        z_hits = sum(zawgyi_probability(t) > ZAWGYI_ABOVE for t in zawgyi)
        print(f"  {name:24} Unicode side {rate(u_hits, len(unicode))}")
        print(f"  {'':24} Zawgyi side  {rate(z_hits, len(zawgyi))}")
    english = [r["unicode"] for r in rows if r["kind"] == "english"]
    untouched = sum(clean_burmese(t).text == t for t in english)
    print(f"  {'English lines untouched':24}              {rate(untouched, len(english))}")


def conversion(rows: list[dict]) -> None:
    print("\nConversion exact match, Zawgyi -> Unicode (raw / after normalise)")
    pairs = [r for r in rows if r["zawgyi"] and r["kind"] not in ("english", "myanmartools-same")]
    by_writer: dict[str, list[dict]] = defaultdict(list)
    for row in pairs:
        for writer in row["zawgyi_by"].split("+"):
            by_writer[f"Zawgyi by {writer}"].append(row)
    by_writer["all Zawgyi rows"] = pairs
    for converter in available_converters():
        print(f"  {converter}{' (default)' if converter == default_converter() else ''}")
        for label, group in by_writer.items():
            raw = norm = 0
            for row in group:
                out = zawgyi_to_unicode(row["zawgyi"], converter=converter)
                raw += out == row["unicode"]
                norm += normalise(out) == normalise(row["unicode"])
            print(
                f"    {label:30} raw {rate(raw, len(group))}   normalised {rate(norm, len(group))}"
            )
    ok = sum(
        clean_burmese(r["zawgyi"]).text == normalise(r["unicode"])
        for r in pairs
        if r["kind"] in SENTENCE_KINDS
    )
    total = sum(r["kind"] in SENTENCE_KINDS for r in pairs)
    print(
        "  (each generator's own Zawgyi scores 100 % after normalise by construction: the corpus"
        "\n   keeps only spellings it reads back; compare converters on the other's Zawgyi.)"
    )
    print(f"  clean_burmese() end to end on Zawgyi sentences  {rate(ok, total)}")


def body(rows: list[dict], side: str) -> str:
    lines = [r[side] for r in rows if r["kind"] in SENTENCE_KINDS and r[side]]
    text = ""
    while len(text) < BODY_CHARS:
        text += "\n\n".join(lines) + "\n\n"
    return text[:BODY_CHARS]


def timed(function, text: str, repeat: int = 5) -> float:
    function(text)  # warm up: the detector and ICU load on first use
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(rows: list[dict]) -> None:
    zawgyi, unicode = body(rows, "zawgyi"), body(rows, "unicode")
    print(f"\nThroughput on a {len(zawgyi):,}-character body (median of 5)")
    checks = [
        ("detection only, Zawgyi body", zawgyi_probability, zawgyi),
        ("clean_burmese, Unicode body", clean_burmese, unicode),
        ("clean_burmese, Zawgyi body", clean_burmese, zawgyi),
    ]
    for converter in available_converters():
        checks.append(
            (
                f"conversion only, {converter}",
                lambda t, c=converter: zawgyi_to_unicode(t, converter=c),
                zawgyi,
            )
        )
    for label, function, text in checks:
        seconds = timed(function, text)
        print(f"  {label:34} {len(text) / seconds:>12,.0f} chars/s  ({seconds * 1000:.1f} ms)")


def main() -> None:
    rows = load()
    print(
        f"Corpus: {CORPUS.relative_to(ROOT)}, {len(rows)} rows; "
        f"converters available: {', '.join(available_converters())}\n"
    )
    detection(rows)
    conversion(rows)
    throughput(rows)


if __name__ == "__main__":
    main()

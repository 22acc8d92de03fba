"""Rebuild tests/data/burmese_corpus.jsonl from burmese_sentences.txt and myanmartools' data.

Run from the repository root:  python tests/data/build_burmese_corpus.py
How the corpus is made, and why, is in tests/data/burmese_corpus.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from importlib import metadata, resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run as a script from anywhere

from burmese.convert import unicode_to_zawgyi, zawgyi_to_unicode  # noqa: E402
from burmese.normalise import normalise  # noqa: E402

SENTENCES = HERE / "burmese_sentences.txt"
CORPUS = HERE / "burmese_corpus.jsonl"
GENERATORS = ("icu", "python-myanmar")

# In Zawgyi U+103A is the medial ya-pin, which only ever follows a consonant. Seeing it
# anywhere else means a Unicode asat leaked into the "Zawgyi" text.
_STRAY_YA_PIN = re.compile("(?<![\u1000-\u1021])\u103a")
# python-myanmar's unicode->zawgyi copies "့်" (dot below, Unicode asat) unchanged; Zawgyi
# shows that as a ya-pin. A Zawgyi typist types the dot and Zawgyi's asat, U+1039.
_PM_DOT_ASAT = re.compile("([\u1037\u1094\u1095])\u103a")

# Zawgyi fragments from myanmartools' compatibility.tsv (UDHR text typed in Zawgyi), with
# their Unicode written by hand. Fragments cut inside a syllable are left out.
MYANMARTOOLS_ZAWGYI = {
    "လူ႔အခြင့္ေရး": "လူ့အခွင့်ရေး",
    "မ်ားကို": "များကို",
    "အေရးမ": "အရေးမ",
    "ျပဳျခ": "ပြုခြ",
    "င္းသည္ လူခ": "င်းသည် လူခ",
    "သိမ္း": "သိမ်း",
    "ပ္": "ပ်",
    "က်င့္သိ": "ကျင့်သိ",
    "ကၡာကို ခ်ိဳးေဖာက္": "က္ခာကို ချိုးဖောက်",
    (  # typed with Zawgyi's asat before the dot below
        "ဖ်က္ဆီးတတ္သည\u1039\u1037 ရက္စက္ၾကမ္းၾကဳတ္ေသာ"
    ): "ဖျက်ဆီးတတ်သည့် ရက်စက်ကြမ်းကြုတ်သော",
    "အျပဳအမွု": "အပြုအမှု",
    "ခဲ့ေသာေၾကာင့္": "ခဲ့သောကြောင့်",
    "လည္းေကာင္း၊": "လည်းကောင်း၊",
    "ascii mixed with ဘဂၤလားေဒရွ္႕ zawgyi": "ascii mixed with ဘင်္ဂလားဒေရှ့် zawgyi",
}


def read_sentences() -> list[tuple[str, str]]:
    kind = "news"
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            kind = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            rows.append((kind, line))
    return rows


def zawgyi_variants(unicode: str) -> tuple[dict[str, str], list[str]]:
    """Plausible Zawgyi spellings of a Unicode text, keyed by the generators that made them."""
    variants: dict[str, list[str]] = {}
    rejected = []
    target = normalise(unicode)
    for generator in GENERATORS:
        zawgyi = unicode_to_zawgyi(unicode, converter=generator)
        if generator == "python-myanmar":
            zawgyi = _PM_DOT_ASAT.sub("\\1\u1039", zawgyi)
        # Plausible: valid-looking Zawgyi that its own generator reads back to the source.
        # (Only the generator's own reading is used, so neither converter under test gets
        # to pick the sentences it is then measured on.)
        own_reading = normalise(zawgyi_to_unicode(zawgyi, converter=generator))
        if _STRAY_YA_PIN.search(zawgyi) or own_reading != target:
            rejected.append(generator)
            continue
        variants.setdefault(zawgyi, []).append(generator)
    return {z: "+".join(g) for z, g in variants.items()}, rejected


def myanmartools_rows() -> list[dict]:
    """Rows from myanmartools' compatibility.tsv: its expected probability for each fragment.

    The file lists Unicode fragments, then Zawgyi fragments of the same UDHR text, then
    other languages written in Myanmar script (Unicode only).
    """
    text = resources.files("myanmartools.resources").joinpath("compatibility.tsv")
    reader = csv.reader(io.StringIO(text.read_text(encoding="utf-8")), delimiter="\t")
    source = f"myanmartools {metadata.version('myanmartools')} compatibility.tsv"
    rows = []
    in_zawgyi_half = False
    for probability, fragment in reader:
        p = float(probability)
        # -inf: no letter the model knows (digits only); JSON has no infinity, so null.
        row = {
            "probability": None if p == float("-inf") else p,
            "source": source,
            "zawgyi_by": None,
        }
        in_zawgyi_half = in_zawgyi_half or fragment == "လူ႔အခြင့္ေရး"
        if fragment.endswith("language)") or fragment.startswith("digits"):
            # Shan, Mon, Karen, Pali, Burmese digits: Unicode with no Zawgyi spelling.
            rows.append({**row, "kind": "myanmartools-other", "unicode": fragment, "zawgyi": None})
        elif fragment in MYANMARTOOLS_ZAWGYI:
            rows.append(
                {
                    **row,
                    "kind": "myanmartools-zawgyi",
                    "zawgyi": fragment,
                    "unicode": MYANMARTOOLS_ZAWGYI[fragment],
                    "zawgyi_by": "myanmartools",
                }
            )
        elif in_zawgyi_half:
            # Spelled the same in both encodings ("စား"): no conversion can be wrong. Other
            # Zawgyi fragments end in a vowel e cut from its consonant and are left out.
            same = normalise(zawgyi_to_unicode(fragment)) == fragment
            if same and not fragment.endswith("ေ"):
                rows.append(
                    {**row, "kind": "myanmartools-same", "unicode": fragment, "zawgyi": fragment}
                )
        elif p < 0.05:
            for zawgyi, by in zawgyi_variants(fragment)[0].items():
                rows.append(
                    {
                        **row,
                        "kind": "myanmartools-unicode",
                        "unicode": fragment,
                        "zawgyi": zawgyi,
                        "zawgyi_by": by,
                    }
                )
        else:
            # Unicode fragments the model is unsure about (cases for the refusal path), or
            # even wrong about ("၏လွ" scores 0.99): too short to judge.
            kind = "myanmartools-ambiguous" if p <= 0.95 else "myanmartools-misjudged"
            rows.append({**row, "kind": kind, "unicode": fragment, "zawgyi": None})
    return rows


def build() -> list[dict]:
    rows: list[dict] = []
    dropped = 0
    for kind, unicode in read_sentences():
        if kind == "english":
            rows.append({"kind": kind, "unicode": unicode, "zawgyi": unicode, "zawgyi_by": None})
            continue
        variants, rejected = zawgyi_variants(unicode)
        dropped += len(rejected)
        for zawgyi, by in variants.items():
            rows.append({"kind": kind, "unicode": unicode, "zawgyi": zawgyi, "zawgyi_by": by})
        if not variants:
            print(f"no plausible Zawgyi for: {unicode}", file=sys.stderr)
    for row in rows:
        row["source"] = "burmese_sentences.txt"
    rows.extend(myanmartools_rows())
    print(
        f"{len(rows)} rows; {dropped} generated Zawgyi variants dropped as implausible",
        file=sys.stderr,
    )
    return rows


def main() -> None:
    rows = build()
    with CORPUS.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()

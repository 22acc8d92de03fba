"""Zawgyi <-> Unicode converters: ICU's transliterator, or python-myanmar's rule tables.

Measured by bench/burmese_accuracy.py on tests/data/burmese_corpus.jsonl (exact match
after ``normalise``, which is how the app stores text):

    Zawgyi written by              ICU "Zawgyi-my"        python-myanmar 1.10.0
    python-myanmar (228 rows)      100.0 %                (its own: 100 % by construction)
    ICU (241 rows)                 (its own: 100 %)       81.3 %
    people, myanmartools (14)      100.0 %                100.0 %
    all 395 Zawgyi rows            100.0 %                88.6 %

(PyICU 2.17 on ICU 72.1.) So ICU is the default. python-myanmar remains the fallback for a
machine without PyICU; it misreads common Zawgyi typing such as "ရိွ" (vowel i typed
before medial ha) and emits U+103A before U+1037, which ``normalise`` repairs (without
``normalise`` it matches only 53.9 % of rows, ICU 99.0 %).
"""

from __future__ import annotations

import threading
from typing import Literal

from burmese import _icu

Converter = Literal["icu", "python-myanmar"]
CONVERTERS: tuple[Converter, ...] = ("icu", "python-myanmar")

# ICU documents Transliterator as unsafe to share between threads, so each thread builds
# its own (a few milliseconds, once per thread).
_local = threading.local()


def available_converters() -> tuple[Converter, ...]:
    """The converters this machine can run, best first."""
    return CONVERTERS if _icu.module() is not None else ("python-myanmar",)


def default_converter() -> Converter:
    """ICU when PyICU is installed (it measured more accurate), else python-myanmar."""
    return available_converters()[0]


def _transliterator(direction: str):
    cache = _local.__dict__.setdefault("transliterators", {})
    if direction not in cache:
        icu = _icu.module()
        if icu is None:
            raise RuntimeError("PyICU is not installed: use converter='python-myanmar'")
        cache[direction] = icu.Transliterator.createInstance(direction)
    return cache[direction]


def zawgyi_to_unicode(text: str, *, converter: Converter | None = None) -> str:
    """Convert Zawgyi-encoded text to Myanmar Unicode (not yet ``normalise``d).

    Characters outside the Myanmar block, Latin text and zero-width spaces pass through.
    """
    converter = converter or default_converter()
    if converter == "icu":
        return _transliterator("Zawgyi-my").transliterate(text)
    if converter == "python-myanmar":
        from myanmar import converter as pm

        return pm.convert(text, "zawgyi", "unicode")
    raise ValueError(f"unknown converter {converter!r}; expected one of {CONVERTERS}")


def unicode_to_zawgyi(text: str, *, converter: Converter | None = None) -> str:
    """Convert Myanmar Unicode to Zawgyi: for building test data, never for storage."""
    converter = converter or default_converter()
    if converter == "icu":
        return _transliterator("my-Zawgyi").transliterate(text)
    if converter == "python-myanmar":
        from myanmar import converter as pm

        return pm.convert(text, "unicode", "zawgyi")
    raise ValueError(f"unknown converter {converter!r}; expected one of {CONVERTERS}")

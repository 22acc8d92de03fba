"""Syllable splitting, syllable-safe truncation and Burmese sort order."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from burmese import _icu, sort_key, syllables, truncate

CORPUS = Path(__file__).resolve().parents[1] / "data" / "burmese_corpus.jsonl"
TEXTS = sorted({json.loads(line)["unicode"] for line in CORPUS.open(encoding="utf-8")})
NEEDS_ICU = pytest.mark.skipif(_icu.module() is None, reason="PyICU is not installed")


@pytest.fixture(params=["icu", "fallback"])
def engine(request, monkeypatch):
    """Run a test with ICU's BreakIterator and again with the regex fallback."""
    if request.param == "icu" and _icu.module() is None:
        pytest.skip("PyICU is not installed")
    if request.param == "fallback":
        monkeypatch.setattr(_icu, "module", lambda: None)
    return request.param


def cut_is_safe(text: str, cut: int) -> bool:
    """The Burmese syllable rule, stated independently of ``syllables``."""
    if cut in (0, len(text)):
        return True
    before, after = text[cut - 1], text[cut]
    if unicodedata.category(after) in ("Mn", "Mc"):
        return False  # would orphan a vowel sign, medial, tone mark or asat
    if before == "\u1039":
        return False  # inside a stack: the next consonant sits under this one
    if "\u1000" <= after <= "\u1021" and text[cut + 1 : cut + 2] in ("\u103a", "\u1039"):
        return False  # the consonant carries asat/virama: it closes the previous syllable
    if text[cut + 1 : cut + 3] == "\u1037\u103a":
        return False
    return not (before.isdigit() and after.isdigit())


def test_syllables_break_myanmar_after_the_killed_consonant(engine):
    assert syllables("မြန်မာ") == ["မြန်", "မာ"]


def test_stacks_kinzi_and_killed_consonants_stay_in_one_syllable(engine):
    assert syllables("သင်္ကြန် ဒုက္ခ ဆယ့် ၎င်း ၂၀၂၄") == [
        "သင်္ကြန်",
        " ",
        "ဒုက္ခ",
        " ",
        "ဆယ့်",
        " ",
        "၎င်း",
        " ",
        "၂၀၂၄",
    ]


def test_syllables_rejoin_to_the_text(engine):
    for text in TEXTS:
        parts = syllables(text)
        assert "".join(parts) == text
        assert all(parts)


def test_icu_and_fallback_agree_on_the_corpus(monkeypatch):
    if _icu.module() is None:
        pytest.skip("PyICU is not installed")
    with_icu = [syllables(text) for text in TEXTS]
    monkeypatch.setattr(_icu, "module", lambda: None)
    assert [syllables(text) for text in TEXTS] == with_icu


def test_truncate_never_cuts_a_syllable(engine):
    for text in TEXTS:
        for limit in range(1, len(text) + 2):
            short = truncate(text, limit)
            assert len(short) <= limit
            if short == text:
                continue
            assert short.endswith("…")
            kept = short[:-1]
            assert text.startswith(kept)
            assert cut_is_safe(text, len(kept)), (text, limit, short)


def test_truncate_of_a_long_body_looks_only_at_its_start(engine):
    body = " ".join(TEXTS) * 3
    for limit in range(1, 400, 7):
        kept = truncate(body, limit)[:-1]
        assert body.startswith(kept) and cut_is_safe(body, len(kept))
    # A cluster longer than the look-ahead window is still never split.
    odd = "က" + "\u103d" * 100 + " ab"
    assert truncate(odd, 50) == "…"


def test_truncate_keeps_short_text_and_counts_the_ellipsis():
    assert truncate("မြန်မာ", 6) == "မြန်မာ"
    assert truncate("မြန်မာနိုင်ငံ", 8) == "မြန်မာ…"
    assert truncate("မြန်မာနိုင်ငံ", 8, ellipsis="...") == "မြန်..."
    assert truncate("မြန်မာနိုင်ငံ", 3) == "…"  # no whole syllable fits
    assert truncate("anything", 0) == ""


def test_truncate_prefers_a_word_boundary():
    assert truncate("The junta has detained more than 20,000 people", 20) == "The junta has…"
    assert truncate("ဒုက္ခသည် ၁၂၀,၀၀၀ ကျော်", 13) == "ဒုက္ခသည်…"


def test_truncate_never_splits_a_number():
    assert truncate("ကလေး ၁၂၀၀၀", 9) == "ကလေး…"


def test_truncate_handles_characters_outside_the_bmp(engine):
    text = "😀 မြန်မာ 😀 နိုင်ငံ"
    for limit in range(1, len(text) + 1):
        short = truncate(text, limit)
        assert len(short) <= limit
        assert cut_is_safe(text, len(short.rstrip("…")))


def test_truncate_rejects_a_negative_limit():
    with pytest.raises(ValueError):
        truncate("x", -1)


NAMES = [  # in Burmese dictionary order
    "ကိုကိုအောင်",
    "ကျော်ဇော",
    "ကြည်ကြည်",
    "ခင်မာလာ",
    "ဇော်မင်းထွန်း",
    "ဒေါ်ခင်ကြည်",
    "နန်းခမ်းနွံ",
    "မောင်မောင်ဦး",
    "ဦးသိန်းစိန်",  # ဦ sorts as အူ, before အော
    "အောင်ဆန်းစုကြည်",
]


@NEEDS_ICU
def test_sort_key_orders_burmese_names():
    assert sorted(reversed(NAMES), key=sort_key) == NAMES


@NEEDS_ICU
def test_sort_key_puts_burmese_before_latin_and_ignores_latin_case():
    mixed = ["zeta", "Aung San", "မြန်မာ", "apple", "ကချင်"]
    assert sorted(mixed, key=sort_key) == ["ကချင်", "မြန်မာ", "apple", "Aung San", "zeta"]


@NEEDS_ICU
def test_sort_key_ignores_typing_order_differences():
    assert sort_key("ကျွန်တော\u103a\u1037") == sort_key("ကျွန်တော့်")


def test_fallback_sort_key_orders_consonants_and_groups_scripts(monkeypatch):
    monkeypatch.setattr(_icu, "module", lambda: None)
    by_consonant = [n for n in NAMES if "\u1000" <= n[0] <= "\u1021"]
    assert sorted(reversed(by_consonant), key=sort_key) == by_consonant
    mixed = ["zeta", "Aung San", "မြန်မာ", "apple", "ကချင်"]
    assert sorted(mixed, key=sort_key) == ["ကချင်", "မြန်မာ", "apple", "Aung San", "zeta"]
    assert isinstance(sort_key("x"), bytes)

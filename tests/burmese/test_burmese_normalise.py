"""Canonical storage form and search form of Burmese text."""

from __future__ import annotations

import unicodedata

from burmese import normalise, search_text

ZWSP = "\u200b"


def test_dot_below_and_asat_order_is_canonical():
    # "ကျွန်တော့်" typed with asat U+103A before dot below U+1037, as python-myanmar emits it.
    typed = "ကျွန်တော\u103a\u1037"
    assert normalise(typed) == "ကျွန်တော\u1037\u103a"
    assert normalise("ကျွန်တော\u1037\u103a") == "ကျွန်တော\u1037\u103a"


def test_dot_below_typed_before_a_vowel_moves_after_it():
    assert normalise("က\u1031\u1037\u102c") == "ကော့"  # "ကော့" with the dot typed early


def test_zawgyi_era_typing_orders_are_made_canonical():
    assert normalise("ဆ\u1036\u102fး") == "ဆုံး"  # anusvara before u
    assert normalise("က\u102f\u102d") == "ကို"  # u before i
    assert normalise("ရ\u103e\u103d\u1031") == "ရွှေ"  # ha before wa
    assert normalise("ရ\u103a\u103e") == "ရှ်"  # asat before medial ha


def test_legitimate_asat_before_vowel_is_kept():
    # "ကျွန်ုပ်" really is asat then vowel u: a blanket mark sort would break it.
    assert normalise("ကျွန်ုပ်") == "ကျွန်ုပ်"


def test_normalise_is_nfc_and_idempotent():
    decomposed = "Cafe\u0301 မြန်မာ"
    once = normalise(decomposed)
    assert once == unicodedata.normalize("NFC", once) == "Café မြန်မာ"
    assert normalise(once) == once


def test_stored_text_keeps_zero_width_space():
    assert normalise(f"မြန်မာ{ZWSP}နိုင်ငံ") == f"မြန်မာ{ZWSP}နိုင်ငံ"


def test_search_text_removes_zero_width_characters():
    text = f"\ufeffမြန်မာ{ZWSP}နိုင်ငံ\u200c\u200d"
    assert search_text(text) == "မြန်မာနိုင်ငံ"


def test_search_text_casefolds_latin_and_collapses_whitespace():
    assert search_text("  ASEAN  \n Junta\tမြန်မာ  ") == "asean junta မြန်မာ"


def test_search_text_matches_differently_typed_forms():
    assert search_text("ကျွန်တော\u103a\u1037") == search_text("ကျွန်တော့်")

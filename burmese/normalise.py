"""Canonical storage form of Myanmar Unicode text, and the flattened form used for search.

Several mark orders render identically in a Myanmar Unicode font but compare unequal, so
the same word typed twice may not match in search or in a uniqueness check. ``normalise``
puts them in the storage order of Unicode Technical Note #11 (consonant, medials, vowels,
anusvara, dot below, asat, visarga). Only adjacent pairs known to be swapped by typists
and converters are reordered: a general sort of marks would break legitimate sequences such
as ``ကျွန်ုပ်`` (asat then vowel u).
"""

from __future__ import annotations

import re
import unicodedata

DOT_BELOW = "\u1037"
ASAT = "\u103a"

# Pairs typed or converted in the wrong order, with their canonical order.
_SWAPS: dict[str, str] = {
    # Asat before dot below: python-myanmar's converter emits this; U+1037 goes first.
    ASAT + DOT_BELOW: DOT_BELOW + ASAT,
    # Anusvara before vowel u: the Zawgyi typing habit "ံု"; Unicode stores "ုံ".
    "\u1036\u102f": "\u102f\u1036",
    # Vowel u before vowel i: "ကုိ" for "ကို", another Zawgyi-era habit.
    "\u102f\u102d": "\u102d\u102f",
    # Medial ha before medial wa: "ရှွေ" for "ရွှေ".
    "\u103e\u103d": "\u103d\u103e",
}
_SWAP_RE = re.compile("|".join(map(re.escape, _SWAPS)))
# Dot below typed before a vowel sign or anusvara ("ကော့" typed as U+1000 U+1031 U+1037
# U+102C): in storage order the dot follows every vowel sign of its syllable.
_EARLY_DOT_RE = re.compile(DOT_BELOW + "([\u102b-\u1032\u1036]+)")
# Asat before a medial ("ရ်ှ" for "ရှ်", as ICU 72's Zawgyi-my writes it): a medial belongs
# to the consonant, so it comes before the asat that kills that consonant.
_EARLY_ASAT_RE = re.compile(ASAT + "([\u103b-\u103e]+)")

# Invisible characters dropped from search text. U+200B (zero-width space) is a legitimate
# word-break hint in stored Burmese, so ``normalise`` keeps it; search must not depend on it.
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE_RE = re.compile(r"\s+")
_MYANMAR_RE = re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]")


def normalise(text: str) -> str:
    """NFC plus the canonical Myanmar mark order; zero-width characters are kept."""
    text = unicodedata.normalize("NFC", text)
    if not _MYANMAR_RE.search(text):
        return text
    # A fix can expose another (a dot moved past a vowel may now meet an asat), so repeat
    # until stable; each pass only moves marks towards their final place, so this ends.
    for _ in range(8):
        fixed = _EARLY_DOT_RE.sub(lambda m: m.group(1) + DOT_BELOW, text)
        fixed = _EARLY_ASAT_RE.sub(lambda m: m.group(1) + ASAT, fixed)
        fixed = _SWAP_RE.sub(lambda m: _SWAPS[m.group(0)], fixed)
        if fixed == text:
            break
        text = fixed
    return text


def search_text(text: str) -> str:
    """Text for a search index: normalised, no zero-width characters, casefolded, one-spaced.

    Casefolding leaves Myanmar letters alone (the script has no case) and folds Latin ones.
    """
    text = _ZERO_WIDTH_RE.sub("", normalise(text))
    return _WHITESPACE_RE.sub(" ", text.casefold()).strip()

"""Syllable-safe truncation, syllable splitting and Burmese dictionary-order sort keys.

Cutting Burmese at an arbitrary code point leaves a dangling mark or a consonant whose
asat is on the other side of the cut: "မြန်မာ" cut after "မြန" reads as a different word.
Cuts here fall only between syllables, built on grapheme clusters (ICU's BreakIterator
when PyICU is installed, else the ``regex`` module's ``\\X``). Grapheme clusters alone are
not enough for Burmese: Unicode lets a cluster break before vowel sign aa (U+102C) and
visarga (U+1038), and a killed consonant ("န်") or a stacked one ("္က") is its own cluster
although it belongs to the syllable before it. So clusters are merged into syllables:

* a cluster starting with a combining mark joins the previous one ("မ" + "ာ");
* a consonant carrying asat U+103A or virama U+1039 joins the previous syllable
  ("မြ" + "န်" = "မြန်", "ဆ" + "ယ့်" = "ဆယ့်"; kinzi "င်္" too);
* a consonant after a virama joins it (the stacked consonant of "ဒုက္ခ");
* runs of digits stay whole, so a number is never cut.

"မြန်မာ" thus splits as "မြန်|မာ".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

from burmese import _icu
from burmese.normalise import normalise

ASAT = "\u103a"
DOT_BELOW = "\u1037"
VIRAMA = "\u1039"
_MYANMAR_RE = re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]")
# Letters that can start a syllable and take asat: က..အ, great sa, and the Pali, Mon,
# Shan, Karen and extended-block consonants.
_CONSONANT_RE = re.compile(
    "[\u1000-\u1021\u103f\u1050-\u1055\u105a-\u105d\u1061\u1065\u1066\u106e-\u1070"
    "\u1075-\u1081\u108e\ua9e0-\ua9e4\ua9e7-\ua9ef\ua9fa-\ua9fe\uaa60-\uaa6f"
    "\uaa71-\uaa76\uaa7a\uaa7e\uaa7f]"
)
# What makes a consonant the end of the previous syllable: asat (killed), virama (stacked
# under the next one, or kinzi "င်္"), or dot below then asat ("ဆယ့်").
_KILLERS = (ASAT, VIRAMA, DOT_BELOW + ASAT)
# How much may be given up to end on a space rather than mid-word: a quarter of the
# budget, and at least a short word's length so small limits still end on words.
_WORD_SLACK_SHARE = 4
_WORD_SLACK_MIN = 10

# Characters looked at past the budget when truncating: more than any real syllable.
_LOOKAHEAD = 64

_local = threading.local()


def _is_myanmar(char: str) -> bool:
    return bool(_MYANMAR_RE.match(char))


def _graphemes(text: str) -> Iterator[str]:
    icu = _icu.module()
    if icu is None:
        import regex

        yield from regex.findall(r"\X", text)
        return
    # A BreakIterator holds the text it walks, so it cannot be shared: one per call.
    iterator = icu.BreakIterator.createCharacterInstance(icu.Locale.getRoot())
    iterator.setText(text)
    table = _icu.utf16_to_index(text)
    start = 0
    for boundary in iterator:
        end = table[boundary] if table else boundary
        if end > start:
            yield text[start:end]
            start = end


def _joins_previous(cluster: str, previous: str) -> bool:
    first = cluster[0]
    if unicodedata.category(first) in ("Mn", "Mc") and _is_myanmar(first):
        return True
    if first.isdigit() and previous[-1].isdigit():
        return True
    if not _is_myanmar(previous[-1]):
        return False
    if previous[-1] == VIRAMA:
        return True
    return bool(_CONSONANT_RE.match(first)) and cluster[1:].startswith(_KILLERS)


def syllables(text: str) -> list[str]:
    """Split into Burmese syllables; any other grapheme cluster is a unit of its own.

    ``"".join(syllables(text)) == text`` always holds.
    """
    units: list[str] = []
    for cluster in _graphemes(text):
        if units and _joins_previous(cluster, units[-1]):
            units[-1] += cluster
        else:
            units.append(cluster)
    return units


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Shorten to at most ``limit`` characters, ellipsis included, cutting between syllables.

    Prefers to end at a space when that loses little; never cuts inside a syllable or a
    grapheme cluster, even if that makes the result much shorter than ``limit``.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if len(text) <= limit:
        return text
    budget = limit - len(ellipsis)
    if budget <= 0:
        return ellipsis[:limit]
    # Only the start of the text matters. Syllables of a prefix are those of the whole text
    # except the last one, which may be cut short: if that one starts within the budget
    # (an absurdly long cluster), fall back to splitting the whole text.
    window = text[: budget + _LOOKAHEAD]
    units = syllables(window)
    if window != text and len(window) - len(units[-1]) <= budget:
        units = syllables(text)
    cut = 0
    space_cut = 0
    for unit in units:
        if cut + len(unit) > budget:
            break
        cut += len(unit)
        if unit.isspace():
            space_cut = cut
    if space_cut and cut - space_cut <= max(_WORD_SLACK_MIN, budget // _WORD_SLACK_SHARE):
        cut = space_cut
    return text[:cut].rstrip() + ellipsis


def _get_collator():
    # One collator per thread: ICU's guide does not promise that a Collator may be shared.
    collator = getattr(_local, "collator", None)
    if collator is None:
        icu = _icu.module()
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("my"))
    return collator


def _fallback_key(text: str) -> bytes:
    # Code point order of the normalised text, Myanmar script first (as ICU's "my" does).
    # Myanmar code points are roughly in dictionary order for consonants, not for vowels.
    key = bytearray()
    for char in normalise(text).casefold():
        value = ord(char) | (0 if _is_myanmar(char) else 1 << 21)
        key += value.to_bytes(3, "big")
    return bytes(key)


def sort_key(text: str) -> bytes:
    """A key for ``sorted(..., key=sort_key)`` in Burmese dictionary order.

    ICU's collation for locale "my" when PyICU is installed: Burmese before Latin, Latin
    case-insensitive. Without ICU, a code point order that keeps Burmese before Latin.
    Keys from the two are not comparable with each other: do not store them.
    """
    if _icu.module() is None:
        return _fallback_key(text)
    return bytes(_get_collator().getSortKey(normalise(text)))

"""The Burmese catalogue is whole: every entry translated, none fuzzy, placeholders kept,
Unicode (never Zawgyi), and the compiled .mo matches the .po it was compiled from.

Rebuild after adding strings (README, "Translations"):
    python manage.py makemessages -l my --ignore=.venv --ignore=tests --ignore=bench
    (translate every new or fuzzy entry)
    python manage.py compilemessages -l my --ignore=.venv
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from burmese import ZAWGYI_ABOVE, unicode_to_zawgyi, zawgyi_probability

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "my" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
MYANMAR = "[\u1000-\u109f]"
# Zawgyi types the vowel sign E (U+1031) and its medial RA (U+103B) before the consonant,
# and draws stacked consonants with code points Unicode gives to other languages' letters.
ZAWGYI_MARKS = re.compile("(?:^|[^\u1000-\u109f])[\u1031\u103b]|[\u1060-\u1097]")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _name(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    untranslated = [_name(e) for e in po.untranslated_entries()]
    fuzzy = [_name(e) for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert not po.metadata_is_fuzzy
    assert len(_live(po)) > 300  # the desk's strings are in it, not only the public site's


def test_placeholders_are_kept_exactly(po):
    wrong = []
    for entry in _live(po):
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            wanted |= set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in _translations(entry):
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((_name(entry), text))
    assert not wrong, wrong


def _looks_like_zawgyi(text: str) -> bool:
    # The detector is unsure on a word or two, so short texts are judged by their marks.
    if len(re.findall(MYANMAR, text)) >= 30 and zawgyi_probability(text) >= ZAWGYI_ABOVE:
        return True
    return bool(ZAWGYI_MARKS.search(text))


def test_the_zawgyi_check_would_catch_a_zawgyi_entry():
    assert _looks_like_zawgyi(unicode_to_zawgyi("သင့်စိစစ်မှုကို စောင့်နေသည့်အရာ မရှိပါ။"))
    assert _looks_like_zawgyi(unicode_to_zawgyi("မြန်မာ"))
    assert not _looks_like_zawgyi("ဘာသာစကား") and not _looks_like_zawgyi("မြန်မာ")


def test_translations_are_burmese_unicode_never_zawgyi(po):
    zawgyi = [
        (_name(e), text) for e in _live(po) for text in _translations(e) if _looks_like_zawgyi(text)
    ]
    assert not zawgyi, zawgyi


def test_the_compiled_catalogue_matches_the_po(po):
    mo_path = CATALOGUE / "django.mo"
    assert mo_path.exists(), "run: python manage.py compilemessages -l my"
    compiled = {}
    for entry in polib.mofile(str(mo_path)):
        if entry.msgid:
            compiled[(entry.msgctxt, entry.msgid)] = _translations(entry)
    source = {(e.msgctxt, e.msgid): _translations(e) for e in _live(po) if e.translated()}
    stale = sorted(
        str(key) for key in set(source) | set(compiled) if source.get(key) != compiled.get(key)
    )
    assert not stale, f"django.mo is out of date (compilemessages): {stale[:10]}"

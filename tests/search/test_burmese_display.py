"""Burmese names and titles sort by syllable and truncate without breaking one."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from burmese import syllables
from burmese.text import sorted_by_text
from desk.forms import StatementForm
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

TITLE = "မြန်မာနိုင်ငံ စစ်ကောင်စီသည် ယနေ့ ရန်ကုန်မြို့တွင် ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်"


def _render(source: str, **context) -> str:
    return Template("{% load burmese_text %}" + source).render(Context(context))


@pytest.mark.parametrize("limit", range(3, len(TITLE) + 2))
def test_truncate_burmese_filter_never_cuts_a_syllable(limit):
    shown = _render("{{ t|truncate_burmese:n }}", t=TITLE, n=limit)
    assert len(shown) <= limit
    kept = shown.removesuffix("…")
    assert TITLE.startswith(kept)
    assert syllables(TITLE)[: len(syllables(kept))] == syllables(kept)


def test_truncate_burmese_leaves_short_text_and_escapes_html():
    assert _render("{{ t|truncate_burmese:80 }}", t="မြန်မာ") == "မြန်မာ"
    assert _render("{{ t|truncate_burmese:80 }}", t="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_truncatechars_would_have_cut_a_syllable_where_the_filter_does_not():
    # The reason for the filter: truncatechars leaves "မြန်မာန", a consonant whose asat
    # ("နိုင်") is on the other side of the cut.
    title = "မြန်မာနိုင်ငံ စစ်ကောင်စီ"
    assert _render("{{ t|truncatechars:7 }}", t=title) == "မြန်မာန…"
    assert _render("{{ t|truncate_burmese:7 }}", t=title) == "မြန်မာ…"


def test_sorted_by_text_uses_burmese_dictionary_order():
    # Code point order puts "ဗ" (U+1017) after "ပ" (U+1015) correctly but "အ" (U+1021) last
    # and a vowel-sign word before its base; the collation orders by syllables.
    names = ["မြန်မာ", "ကချင်", "ရှမ်း", "ကရင်", "Australia", "asean"]
    ordered = sorted_by_text(names)
    assert ordered.index("ကချင်") < ordered.index("ကရင်") < ordered.index("မြန်မာ")
    assert ordered.index("မြန်မာ") < ordered.index("ရှမ်း")
    # Burmese before Latin; Latin case-insensitively.
    assert ordered[-2:] == ["asean", "Australia"]


def test_sort_burmese_filter_sorts_objects_by_an_attribute():
    class Named:
        def __init__(self, name):
            self.name = name

    items = [Named("ရှမ်း"), Named("ကရင်"), Named("ကချင်")]
    assert (
        _render("{% for i in items|sort_burmese:'name' %}{{ i.name }} {% endfor %}", items=items)
        == "ကချင် ကရင် ရှမ်း "
    )


def test_desk_campaign_choices_are_sorted_by_name():
    CampaignFactory(slug="z-first-by-name", name={"en": "Accountability"})
    CampaignFactory(slug="a-last-by-name", name={"en": "Women's rights"})
    CampaignFactory(slug="m-middle", name={"en": "ASEAN complicity"})
    labels = [label for _, label in StatementForm(creating=True).fields["campaign"].choices][1:]
    assert labels == ["Accountability", "ASEAN complicity", "Women's rights"]


def test_a_long_burmese_only_ask_is_shown_cut_between_syllables():
    from tests.factories import AskFactory

    text = (TITLE + " ") * 3
    ask = AskFactory(text={"my": text})
    shown = str(ask)
    assert len(shown) <= 80 and shown.endswith("…")
    kept = shown.removesuffix("…")
    assert syllables(text)[: len(syllables(kept))] == syllables(kept)

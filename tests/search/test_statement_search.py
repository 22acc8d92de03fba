"""Search across both languages: statements/search.py, on SQLite and (marked) PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from burmese import clean_burmese
from statements import workflow
from statements.models import Statement, StatementTranslation
from statements.search import build_search_text, refresh_search_text, search_statements
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

# "Myanmar" is inside the unsegmented Burmese for "Myanmar country"; Burmese writes no spaces
# between words, so a word is only ever found as a substring.
MY_TITLE = "မြန်မာနိုင်ငံ စစ်ကောင်စီသည် ယနေ့ ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်"
MY_WORD = "စစ်ကောင်စီ"  # "military council", inside "စစ်ကောင်စီသည်"
ZAWGYI_MY_WORD_QUERY = "ျမန္မာ"  # "မြန်မာ" typed in Zawgyi


def _statement(
    slug: str,
    *,
    en_title: str = "",
    my_title: str = "",
    en_body: str = "",
    my_body: str = "",
    published_days_ago: int | None = None,
) -> Statement:
    campaign = CampaignFactory(slug="search-campaign")
    published_at = None
    state = Statement.State.DRAFT
    if published_days_ago is not None:
        state = Statement.State.PUBLISHED
        published_at = timezone.now() - datetime.timedelta(days=published_days_ago)
    statement = Statement.objects.create(
        campaign=campaign, slug=slug, state=state, published_at=published_at
    )
    if en_title or en_body:
        StatementTranslation.objects.create(
            statement=statement,
            language="en",
            title=en_title,
            summary="Summary.",
            body=en_body or "Body.",
        )
    if my_title or my_body:
        StatementTranslation.objects.create(
            statement=statement,
            language="my",
            title=my_title,
            summary="အကျဉ်း",
            body=my_body or "စာကိုယ်",
        )
    refresh_search_text(statement)
    return statement


def _slugs(q: str, queryset=None) -> list[str]:
    queryset = Statement.objects.all() if queryset is None else queryset
    return list(search_statements(queryset, q).values_list("slug", flat=True))


def test_english_word_found_regardless_of_case():
    _statement("asean-one", en_title="ASEAN must stop legitimising the junta")
    _statement("other", en_title="Nothing to see")
    assert _slugs("asean") == ["asean-one"]
    assert _slugs("Legitimising") == ["asean-one"]
    assert _slugs("JUNTA asean") == ["asean-one"]


def test_every_term_must_match():
    _statement("both", en_title="ASEAN and the junta")
    _statement("one", en_title="ASEAN alone")
    assert _slugs("asean junta") == ["both"]


def test_burmese_word_found_inside_unsegmented_text():
    _statement("burmese", en_title="English title", my_title=MY_TITLE)
    _statement("unrelated", my_title="ရန်ကုန်မြို့ အစီရင်ခံစာ")
    assert _slugs(MY_WORD) == ["burmese"]
    assert _slugs("မြန်မာ") == ["burmese"]


def test_burmese_word_found_in_the_body_of_another_language_row():
    _statement("in-body", en_title="Title", my_body=f"ပထမ စာပိုဒ်။ {MY_TITLE}")
    assert _slugs(MY_WORD) == ["in-body"]


def test_zero_width_characters_in_stored_text_do_not_break_matching():
    # A zero-width space between the syllables of the word, and a BOM and ZWJ elsewhere:
    # the stored text keeps them (they are legitimate hints), the search text does not.
    with_zw = "မြန်\u200bမာ\u200dနိုင်ငံ \ufeffစစ်\u200cကောင်စီသည်"
    _statement("zero-width", my_title=with_zw)
    assert StatementTranslation.objects.get(statement__slug="zero-width").title == with_zw
    assert _slugs("မြန်မာ") == ["zero-width"]
    assert _slugs(MY_WORD) == ["zero-width"]
    # And a query carrying a zero-width space finds text without one.
    _statement("plain", my_title="ရန်ကုန်မြို့")
    assert _slugs("ရန်\u200bကုန်") == ["plain"]


def test_zawgyi_query_finds_unicode_text():
    _statement("unicode", my_title=MY_TITLE)
    assert clean_burmese(ZAWGYI_MY_WORD_QUERY, confirm=True).text == "မြန်မာ"
    assert _slugs(ZAWGYI_MY_WORD_QUERY) == ["unicode"]


def test_mark_order_typed_differently_still_matches():
    # Dot below and asat typed in the other order ("ဆယ့်" vs "ဆယ့််" habits) are normalised.
    _statement("marks", my_title="ငါးဆယ့်နှစ်")
    assert _slugs("ဆယ်\u1037") == ["marks"]


def test_slug_and_quotes_are_searched():
    statement = _statement("kyaukphyu-port-deal", en_title="A deal")
    StatementTranslation.objects.filter(statement=statement).update(
        quotes=[{"speaker": "Yadanar Maung", "text": "Stop the flow of arms."}]
    )
    refresh_search_text(statement)
    assert _slugs("kyaukphyu") == ["kyaukphyu-port-deal"]
    assert _slugs("flow of arms") == ["kyaukphyu-port-deal"]
    assert _slugs("yadanar") == ["kyaukphyu-port-deal"]


def test_empty_query_returns_the_queryset_unchanged():
    _statement("a", en_title="A")
    queryset = Statement.objects.all()
    assert search_statements(queryset, "  \u200b ") is queryset


def test_like_wildcards_in_the_query_are_literal():
    _statement("pct", en_title="Up 50% in a year")
    _statement("other", en_title="Up 500 in a year")
    assert _slugs("50%") == ["pct"]
    assert _slugs("_") == []


def test_ranking_title_match_first_then_newest():
    # A title match before a body match, then the newest publication, unpublished last. On
    # PostgreSQL the trigram word similarity comes first: every text here holds the word
    # whole (similarity 1), so the order is the same.
    _statement(
        "body-only-new",
        en_title="Regional news",
        en_body="The junta bombed villages.",
        published_days_ago=1,
    )
    _statement("title-old", en_title="Junta bombs villages", published_days_ago=30)
    _statement("title-new", en_title="Junta bombs villages", published_days_ago=2)
    _statement("title-draft", en_title="Junta bombs villages")
    assert _slugs("junta") == ["title-new", "title-old", "title-draft", "body-only-new"]


def test_workflow_writes_keep_search_text_current(make_staff):
    author = make_staff("author")
    CampaignFactory(slug="c")
    statement, _ = workflow.statement_create(
        by=author,
        campaign="c",
        slug="kept-slug",
        translations={"en": {"title": "First title", "summary": "S", "body": "B"}},
    )
    assert _slugs("first") == [statement.slug]
    workflow.statement_edit(
        statement_id=statement.pk,
        by=author,
        translations={
            "en": {"title": "Second title", "summary": "S", "body": "B"},
            "my": {"title": MY_TITLE, "summary": "အကျဉ်း", "body": "စာကိုယ်"},
        },
    )
    assert _slugs("first") == []
    assert _slugs("second") == [statement.slug]
    assert _slugs(MY_WORD) == [statement.slug]


def test_a_zawgyi_paste_is_stored_and_searched_as_unicode(make_staff):
    author = make_staff("author")
    CampaignFactory(slug="c")
    zawgyi = "ျမန္မာႏိုင္ငံ လူ႔အခြင့္အေရး"
    statement, notices = workflow.statement_create(
        by=author,
        campaign="c",
        translations={
            "en": {"title": "T", "summary": "S", "body": "B"},
            "my": {"title": zawgyi, "summary": "အကျဉ်း", "body": "စာကိုယ်"},
        },
    )
    assert notices
    assert _slugs("မြန်မာနိုင်ငံ") == [statement.slug]
    assert _slugs("လူ့အခွင့်အရေး") == [statement.slug]


def test_build_search_text_puts_titles_on_the_first_line():
    class Row:
        def __init__(self, language, title):
            self.language, self.title, self.summary, self.body = language, title, "Sum", "Body"
            self.quotes = []

    text = build_search_text(slug="a-b", translations=[Row("my", "မြန်မာ"), Row("en", "Hello")])
    assert text.split("\n")[0] == "hello / မြန်မာ"
    assert "a-b" in text.split("\n")[1:]

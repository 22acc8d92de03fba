"""The order search relies on to answer a common word fast (statements/search.py), on SQLite and
PostgreSQL: title matches first (the newest TITLE_WINDOW of them ranked by similarity on
PostgreSQL), then the other title matches and every other match newest first; any page equals
the same rows of the whole ordered list, whichever way (walk or index) the page was found; the
count stops at COUNT_CAP; the public search never counts text the public cannot read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from publishing.visibility import public_statements, search_filter
from statements import search
from statements.models import Statement, StatementTranslation
from statements.search import refresh_search_text, search_statements
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of a few rows, so a dozen statements take every path a large corpus takes."""
    monkeypatch.setattr(search, "TITLE_WINDOW", 3)
    monkeypatch.setattr(search, "TITLE_WALK_ROWS", 4)
    monkeypatch.setattr(search, "WALK_ROWS", 4)
    monkeypatch.setattr(search, "WALK_PROBE", 2)


def _statement(slug, *, title, body="Body.", days_ago=None, my_title="", complete=True):
    campaign = CampaignFactory(slug="speed")
    state, published_at = Statement.State.DRAFT, None
    if days_ago is not None:
        state = Statement.State.PUBLISHED
        published_at = timezone.now() - datetime.timedelta(days=days_ago)
    statement = Statement.objects.create(
        campaign=campaign,
        slug=slug,
        state=state,
        published_at=published_at,
        required_languages=["en"],
    )
    StatementTranslation.objects.create(
        statement=statement, language="en", title=title, summary="Summary.", body=body
    )
    if my_title:
        StatementTranslation.objects.create(
            statement=statement,
            language="my",
            title=my_title,
            summary="အကျဉ်း",
            body="စာကိုယ်",
            marked_complete=complete,
        )
    refresh_search_text(statement)
    return statement


def _slugs(queryset) -> list[str]:
    return [s.slug for s in queryset]


def _corpus():
    # Titles with "junta" at several ages, body-only matches at several ages, a draft.
    for i in range(6):
        _statement(f"title-{i}", title=f"Junta report {i}", days_ago=10 + i * 3)
    for i in range(6):
        _statement(f"body-{i}", title=f"Regional news {i}", body="The junta bombed.", days_ago=i)
    _statement("title-draft", title="Junta draft")
    _statement("unrelated", title="Nothing here", days_ago=1)


def test_title_matches_first_then_other_matches_newest_first(small_windows):
    _corpus()
    found = _slugs(search_statements(Statement.objects.all(), "junta"))
    titles = [s for s in found if s.startswith("title-")]
    assert found[: len(titles)] == titles  # every title match before any other
    # Every title holds the word whole (same similarity): newest first, unpublished last.
    assert titles == [f"title-{i}" for i in range(6)] + ["title-draft"]
    assert found[len(titles) :] == [f"body-{i}" for i in range(6)]
    assert "unrelated" not in found


@pytest.mark.parametrize("size", [1, 2, 3, 5, 20])
def test_any_page_is_the_same_rows_as_the_whole_list(small_windows, size):
    _corpus()
    queryset = search_statements(Statement.objects.all(), "junta")
    whole = _slugs(queryset)  # no LIMIT: one ordered query
    pages = []
    for start in range(0, len(whole), size):
        pages += _slugs(queryset[start : start + size])
    assert pages == whole
    assert list(queryset.values_list("slug", flat=True)[:4]) == whole[:4]
    assert queryset[5].slug == whole[5]


def test_a_rare_word_found_through_the_index_path(small_windows):
    _corpus()
    _statement("needle", title="Other", body="The Kyaukphyu port deal.", days_ago=40)
    queryset = search_statements(Statement.objects.all(), "kyaukphyu")
    assert _slugs(queryset[:20]) == ["needle"] and queryset.count() == 1
    assert queryset.exists() and not search_statements(Statement.objects.all(), "zzz").exists()


def test_count_stops_at_the_cap(small_windows, monkeypatch):
    _corpus()
    queryset = search_statements(Statement.objects.all(), "junta")
    assert queryset.count() == 13
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    assert search_statements(Statement.objects.all(), "junta").count() == 5


def test_a_page_costs_the_same_queries_however_many_match(
    small_windows, django_assert_max_num_queries
):
    _corpus()
    for i in range(30):
        _statement(f"more-{i}", title=f"Junta more {i}", days_ago=50 + i)
    queryset = search_statements(Statement.objects.all(), "junta")
    with django_assert_max_num_queries(7):
        assert len(list(queryset[:20])) == 20


def test_public_search_ignores_text_the_public_cannot_read_on_every_path(small_windows):
    for i in range(6):
        _statement(f"pub-{i}", title=f"Junta {i}", days_ago=i + 1)
    # Its only match is a Burmese translation marked not ready: never found by the public.
    _statement("hidden", title="Other", my_title="စစ်ကောင်စီ သတင်း", complete=False, days_ago=0)
    for i in range(6):
        _statement(f"my-{i}", title="Other", my_title=f"စစ်ကောင်စီ {i}", days_ago=i + 2)
    public = public_statements()
    assert "hidden" in _slugs(search_statements(Statement.objects.all(), "စစ်ကောင်စီ"))
    found = search_filter(public, "စစ်ကောင်စီ")
    assert _slugs(found[:3]) == ["my-0", "my-1", "my-2"]
    assert "hidden" not in _slugs(found) and found.count() == 6


def test_similarity_ranks_the_newest_title_matches_only(small_windows):
    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's")
    _statement("partial-new", title="Juntas everywhere", days_ago=1)
    _statement("whole-mid", title="The junta", days_ago=2)
    _statement("partial-mid", title="Juntas again", days_ago=3)
    _statement("whole-old", title="A junta", days_ago=9)  # outside the window of 3
    found = _slugs(search_statements(Statement.objects.all(), "junta"))
    # In the window (the 3 newest title matches) the whole word first; then the rest.
    assert found == ["whole-mid", "partial-new", "partial-mid", "whole-old"]

"""The public API's q filter searches both languages through statements/search.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from statements.models import Statement, StatementTranslation
from statements.search import refresh_search_text
from tests.factories import StatementFactory, TranslationFactory

pytestmark = pytest.mark.django_db

MY_TITLE = "မြန်မာနိုင်ငံ စစ်ကောင်စီသည် ယနေ့ ထုတ်ပြန်ချက်တစ်စောင် ထုတ်ပြန်ခဲ့သည်"


def _release(
    slug: str, en_title: str, my_title: str, *, state=Statement.State.PUBLISHED, days_ago: int = 1
) -> Statement:
    statement = StatementFactory(
        slug=slug, state=state, published_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    TranslationFactory(statement=statement, language="en", title=en_title)
    TranslationFactory(
        statement=statement, language="my", title=my_title, summary="အကျဉ်းချုပ်", body="စာကိုယ်"
    )
    return statement


def _slugs(client, q: str) -> list[str]:
    response = client.get("/api/v1/releases/", {"q": q})
    assert response.status_code == 200, response.content
    return [r["slug"] for r in response.json()["results"]]


def test_public_q_finds_a_burmese_word_inside_unsegmented_text(client):
    _release("junta-statement", "Junta statement", MY_TITLE)
    _release("other", "Another", "ရန်ကုန်မြို့")
    assert _slugs(client, "စစ်ကောင်စီ") == ["junta-statement"]


def test_public_q_english_regardless_of_case_and_zawgyi_query(client):
    _release("junta-statement", "Junta statement", MY_TITLE)
    assert _slugs(client, "JUNTA") == ["junta-statement"]
    assert _slugs(client, "ျမန္မာ") == ["junta-statement"]  # Zawgyi for "မြန်မာ"


def test_public_q_never_finds_what_is_not_public(client):
    _release("draft-one", "Secret junta plan", "လျှို့ဝှက်", state=Statement.State.DRAFT)
    _release("future", "Secret junta plan", "လျှို့ဝှက်", days_ago=-1)
    assert _slugs(client, "secret") == []


def test_public_q_results_are_ranked(client):
    _release("body-match", "Regional news", "သတင်း", days_ago=1)
    StatementTranslation.objects.filter(statement__slug="body-match", language="en").update(
        body="The junta bombed villages."
    )
    refresh_search_text(Statement.objects.get(slug="body-match"))
    _release("title-match", "Junta bombs villages", "သတင်း", days_ago=5)
    assert _slugs(client, "junta") == ["title-match", "body-match"]


def test_public_q_too_long_is_a_400_with_a_message(client):
    response = client.get("/api/v1/releases/", {"q": "x" * 201})
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert "q" in body["extra"]["errors"]


def test_public_q_never_finds_a_release_by_its_unpublished_translation_text(client):
    # "Burmese to follow": the release is public in English; its Burmese row is a draft that
    # nobody approved. Searching for a word only in that draft must not reveal it.
    deferred = _release("deferred", "Published English title", "လျှို့ဝှက်မူကြမ်း")
    Statement.objects.filter(pk=deferred.pk).update(deferred_languages=["my"])
    # A draft translation (marked incomplete) of a public release: the same.
    draft_row = _release("draft-row", "Second headline", "မထုတ်ပြန်ရသေး စာသား")
    StatementTranslation.objects.filter(statement=draft_row, language="my").update(
        marked_complete=False
    )
    _release("public-my", "Third title", "လျှို့ဝှက်မူကြမ်း ထုတ်ပြန်ပြီး")

    assert _slugs(client, "လျှို့ဝှက်") == ["public-my"]
    assert _slugs(client, "မထုတ်ပြန်ရသေး") == []
    # Their readable text is still found.
    assert _slugs(client, "published english") == ["deferred"]
    assert _slugs(client, "second headline") == ["draft-row"]


def test_the_desk_search_still_finds_unpublished_translation_text(client, make_staff):
    deferred = _release("deferred", "Published English title", "လျှို့ဝှက်မူကြမ်း")
    Statement.objects.filter(pk=deferred.pk).update(deferred_languages=["my"])
    client.force_login(make_staff("editor"))
    assert "deferred" in client.get("/desk/search/", {"q": "လျှို့ဝှက်"}).content.decode()

"""The desk search page: every state, both languages, ranked, Burmese titles cut safely."""

from __future__ import annotations

import pytest

from burmese import syllables
from statements import workflow
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

LONG_MY_TITLE = (
    "မြန်မာနိုင်ငံ စစ်ကောင်စီသည် ယနေ့ ရန်ကုန်မြို့တွင် ထုတ်ပြန်ချက်တစ်စောင် "
    "ထုတ်ပြန်ခဲ့ပြီး အာဆီယံ ခေါင်းဆောင်များသည် မြန်မာ့အရေးကို ဆွေးနွေးရန် "
    "ဂျကာတာတွင် တွေ့ဆုံခဲ့ကြသည်"
)


@pytest.fixture
def author(make_staff):
    return make_staff("author")


def _create(author, slug: str, en_title: str, my_title: str = ""):
    CampaignFactory(slug="desk-search")
    translations = {"en": {"title": en_title, "summary": "S", "body": "Body text."}}
    if my_title:
        translations["my"] = {"title": my_title, "summary": "အကျဉ်း", "body": "စာကိုယ်"}
    statement, _ = workflow.statement_create(
        by=author, campaign="desk-search", slug=slug, translations=translations
    )
    return statement


def test_desk_search_finds_drafts_and_submitted_in_both_languages(client, author):
    _create(author, "draft-one", "Junta airstrikes", LONG_MY_TITLE)
    submitted = _create(author, "submitted-one", "Another junta report")
    workflow.statement_submit(statement_id=submitted.pk, by=author)
    _create(author, "unrelated", "Nothing here")
    client.force_login(author)

    page = client.get("/desk/search/", {"q": "JUNTA"}).content.decode()
    assert "draft-one" in page and "submitted-one" in page and "unrelated" not in page
    page = client.get("/desk/search/", {"q": "စစ်ကောင်စီ"}).content.decode()
    assert "draft-one" in page and "submitted-one" not in page
    # A Zawgyi query ("မြန်မာ" typed in Zawgyi) finds the Unicode text.
    assert "draft-one" in client.get("/desk/search/", {"q": "ျမန္မာ"}).content.decode()


def test_desk_search_ranks_a_title_match_first(client, author):
    _create(author, "body-match", "Regional news")
    workflow.statement_edit(
        statement_id=workflow.Statement.objects.get(slug="body-match").pk,
        by=author,
        translations={
            "en": {"title": "Regional news", "summary": "S", "body": "Villages were bombed."}
        },
    )
    _create(author, "title-match", "Villages bombed")
    client.force_login(author)
    page = client.get("/desk/search/", {"q": "villages"}).content.decode()
    assert page.index("title-match") < page.index("body-match")


def test_desk_search_truncates_burmese_titles_between_syllables(client, author):
    _create(author, "long-burmese", "Long", LONG_MY_TITLE)
    client.force_login(author)
    response = client.get("/desk/search/", {"q": "long-burmese"})
    shown = response.content.decode().split('<span lang="my"')[1].split(">", 1)[1]
    shown = shown.split("</span>", 1)[0]
    assert shown.endswith("…") and len(shown) <= 90
    kept = shown[:-1]
    # What is shown is whole syllables of the title, never half of one.
    assert LONG_MY_TITLE.startswith(kept)
    assert syllables(LONG_MY_TITLE)[: len(syllables(kept))] == syllables(kept)


def test_desk_search_box_is_in_the_header_and_needs_staff(client, author, django_user_model):
    client.force_login(author)
    assert 'action="/desk/search/"' in client.get("/desk/").content.decode()
    client.logout()
    assert client.get("/desk/search/", {"q": "x"}).status_code == 302
    nobody = django_user_model.objects.create_user("nobody", password="x" * 20)
    client.force_login(nobody)
    assert client.get("/desk/search/", {"q": "x"}).status_code == 403

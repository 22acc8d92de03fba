# ruff: noqa: F811  (the tracker fixture is imported)
"""Public pages of the campaign tracker: one target, one ask, the targets, the release page's
invitations, per language, and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statements import ledger
from statements.models import Statement
from tests.public.tracker_fixtures import _at, tracker  # noqa: F401

pytestmark = pytest.mark.django_db


def test_target_page_shows_kind_parent_roles_asks_releases_and_invitations(client, tracker):
    response = client.get("/en/targets/malaysia/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Government of Malaysia" in page and "Government" in page and "MY" in page
    assert 'href="/en/targets/asean/"' in page  # its parent
    # The ASEAN Chair over time.
    assert "ASEAN Chair" in page
    for name, years in (
        ("Laos", "2024"),
        ("Government of Malaysia", "2025"),
        ("The Philippines", "2026–"),
    ):
        assert name in page and years in page
    assert "From 1 January 2025 until 1 January 2026" in page
    # Its invitations: answered with the link, and one without an answer.
    assert "Invited to respond by 1 February 2025" in page
    assert "responded on 25 January 2025" in page
    assert 'href="https://example.org/malaysia-reply"' in page
    assert "Invited to respond by 15 June 2025" in page and "did not respond" in page
    assert "Response rate: 50%" in page
    # Releases addressed to it, newest first.
    assert page.index("Title second-call") < page.index("Title first-call")
    assert 'href="/en/feeds/targets/malaysia.xml"' in page
    # The ask addressed to the ASEAN Chair is Malaysia's too, as a holder of that role.
    assert f'href="/en/asks/{tracker.ask.pk}/"' in page


def test_target_page_lists_the_asks_addressed_to_it_with_history(client, tracker):
    page = client.get("/en/targets/asean/").content.decode()
    assert f'href="/en/asks/{tracker.ask.pk}/"' in page
    assert "Ban the junta from ASEAN meetings." in page
    assert "Asked 2 times since 10 January 2025" in page  # public releases only
    assert "Partly met" in page and "1 March 2025" in page
    assert "awaiting a response" in page


def test_target_page_in_burmese_is_tagged_and_uses_burmese_digits(client, tracker):
    page = client.get("/my/targets/malaysia/").content.decode()
    assert '<h1 lang="my">မလေးရှား အစိုးရ</h1>' in page
    assert "၂၀၂၅" in page  # Burmese digits in the dates
    # Laos has no Burmese name: its English one is tagged as English.
    assert '<a href="/my/targets/laos/" lang="en">Laos</a>' in page


def test_ask_page_shows_text_status_history_releases_and_count(client, tracker):
    response = client.get(f"/en/asks/{tracker.ask.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ban the junta from ASEAN meetings." in page
    assert "Asked 2 times since 10 January 2025" in page
    assert "First made" in page and "Repeated" in page
    assert 'href="/en/releases/first-call/"' in page and 'href="/en/releases/second-call/"' in page
    # History: a public statement as source is linked, a link source is shown, a draft is not.
    assert "Junta left out of the summit." in page
    assert 'href="https://example.org/news"' in page
    assert "Rejected at the foreign ministers" in page
    assert "mark-draft" not in page
    assert 'href="/en/targets/asean/"' in page and "ASEAN Chair" in page


def test_ask_page_in_burmese_falls_back_with_its_language_tagged(client, tracker):
    page = client.get(f"/my/asks/{tracker.ask.pk}/").content.decode()
    assert '<h1 lang="my">စစ်ကောင်စီကို ပိတ်ပင်ပါ။</h1>' in page
    tracker.ask.text = {"en": "Only in English."}
    tracker.ask.save()
    page = client.get(f"/my/asks/{tracker.ask.pk}/").content.decode()
    assert '<h1 lang="en">Only in English.</h1>' in page


def test_targets_listing_in_both_languages(client, tracker):
    for lang in ("en", "my"):
        page = client.get(f"/{lang}/targets/").content.decode()
        for slug in ("asean", "malaysia", "laos", "philippines"):
            assert f'href="/{lang}/targets/{slug}/"' in page


def test_release_page_shows_invitations_and_links_its_asks(client, tracker):
    page = client.get("/en/releases/second-call/").content.decode()
    assert "Invitations to respond" in page
    assert "Invited to respond by 15 June 2025" in page and "did not respond" in page
    assert "awaiting a response" in page
    assert f'href="/en/asks/{tracker.ask.pk}/"' in page
    first = client.get("/en/releases/first-call/").content.decode()
    assert "responded on 25 January 2025" in first
    assert 'href="https://example.org/malaysia-reply"' in first


def test_release_pdf_body_does_not_link_asks(tracker):
    from django.template.loader import render_to_string

    from publishing.rendering import build_release
    from publishing.visibility import release_by_slug

    release = build_release(release_by_slug("first-call"), "en")
    html = render_to_string("public/_release_body.html", {"release": release})
    assert "Ban the junta" in html and "/asks/" not in html


def test_target_feeds_list_releases_addressed_to_it(client, tracker):
    rss = client.get("/en/feeds/targets/malaysia.xml")
    atom = client.get("/my/feeds/targets/malaysia.atom")
    assert rss.status_code == 200 and atom.status_code == 200
    assert b"Title second-call" in rss.content and b"/my/releases/first-call/" in atom.content
    assert b"MARK" not in rss.content + atom.content
    assert client.get("/en/feeds/targets/nobody.xml").status_code == 404


def test_sitemap_lists_target_and_ask_pages(client, tracker):
    body = client.get("/sitemap.xml").content.decode()
    assert "/en/targets/malaysia/" in body and f"/my/asks/{tracker.ask.pk}/" in body
    assert "/en/targets/" in body


def more_releases(tracker, count):
    """`count` more public releases addressing Malaysia and repeating the ask, each with an
    invitation to respond."""
    for n in range(count):
        statement = Statement.objects.get(pk=tracker.first.pk)
        statement.pk = None
        statement.slug = f"more-{n}"
        statement.published_at = _at(datetime.date(2025, 2, 1)) + datetime.timedelta(hours=n)
        statement.save()
        for tr in tracker.first.translations.all():
            tr.pk, tr.statement = None, statement
            tr.save()
        statement.asks.add(tracker.ask)
        statement.targets.add(tracker.malaysia)
        statement.roles.add(tracker.chair)
        ledger.ask_records_sync(statement_id=statement.pk)
        ledger.invitation_create(
            statement_id=statement.pk,
            target=tracker.malaysia,
            due_on=timezone.localdate() + datetime.timedelta(days=5),
            by=tracker.publisher,
        )


@pytest.mark.parametrize(
    "path",
    [
        "/en/targets/malaysia/",
        "/my/targets/asean/",
        "/en/asks/{ask}/",
        "/my/asks/{ask}/",
        "/api/v1/targets/malaysia/",
        "/api/v1/asks/{ask}/",
        "/en/releases/second-call/",
    ],
)
def test_query_count_is_the_same_for_1_and_20_releases(
    client, tracker, path, django_assert_max_num_queries
):
    url = path.format(ask=tracker.ask.pk)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more_releases(tracker, 19)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    if "malaysia" in url or "asks" in url:
        assert b"more-18" in response.content

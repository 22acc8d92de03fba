"""RSS 2.0 and Atom feeds per language and per campaign."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from statements.models import Statement

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314  (our own feed, in a test)


def test_rss_feed_per_language(client, make_release):
    statement = make_release(title="Feed release")
    english_only = make_release(languages=("en",))
    for lang in ("en", "my"):
        response = client.get(f"/{lang}/feeds/releases.xml")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/rss+xml")
        root = parse(response.content)
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        assert channel.findtext("language") == lang
        links = [item.findtext("link") for item in channel.findall("item")]
        assert f"http://testserver/{lang}/releases/{statement.slug}/" in links
        assert all(
            item.findtext("guid").startswith("http://testserver/")
            for item in channel.findall("item")
        )
        titles = [item.findtext("title") for item in channel.findall("item")]
        assert ("Feed release" if lang == "en" else "Feed release မြန်မာ") in titles
    my_feed = client.get("/my/feeds/releases.xml").content
    assert english_only.slug.encode() not in my_feed  # not published in Burmese


def test_atom_feed_per_language(client, make_release):
    statement = make_release()
    response = client.get("/my/feeds/releases.atom")
    assert response.status_code == 200
    root = parse(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert any(statement.slug in e.find(f"{ATOM}link").get("href") for e in entries)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "my"


def test_campaign_feeds(client, make_release):
    from tests.factories import CampaignFactory

    mine = make_release()
    other = make_release(campaign=CampaignFactory(slug="other-campaign"))
    for suffix in ("xml", "atom"):
        response = client.get(f"/en/feeds/campaigns/public-campaign.{suffix}")
        assert response.status_code == 200
        parse(response.content)
        assert mine.slug.encode() in response.content
        assert other.slug.encode() not in response.content
    assert client.get("/en/feeds/campaigns/no-such.xml").status_code == 404


def test_feeds_leave_out_retracted_and_embargoed(client, make_release):
    import datetime

    from django.utils import timezone

    retracted = make_release(state=Statement.State.RETRACTED)
    embargoed = make_release(embargo_until=timezone.now() + datetime.timedelta(hours=2))
    content = client.get("/en/feeds/releases.xml").content
    assert retracted.slug.encode() not in content
    assert embargoed.slug.encode() not in content


def test_feed_runs_a_constant_number_of_queries(
    client, make_release, django_assert_max_num_queries
):
    for _ in range(3):
        make_release()
    with django_assert_max_num_queries(8):
        client.get("/en/feeds/releases.xml")
    for _ in range(12):
        make_release()
    with django_assert_max_num_queries(8):
        client.get("/en/feeds/releases.xml")


def test_feeds_and_pages_answer_304_to_a_conditional_get(client, make_release):
    statement = make_release()
    for path in (
        "/en/feeds/releases.xml",
        "/my/feeds/releases.atom",
        "/en/releases/",
        f"/my/releases/{statement.slug}/",
    ):
        first = client.get(path)
        assert first["ETag"], path
        assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, path

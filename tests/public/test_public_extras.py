"""Public extras: favicon, Open Graph and Twitter card tags per language, sitemap.xml (public
releases only, hreflang alternates), robots.txt, quotes and "more information" in the Release
JSON, and Content-Language saying the language of the body."""

from __future__ import annotations

import datetime
import re
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image

from statements.models import Statement
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


def meta(content: bytes, key: str) -> list[str]:
    """Values of <meta property|name="key" content="...">, in order."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">'
    return re.findall(pattern, content.decode())


def sitemap_entries(client) -> dict[str, dict[str, str]]:
    """<loc> -> {hreflang: href} of /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }


# --- Favicon ---------------------------------------------------------------------------------


def test_favicon_is_served_at_the_root_and_linked_from_every_page(client, make_release):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    make_release()
    page = client.get("/en/releases/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert 'href="/static/favicon-32.png"' in page


def test_favicon_files_exist_at_their_sizes():
    assert finders.find("favicon.svg")
    with Image.open(finders.find("favicon-32.png")) as png:
        assert png.size == (32, 32)
    with Image.open(finders.find("favicon-180.png")) as touch:
        assert touch.size == (180, 180)


# --- Open Graph and Twitter cards -------------------------------------------------------------


def test_release_page_has_open_graph_and_twitter_tags_in_its_language(client, rich_release):
    en = client.get("/en/releases/asean-chair-release/").content
    assert meta(en, "og:title") == ["ASEAN Chair keeps cooperating"]
    assert meta(en, "og:description") == [rich_release.translation("en").summary]
    assert meta(en, "og:url") == ["http://testserver/en/releases/asean-chair-release/"]
    assert meta(en, "og:type") == ["article"]
    assert meta(en, "og:locale") == ["en_GB"]
    assert meta(en, "og:locale:alternate") == ["my_MM"]
    assert meta(en, "article:published_time") == ["2025-04-24T03:00:00Z"]
    assert meta(en, "twitter:card") == ["summary"]

    my = client.get("/my/releases/asean-chair-release/").content
    assert meta(my, "og:title") == [rich_release.translation("my").title]
    assert meta(my, "og:description") == ["အကျဉ်းချုပ်။"]
    assert meta(my, "og:url") == ["http://testserver/my/releases/asean-chair-release/"]
    assert meta(my, "og:locale") == ["my_MM"]
    assert meta(my, "og:locale:alternate") == ["en_GB"]


def test_a_release_readable_in_one_language_names_no_alternate_locale(client, make_release):
    make_release(slug="english-only", languages=("en",))
    page = client.get("/en/releases/english-only/").content
    assert meta(page, "og:locale") == ["en_GB"]
    assert meta(page, "og:locale:alternate") == []


def test_a_tombstone_shares_no_summary(client, make_release):
    statement = make_release(
        slug="withdrawn", state=Statement.State.RETRACTED, retracted_at=timezone.now()
    )
    page = client.get("/en/releases/withdrawn/")
    assert page.status_code == 410
    assert meta(page.content, "og:description") == []
    assert statement.translation("en").summary.encode() not in page.content


@pytest.mark.parametrize(("lang", "locale"), [("en", "en_GB"), ("my", "my_MM")])
def test_listings_and_campaign_pages_have_open_graph_tags(client, make_release, lang, locale):
    make_release()
    for path in (
        f"/{lang}/releases/",
        f"/{lang}/campaigns/",
        f"/{lang}/campaigns/public-campaign/",
    ):
        page = client.get(path).content
        assert meta(page, "og:type") == ["website"], path
        assert meta(page, "og:locale") == [locale], path
        assert meta(page, "og:url") == [f"http://testserver{path}"], path
        assert meta(page, "og:title") and meta(page, "twitter:card") == ["summary"], path


# --- Sitemap and robots ---------------------------------------------------------------------


def test_sitemap_lists_public_releases_with_hreflang_alternates(client, make_release):
    make_release(slug="public-one")
    entries = sitemap_entries(client)
    en = "http://testserver/en/releases/public-one/"
    my = "http://testserver/my/releases/public-one/"
    assert entries[en] == {"en": en, "my": my}
    assert entries[my] == {"en": en, "my": my}
    # Listings and the campaign's pages, in every language.
    for path in ("releases/", "campaigns/", "campaigns/public-campaign/"):
        for lang in ("en", "my"):
            assert f"http://testserver/{lang}/{path}" in entries


def test_sitemap_never_lists_a_release_a_reader_may_not_see(client, make_release):
    future = timezone.now() + datetime.timedelta(days=3)
    make_release(slug="visible-one")
    make_release(slug="draft-one", state=Statement.State.DRAFT)
    make_release(slug="approved-one", state=Statement.State.APPROVED)
    make_release(slug="embargoed-one", embargo_until=future)
    make_release(slug="scheduled-one", published_at=future)
    make_release(slug="retracted-one", state=Statement.State.RETRACTED)
    make_release(
        slug="hidden-campaign-one",
        state=Statement.State.DRAFT,
        campaign=CampaignFactory(slug="secret-campaign"),
    )
    deferred = make_release(slug="burmese-to-follow")
    deferred.deferred_languages = ["my"]
    deferred.save()

    body = client.get("/sitemap.xml").content.decode()
    assert "visible-one" in body
    for hidden in (
        "draft-one",
        "approved-one",
        "embargoed-one",
        "scheduled-one",
        "retracted-one",
        "secret-campaign",
    ):
        assert hidden not in body, hidden
    entries = sitemap_entries(client)
    en = "http://testserver/en/releases/burmese-to-follow/"
    assert entries[en] == {"en": en}  # no Burmese page, no Burmese alternate
    assert "http://testserver/my/releases/burmese-to-follow/" not in entries


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_staff_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/desk/", "/admin/", "/api/v1/statements/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- Release JSON: quotes, more information --------------------------------------------------


def test_release_json_has_quotes_and_more_information_per_language(client, rich_release):
    my = rich_release.translation("my")
    my.quotes = [{"speaker": "ပြောခွင့်ရသူ", "text": "**ရပ်တန့်**ပါ။"}]
    my.save()
    data = client.get("/api/v1/releases/asean-chair-release/").json()
    en = data["translations"]["en"]
    assert en["quotes"] == [
        {
            "speaker": "Spokesperson",
            "text": "Stop it  now.",
            "text_html": "<p>Stop it  now.</p>",
        }
    ]
    assert en["more_information"] == "Read the report"
    assert 'href="https://example.org/report"' in en["more_information_html"]
    assert data["translations"]["my"]["quotes"] == [
        {"speaker": "ပြောခွင့်ရသူ", "text": "ရပ်တန့်ပါ။", "text_html": "<p><strong>ရပ်တန့်</strong>ပါ။</p>"}
    ]
    assert data["translations"]["my"]["more_information"] == ""
    # The contract's names stay.
    assert {"title", "summary", "body_html", "body_text", "url", "pdf_url"} <= set(en)


def test_a_retracted_release_json_has_no_quotes_or_links(client, rich_release):
    rich_release.state = Statement.State.RETRACTED
    rich_release.retracted_at = timezone.now()
    rich_release.save()
    en = client.get("/api/v1/releases/asean-chair-release/").json()["translations"]["en"]
    assert en["quotes"] == [] and en["more_information"] == en["more_information_html"] == ""


def test_openapi_schema_describes_quotes_and_more_information(client):
    schema = client.get("/api/schema/?format=json").json()
    translation = schema["components"]["schemas"]["ReleaseTranslation"]
    assert {"quotes", "more_information", "more_information_html"} <= set(translation["properties"])
    quote = schema["components"]["schemas"]["Quote"]
    assert {"speaker", "text", "text_html"} <= set(quote["properties"])


# --- Content-Language -----------------------------------------------------------------------


def test_api_content_language_is_the_language_of_the_body(client, make_release):
    make_release(slug="both")
    make_release(slug="english-only", languages=("en",))
    assert client.get("/api/v1/releases/?language=my")["Content-Language"] == "my"
    assert client.get("/api/v1/releases/?language=en")["Content-Language"] == "en"
    assert client.get("/api/v1/releases/")["Content-Language"] == "en, my"
    assert client.get("/api/v1/releases/both/")["Content-Language"] == "en, my"
    assert client.get("/api/v1/releases/english-only/")["Content-Language"] == "en"
    # A browser asking for Burmese does not change what the body is in.
    response = client.get("/api/v1/releases/english-only/", HTTP_ACCEPT_LANGUAGE="my")
    assert response["Content-Language"] == "en"


def test_api_content_language_survives_a_conditional_get(client, make_release):
    make_release(slug="both")
    first = client.get("/api/v1/releases/?language=my")
    again = client.get("/api/v1/releases/?language=my", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Content-Language"] == "my"


@pytest.mark.parametrize("lang", ["en", "my"])
def test_pages_answer_in_their_language(client, rich_release, lang):
    for path in (
        f"/{lang}/releases/",
        f"/{lang}/releases/asean-chair-release/",
        f"/{lang}/campaigns/",
    ):
        # Whatever the browser prefers: the URL names the language.
        other = "my" if lang == "en" else "en"
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=other)
        assert response["Content-Language"] == lang, path

"""Public pages: /en/ and /my/, the release and its tombstone, campaigns, Burmese UI."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from publishing.rendering import format_date
from statements.models import Statement

pytestmark = pytest.mark.django_db


def html_lang(content: bytes) -> str:
    return re.search(rb'<html[^>]*\blang="([^"]+)"', content).group(1).decode()


def test_release_list_is_newest_first_in_both_languages(client, make_release):
    older = make_release(published_at=timezone.now() - datetime.timedelta(days=2))
    newer = make_release(published_at=timezone.now() - datetime.timedelta(days=1))
    for lang in ("en", "my"):
        response = client.get(f"/{lang}/releases/")
        assert response.status_code == 200
        assert html_lang(response.content) == lang
        text = response.content.decode()
        assert text.index(newer.slug) < text.index(older.slug)


def test_release_list_names_campaigns_in_the_readers_language(client, make_release):
    make_release()
    assert "လှုပ်ရှားမှု</a>" in client.get("/my/releases/").content.decode()


def test_release_list_paginates_with_links(client, make_release):
    for _ in range(22):
        make_release()
    first = client.get("/en/releases/")
    assert b'href="/en/releases/page/2/"' in first.content
    second = client.get("/en/releases/page/2/")
    assert second.status_code == 200
    assert second.content.count(b'class="release-item"') == 2
    assert client.get("/en/releases/page/3/").status_code == 404


def test_release_list_filters_by_campaign(client, make_release):
    from tests.factories import CampaignFactory

    other = make_release(campaign=CampaignFactory(slug="other-campaign"))
    mine = make_release()
    response = client.get("/en/releases/?campaign=other-campaign", follow=True)
    assert response.redirect_chain[-1][0] == "/en/campaigns/other-campaign/"
    assert other.slug.encode() in response.content
    assert mine.slug.encode() not in response.content


def test_release_page_shows_everything_a_reader_needs(client, rich_release):
    response = client.get("/en/releases/asean-chair-release/")
    assert response.status_code == 200
    text = response.content.decode()
    assert html_lang(response.content) == "en"
    assert "ASEAN Chair keeps cooperating" in text
    assert "24 April 2025, 03:00 UTC" in text
    assert "24 April 2025, 09:30 Myanmar time" in text  # Asia/Yangon, UTC+06:30
    # The ASEAN Chair on the release date (2025) is Malaysia, not Laos (2024).
    assert "ASEAN Chair: Government of Malaysia" in text
    assert "Government of Laos" not in text
    assert "Stop legitimising the junta." in text
    assert '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>' in text
    assert "<strong>justice</strong>" in text
    assert "press@example.org" in text
    assert "Spokesperson" in text
    assert "The date of the meeting was corrected." in text
    assert 'href="/en/releases/asean-chair-release.pdf"' in text
    assert 'href="/my/releases/asean-chair-release.pdf"' in text
    assert 'href="/my/releases/asean-chair-release/"' in text


def test_markdown_is_sanitised(client, rich_release):
    text = client.get("/en/releases/asean-chair-release/").content.decode()
    assert "<script>" not in text
    assert "alert(" not in text or "&lt;script&gt;" in text


def test_burmese_page_is_in_burmese_with_burmese_dates(client, rich_release):
    response = client.get("/my/releases/asean-chair-release/")
    text = response.content.decode()
    assert html_lang(response.content) == "my"
    assert "ထုတ်ပြန်သည့်ရက်" in text  # "Published", from our catalogue
    assert "မြန်မာစံတော်ချိန်" in text  # "Myanmar time"
    assert "၂၀၂၅ ခုနှစ်၊ ဧပြီလ ၂၄ ရက်" in text  # date with Burmese digits and month
    assert "၀၉:၃၀" in text
    assert "မလေးရှား အစိုးရ" in text  # the role holder's Burmese name
    assert "အစည်းအဝေးရက်စွဲ ပြင်ဆင်ထားသည်။" in text  # the correction note in Burmese


def test_burmese_pages_use_the_myanmar_font_served_by_the_app(client, rich_release):
    from django.contrib.staticfiles import finders

    page = client.get("/my/releases/asean-chair-release/").content.decode()
    assert 'href="/static/css/public.css"' in page
    css = Path(finders.find("css/public.css")).read_text(encoding="utf-8")
    assert 'url("../fonts/NotoSansMyanmar-Regular.ttf")' in css
    assert ":lang(my)" in css and "Noto Sans Myanmar" in css
    assert "http" not in css  # never a CDN
    assert finders.find("fonts/NotoSansMyanmar-Regular.ttf")


def test_format_date_for_burmese_readers():
    assert format_date(datetime.date(2024, 3, 1), "my") == "၂၀၂၄ ခုနှစ်၊ မတ်လ ၁ ရက်"
    assert format_date(datetime.date(2025, 12, 31), "en") == "31 December 2025"


def test_release_missing_a_translation_falls_back_to_the_source(client, make_release):
    statement = make_release(languages=("en",))
    response = client.get(f"/my/releases/{statement.slug}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert html_lang(response.content) == "my"
    assert '<h1 lang="en">' in text
    assert f'href="/my/releases/{statement.slug}.pdf"' not in text
    assert client.get(f"/my/releases/{statement.slug}.pdf").status_code == 404


def test_retracted_release_shows_a_tombstone_with_date_and_reason(client, make_release):
    statement = make_release(
        state=Statement.State.RETRACTED,
        body="Retracted body text",
        retracted_at=datetime.datetime(2025, 5, 2, 8, 0, tzinfo=datetime.UTC),
        retraction_reason="Published in error.",
    )
    response = client.get(f"/en/releases/{statement.slug}/")
    assert response.status_code == 410
    text = response.content.decode()
    assert "This release was retracted." in text
    assert "2 May 2025, 08:00 UTC" in text
    assert "Published in error." in text
    assert "Retracted body text" not in text
    assert client.get(f"/en/releases/{statement.slug}.pdf").status_code == 410
    assert statement.slug.encode() not in client.get("/en/releases/").content


@pytest.mark.parametrize(
    "path",
    ["/en/releases/nope/", "/my/releases/nope/", "/en/releases/nope.pdf", "/en/campaigns/nope/"],
)
def test_unknown_slug_is_404(client, path):
    assert client.get(path).status_code == 404


def test_campaign_pages_list_their_releases(client, make_release):
    statement = make_release()
    listing = client.get("/my/campaigns/")
    assert listing.status_code == 200 and html_lang(listing.content) == "my"
    assert b"/my/campaigns/public-campaign/" in listing.content
    page = client.get("/en/campaigns/public-campaign/")
    assert statement.slug.encode() in page.content
    assert b'href="/en/feeds/campaigns/public-campaign.xml"' in page.content


def test_root_redirects_to_a_language(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] in ("/en/releases/", "/my/releases/")


# The campaign page also draws the public part of the campaign dashboard: four queries more
# (releases per month, asks' history, response rates, asks waiting), whatever the releases.
@pytest.mark.parametrize(
    ("path", "budget"), [("/en/releases/", 10), ("/en/campaigns/public-campaign/", 10 + 4)]
)
def test_list_pages_run_a_constant_number_of_queries(
    client, make_release, path, budget, django_assert_max_num_queries
):
    for _ in range(3):
        make_release()
    with django_assert_max_num_queries(budget):
        client.get(path)
    for _ in range(17):
        make_release()
    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.content.count(b'class="release-item"') == 20


def test_release_page_runs_a_constant_number_of_queries(
    client, rich_release, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        assert client.get("/en/releases/asean-chair-release/").status_code == 200


def test_summary_truncation_never_cuts_a_burmese_syllable(client, make_release):
    from burmese import syllables
    from publishing.rendering import truncate

    text = "စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ပါ။" * 20
    short = truncate(text, 61)
    assert len(short) <= 61
    kept = short.removesuffix("…")
    boundaries, position = {0}, 0
    for syllable in syllables(text):
        position += len(syllable)
        boundaries.add(position)
    assert text.startswith(kept) and len(kept) in boundaries

    statement = make_release()
    translation = statement.translation("my")
    translation.summary = text
    translation.save()
    listing = client.get("/my/releases/").content.decode()
    shown = re.search(r'<p class="summary" lang="my">(.*?)</p>', listing).group(1)
    assert shown.endswith("…") and len(shown.removesuffix("…")) in boundaries


def test_not_found_pages_are_in_the_readers_language(client):
    response = client.get("/my/releases/no-such-release/")
    assert response.status_code == 404
    assert html_lang(response.content) == "my"
    assert "စာမျက်နှာ မတွေ့ပါ" in response.content.decode()
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404 and set(api.json()) == {"message", "extra"}

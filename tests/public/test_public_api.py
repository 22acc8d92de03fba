"""The public read-only API: Release JSON of CONTRACT.md, strict filters, pagination,
conditional GET, throttling, CORS."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from statements.models import Statement

pytestmark = pytest.mark.django_db

RELEASE_FIELDS = {
    "slug",
    "status",
    "published_at",
    "corrected_at",
    "campaign",
    "targets",
    "asks",
    "languages",
    "translations",
}
TRANSLATION_FIELDS = {"title", "summary", "body_html", "body_text", "url", "pdf_url"}


def test_release_json_has_the_contract_shape(client, rich_release):
    data = client.get("/api/v1/releases/asean-chair-release/").json()
    assert set(data) >= RELEASE_FIELDS
    assert data["status"] == "corrected"
    assert data["published_at"] == "2025-04-24T03:00:00Z"
    assert data["corrected_at"] == "2025-04-25T12:00:00Z"
    assert data["campaign"] == {
        "slug": "public-campaign",
        "name": {"en": "Campaign public-campaign", "my": "လှုပ်ရှားမှု"},
    }
    assert data["targets"] == [
        {
            "slug": "malaysia-gov",
            "kind": "government",
            "name": {"en": "Government of Malaysia", "my": "မလေးရှား အစိုးရ"},
        }
    ]
    assert data["asks"][0]["status"] == "open"
    assert data["asks"][0]["text"]["en"] == "Stop legitimising the junta."
    assert data["languages"] == ["en", "my"]
    for lang in ("en", "my"):
        translation = data["translations"][lang]
        assert set(translation) >= TRANSLATION_FIELDS
        assert translation["url"] == f"http://testserver/{lang}/releases/asean-chair-release/"
        assert (
            translation["pdf_url"] == f"http://testserver/{lang}/releases/asean-chair-release.pdf"
        )
    en = data["translations"]["en"]
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in en["body_html"]
    assert "<script>" not in en["body_html"]
    assert en["body_text"].startswith("First paragraph with a link.")


def test_release_list_is_paginated_newest_first_with_a_maximum_page_size(client, make_release):
    made = [
        make_release(published_at=timezone.now() - datetime.timedelta(days=d)) for d in range(5)
    ]
    data = client.get("/api/v1/releases/?page_size=2").json()
    assert data["count"] == 5
    assert [r["slug"] for r in data["results"]] == [made[0].slug, made[1].slug]
    assert data["next"].endswith("page=2&page_size=2")
    assert client.get("/api/v1/releases/?page_size=101").status_code == 400
    assert client.get("/api/v1/releases/?page_size=100").status_code == 200
    assert client.get("/api/v1/releases/?page=0").status_code == 400
    assert client.get("/api/v1/releases/?page=9").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "colour=red",
        "campaign=no-such-campaign",
        "target=nobody",
        "language=fr",
        "published_after=yesterday",
        "published_before=2025-13-45",
        "page_size=abc",
        "page=x",
        "campaign=public-campaign&campaign=public-campaign",
        "published_after=",
        "language=",
    ],
)
def test_unknown_or_malformed_filter_is_a_400_with_a_message(client, make_release, query):
    make_release()
    response = client.get(f"/api/v1/releases/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]


def test_unknown_parameter_on_detail_and_reference_lists_is_a_400(client, rich_release):
    assert client.get("/api/v1/releases/asean-chair-release/?x=1").status_code == 400
    assert client.get("/api/v1/campaigns/?q=a").status_code == 400


def test_filters_select_releases(client, make_release, rich_release):
    from tests.factories import CampaignFactory

    other = make_release(
        campaign=CampaignFactory(slug="other-campaign"),
        languages=("en",),
        title="Jet fuel sanctions",
    )
    old = make_release(published_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    def slugs(query: str) -> set[str]:
        response = client.get(f"/api/v1/releases/?{query}")
        assert response.status_code == 200, response.content
        return {r["slug"] for r in response.json()["results"]}

    assert slugs("campaign=other-campaign") == {other.slug}
    assert slugs("target=malaysia-gov") == {rich_release.slug}
    assert other.slug not in slugs("language=my")
    assert other.slug in slugs("language=en")
    assert slugs("published_before=2021-01-01T00:00:00Z") == {old.slug}
    assert old.slug not in slugs("published_after=2021-01-01T00:00:00Z")
    assert slugs("q=jet+fuel") == {other.slug}
    assert slugs("q=အာဆီယံ") >= {rich_release.slug}  # Burmese body text


def test_deferred_language_is_not_listed_as_published(client, make_release):
    statement = make_release(deferred_languages=["my"])
    data = client.get(f"/api/v1/releases/{statement.slug}/").json()
    assert data["languages"] == ["en"]
    assert "my" not in data["translations"]
    slugs = {r["slug"] for r in client.get("/api/v1/releases/?language=my").json()["results"]}
    assert statement.slug not in slugs


def test_retracted_release_answers_200_with_status_and_no_body(client, make_release):
    statement = make_release(
        state=Statement.State.RETRACTED,
        body="Body that was retracted",
        retracted_at=timezone.now(),
        retraction_reason="Error.",
    )
    response = client.get(f"/api/v1/releases/{statement.slug}/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "retracted"
    assert data["retraction_reason"] == "Error."
    assert all(t["body_html"] == "" and t["body_text"] == "" for t in data["translations"].values())
    assert b"Body that was retracted" not in response.content
    listed = {r["slug"] for r in client.get("/api/v1/releases/").json()["results"]}
    assert statement.slug not in listed


def test_conditional_get_answers_304(client, make_release):
    make_release()
    first = client.get("/api/v1/releases/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    assert client.get("/api/v1/releases/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/v1/releases/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    make_release()  # the public set changed: a new body, a new ETag
    changed = client.get("/api/v1/releases/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_conditional_get_on_detail(client, rich_release):
    first = client.get("/api/v1/releases/asean-chair-release/")
    assert first["Last-Modified"]
    again = client.get("/api/v1/releases/asean-chair-release/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_anonymous_clients_are_throttled(client, make_release, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    codes = [client.get("/api/v1/releases/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert set(client.get("/api/v1/releases/").json()) == {"message", "extra"}


def test_cors_allows_get_from_anywhere(client, make_release):
    response = client.get("/api/v1/releases/", HTTP_ORIGIN="https://mirror.example.net")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_public_api_needs_no_credentials_and_ignores_bad_ones(client, make_release):
    assert client.get("/api/v1/campaigns/").status_code == 200
    response = client.get("/api/v1/releases/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 200


def test_reference_data_endpoints(client, rich_release):
    campaigns = client.get("/api/v1/campaigns/").json()["results"]
    assert {"slug", "name", "description", "status"} <= set(campaigns[0])
    targets = client.get("/api/v1/targets/").json()["results"]
    assert "malaysia-gov" in {t["slug"] for t in targets}
    assert client.get("/api/v1/targets/malaysia-gov/").json()["name"]["my"] == "မလေးရှား အစိုးရ"
    asks = client.get("/api/v1/asks/").json()["results"]
    assert [a["slug"] for a in asks] == ["end-cooperation"]
    assert client.get(f"/api/v1/asks/{asks[0]['id']}/").status_code == 200


def test_asks_of_unpublished_statements_stay_private(client, make_release):
    from tests.factories import AskFactory

    draft = make_release(state=Statement.State.DRAFT)
    ask = AskFactory(campaign=draft.campaign, text={"en": "A secret ask in preparation."})
    draft.asks.add(ask)
    assert b"secret ask" not in client.get("/api/v1/asks/").content
    assert client.get(f"/api/v1/asks/{ask.pk}/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/releases/", "/api/v1/asks/", "/api/v1/targets/", "/api/v1/campaigns/"]
)
def test_api_lists_run_a_constant_number_of_queries(
    client, rich_release, make_release, path, django_assert_max_num_queries
):
    from tests.factories import AskFactory, TargetFactory

    def grow(count: int) -> None:
        for _ in range(count):
            statement = make_release()
            statement.targets.add(TargetFactory())
            statement.asks.add(AskFactory(campaign=statement.campaign))

    # 11: one of them reads the public version the page cache keys on (publishing/cache.py).
    grow(2)
    with django_assert_max_num_queries(11):
        client.get(path)
    grow(15)
    with django_assert_max_num_queries(11):
        assert client.get(path).status_code == 200


def test_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/releases/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    text = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in text
    assert "cdn" not in text.lower()


def test_cached_list_follows_a_retraction_at_once(client, make_release):
    statement = make_release()
    assert statement.slug in client.get("/api/v1/releases/").content.decode()
    statement.state, statement.retracted_at = Statement.State.RETRACTED, timezone.now()
    statement.retraction_reason = "Error."
    statement.save()
    assert statement.slug not in client.get("/api/v1/releases/").content.decode()


def test_cached_list_follows_a_publication_time_and_an_embargo_running_out(client, make_release):
    # Visibility is read against the database clock (publishing/visibility.py), so time has to
    # pass for real: no Python-side clock travel can publish or hide anything.
    import time

    now = timezone.now()
    scheduled = make_release(published_at=now + datetime.timedelta(seconds=1))
    embargoed = make_release(
        published_at=now - datetime.timedelta(minutes=1),
        embargo_until=now + datetime.timedelta(seconds=1),
    )
    listed = client.get("/api/v1/releases/").content.decode()
    assert scheduled.slug not in listed and embargoed.slug not in listed
    time.sleep(1.5)
    listed = client.get("/api/v1/releases/").content.decode()
    assert scheduled.slug in listed and embargoed.slug in listed


def test_throttle_cannot_be_dodged_with_a_forged_forwarded_for(client, make_release, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"},
    }
    codes = [
        client.get("/api/v1/campaigns/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]

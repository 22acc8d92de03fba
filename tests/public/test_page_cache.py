"""The page cache (publishing/cache.py): kept answers never show what is hidden now, never reach
or come from a staff session, and move only when something public changes."""

from __future__ import annotations

import datetime
import gzip
import time

import pytest
from django.core.cache import caches
from django.utils import timezone

from publishing import cache
from publishing.visibility import public_version
from statements import workflow
from statements.models import Statement
from tests.factories import StatementFactory, TranslationFactory

pytestmark = pytest.mark.django_db


def _pages_kept() -> int:
    return len(caches["pages"]._cache)  # locmem: what is kept in this process


def test_a_second_anonymous_get_is_answered_from_the_cache(client, make_release):
    release = make_release()
    paths = [
        f"/en/releases/{release.slug}/",
        "/en/releases/",
        "/my/releases/",
        "/en/campaigns/public-campaign/",
        "/en/feeds/releases.xml",
        "/api/v1/releases/",
        f"/api/v1/releases/{release.slug}/",
    ]
    for path in paths:
        first, second = client.get(path), client.get(path)
        assert first.status_code == second.status_code == 200, path
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit"), path
        assert second.content == first.content, path
        assert second["ETag"] == first["ETag"], path
    english, burmese = client.get("/en/releases/"), client.get("/my/releases/")
    assert english.content != burmese.content  # kept per language


def test_a_retracted_release_is_never_served_from_the_cache(client, make_release, make_staff):
    release = make_release(slug="to-be-retracted", title="Soon withdrawn")
    page, api, listing = (
        f"/en/releases/{release.slug}/",
        f"/api/v1/releases/{release.slug}/",
        "/en/releases/",
    )
    for path in (page, api, listing, page, api, listing):
        assert client.get(path).status_code == 200
    assert client.get(page)["X-Page-Cache"] == "hit"

    workflow.statement_retract(
        statement_id=release.pk, by=make_staff("publisher"), reason="Facts were wrong."
    )

    tombstone = client.get(page)
    assert tombstone["X-Page-Cache"] == "miss"
    assert tombstone.status_code == 410
    assert b"Facts were wrong." in tombstone.content
    assert b"Body of release" not in tombstone.content
    assert client.get(api).json()["status"] == "retracted"
    assert b"Soon withdrawn" not in client.get(listing).content


def test_an_embargoed_release_appears_when_its_embargo_ends_without_any_write(client, make_release):
    # The visibility rule compares with the database clock, which time-machine cannot move:
    # the embargo ends a moment from now and the test waits for it.
    ends = timezone.now() + datetime.timedelta(seconds=1.5)
    release = make_release(slug="embargoed-until-soon", embargo_until=ends)
    page, api = f"/en/releases/{release.slug}/", f"/api/v1/releases/{release.slug}/"
    for path in (page, api):
        assert client.get(path).status_code == 404
        kept = client.get(path)
        assert (kept.status_code, kept["X-Page-Cache"]) == (404, "hit")
    assert b"embargoed-until-soon" not in client.get("/en/releases/").content
    version = public_version()

    time.sleep(max(0.0, (ends - timezone.now()).total_seconds()) + 0.1)

    assert public_version() != version
    shown = client.get(page)
    assert (shown.status_code, shown["X-Page-Cache"]) == (200, "miss")
    assert client.get(api).status_code == 200
    assert b"embargoed-until-soon" in client.get("/en/releases/").content


def test_a_scheduled_publication_time_moves_the_version_when_reached(make_release):
    make_release(published_at=timezone.now() + datetime.timedelta(seconds=1))
    version = public_version()
    assert public_version() == version
    time.sleep(1.1)
    assert public_version() != version


def test_a_staff_session_is_never_served_nor_fills_the_cache(client, make_release, make_staff):
    release = make_release()
    page = f"/en/releases/{release.slug}/"
    client.force_login(make_staff("editor"))
    for _ in range(2):
        staff = client.get(page)
        assert staff.status_code == 200
        assert staff["X-Page-Cache"] == "bypass"
        assert staff["Cache-Control"] == "private, no-store"
        assert "Cookie" in staff["Vary"]
    staff_api = client.get("/api/v1/releases/")
    assert (staff_api["X-Page-Cache"], staff_api["Cache-Control"]) == (
        "bypass",
        "private, no-store",
    )
    assert _pages_kept() == 0

    client.logout()
    anonymous = client.get(page)
    assert anonymous["X-Page-Cache"] == "miss"  # nothing the staff session saw was kept
    client.force_login(make_staff("publisher"))
    assert client.get(page)["X-Page-Cache"] == "bypass"  # nor is what anonymous readers got


def test_a_token_or_any_session_cookie_bypasses_the_cache(client, make_release, settings):
    make_release()
    client.get("/api/v1/releases/")
    with_token = client.get("/api/v1/releases/", HTTP_AUTHORIZATION="Token abc")
    assert with_token["X-Page-Cache"] == "bypass"
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    stale = client.get("/api/v1/releases/")
    assert stale["X-Page-Cache"] == "bypass"
    assert stale["Cache-Control"] == "public, max-age=60"  # nobody is logged in


def test_edits_of_hidden_statements_leave_the_public_version_alone(client, make_release):
    campaign = make_release().campaign
    assert client.get("/en/releases/").status_code == 200
    version = public_version()

    draft = StatementFactory(campaign=campaign, state=Statement.State.DRAFT)
    translation = TranslationFactory(statement=draft, language="en", title="Draft title")
    translation.title = "Draft title, rewritten"
    translation.save()
    draft.state = Statement.State.IN_REVIEW
    draft.save()
    make_release(state=Statement.State.APPROVED)

    assert public_version() == version
    assert client.get("/en/releases/")["X-Page-Cache"] == "hit"


def test_public_writes_move_the_public_version(client, make_release):
    release = make_release(title="Before")
    version = public_version()
    translation = release.translation("en")
    translation.title = "After"
    translation.save()
    assert public_version() != version
    assert b"After" in client.get(f"/en/releases/{release.slug}/").content

    version = public_version()
    release.campaign.name = {"en": "Renamed campaign"}
    release.campaign.save()
    assert public_version() != version

    version = public_version()
    release.state = Statement.State.DRAFT  # hidden again by a direct save (not the workflow)
    release.save()
    assert public_version() != version
    assert client.get(f"/en/releases/{release.slug}/").status_code == 404


def test_a_conditional_get_of_a_kept_page_or_api_answer_is_a_304(client, make_release):
    release = make_release()
    for path in (f"/en/releases/{release.slug}/", "/en/releases/", "/api/v1/releases/"):
        first = client.get(path)
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (again.status_code, again["X-Page-Cache"]) == (304, "hit"), path
        assert again["ETag"] == first["ETag"]
        assert again["Cache-Control"] == "public, max-age=60"
        assert again.content == b""


def test_a_conditional_get_on_a_miss_still_keeps_the_whole_page(client, make_release):
    release = make_release()
    page = f"/en/releases/{release.slug}/"
    etag = client.get(page)["ETag"]
    for store in cache._stores():  # this process's memory, and Redis where set
        store.clear()
    not_modified = client.get(page, HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status_code, not_modified["X-Page-Cache"]) == (304, "miss")
    kept = client.get(page)
    assert (kept.status_code, kept["X-Page-Cache"]) == (200, "hit")
    assert kept["ETag"] == etag and b"Body of release" in kept.content


def test_cache_control_per_case(client, make_release):
    release = make_release()
    page = client.get(f"/en/releases/{release.slug}/")
    assert page["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in page["Vary"]
    missing = client.get("/en/releases/no-such-release/")
    assert missing.status_code == 404
    assert missing["Cache-Control"] == "public, max-age=60"
    assert client.get("/en/releases/no-such-release/")["X-Page-Cache"] == "hit"
    api = client.get("/api/v1/releases/")
    assert api["Cache-Control"] == "public, max-age=60"
    refused = client.get("/api/v1/releases/?page=zero")
    assert refused.status_code == 400 and "X-Page-Cache" not in refused
    assert client.get("/api/v1/releases/?page=zero").status_code == 400


def test_api_answers_are_kept_per_accept_header(client, make_release):
    make_release()
    as_json = client.get("/api/v1/releases/", HTTP_ACCEPT="application/json")
    assert as_json["Content-Type"].startswith("application/json")
    browsable = client.get("/api/v1/releases/", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    assert browsable.get("X-Page-Cache") != "hit"
    assert client.get("/api/v1/releases/", HTTP_ACCEPT="application/json")["X-Page-Cache"] == "hit"


def test_throttled_clients_are_refused_even_from_the_cache(client, make_release, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"},
    }
    make_release()
    answers = [client.get("/api/v1/releases/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1]["X-Page-Cache"] == "hit"


def test_page_cache_can_be_turned_off(client, make_release, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_release()
    client.get("/en/releases/")
    assert client.get("/en/releases/")["X-Page-Cache"] == "bypass"
    assert _pages_kept() == 0


def test_kept_answers_are_gzipped_for_clients_that_accept_it(client, make_release):
    release = make_release()
    for path in (f"/en/releases/{release.slug}/", "/api/v1/releases/"):
        plain = client.get(path)
        packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert packed["X-Page-Cache"] == "hit"
        assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
        assert gzip.decompress(packed.content) == plain.content
        assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
        assert packed["ETag"] == "W/" + plain["ETag"]
        again = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
        assert again.status_code == 304


def test_a_complete_kept_answer_is_given_before_the_rest_of_the_middleware(client, make_release):
    release = make_release()
    page = f"/en/releases/{release.slug}/"
    made = client.get(page)
    kept = client.get(page)
    assert kept["X-Page-Cache"] == "hit"
    assert not hasattr(kept.wsgi_request, "user")  # authentication never ran for it
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "ETag"):
        assert kept[header] == made[header], header
    assert set(kept["Vary"].split(", ")) >= {"Cookie", "Accept-Encoding"}

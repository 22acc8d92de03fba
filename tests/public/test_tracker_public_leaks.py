# ruff: noqa: F811  (the tracker fixture is imported)
"""Only what a public release refers to is public: an ask, a target, an invitation or a response
of a draft, an embargoed, or a retracted-under-embargo statement appears nowhere (pages, API,
feeds, sitemap, static export); ask records count public releases only."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from statements.models import Statement
from tests.public.tracker_fixtures import HIDDEN_MARKERS, tracker  # noqa: F401

pytestmark = pytest.mark.django_db


def _public_paths(tracker) -> list[str]:
    paths = ["/sitemap.xml", "/api/v1/asks/", "/api/v1/targets/", "/api/v1/campaigns/"]
    paths += ["/api/v1/releases/", f"/api/v1/asks/{tracker.ask.pk}/"]
    for slug in ("asean", "laos", "malaysia", "philippines"):
        paths.append(f"/api/v1/targets/{slug}/")
    for lang in ("en", "my"):
        paths += [f"/{lang}/targets/", f"/{lang}/asks/{tracker.ask.pk}/"]
        paths += [f"/{lang}/feeds/releases.xml", f"/{lang}/campaigns/asean-complicity/"]
        for slug in ("asean", "laos", "malaysia", "philippines"):
            paths += [f"/{lang}/targets/{slug}/", f"/{lang}/feeds/targets/{slug}.xml"]
            paths.append(f"/{lang}/feeds/targets/{slug}.atom")
        for slug in ("first-call", "second-call"):
            paths.append(f"/{lang}/releases/{slug}/")
    return paths


def test_hidden_asks_targets_invitations_and_responses_appear_nowhere(client, tracker):
    for path in _public_paths(tracker):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        for marker in HIDDEN_MARKERS:
            assert marker not in body, f"{path} shows {marker}"
        # The retracted release is a tombstone: it makes and repeats nothing any more.
        assert "retracted-call" not in body, path


def test_hidden_ask_and_target_answer_404_everywhere(client, tracker):
    for path in (
        f"/en/asks/{tracker.hidden_ask.pk}/",
        f"/my/asks/{tracker.hidden_ask.pk}/",
        f"/api/v1/asks/{tracker.hidden_ask.pk}/",
        "/en/targets/mark-hidden-target/",
        "/my/targets/mark-hidden-target/",
        "/api/v1/targets/mark-hidden-target/",
        "/en/feeds/targets/mark-hidden-target.xml",
        "/my/feeds/targets/mark-hidden-target.atom",
    ):
        assert client.get(path).status_code == 404, path


def test_asked_times_and_invitations_count_public_releases_only(client, tracker):
    ask = client.get(f"/api/v1/asks/{tracker.ask.pk}/").json()
    assert [r["slug"] for r in ask["releases"]] == ["first-call", "second-call"]
    malaysia = client.get("/api/v1/targets/malaysia/").json()
    assert {i["release"] for i in malaysia["invitations"]} == {"first-call", "second-call"}
    page = client.get("/en/targets/malaysia/").content.decode()
    assert "Response rate: 50%" in page  # the hidden responses are not counted


def test_an_embargo_running_out_makes_its_records_public_then(client, tracker):
    # Visibility compares with the database clock: move the embargo time instead of the clock.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Statement.objects.filter(pk=tracker.hidden["embargoed"].pk).update(embargo_until=past)
    ask = client.get(f"/api/v1/asks/{tracker.ask.pk}/").json()
    assert "mark-embargoed" in [r["slug"] for r in ask["releases"]]
    assert client.get("/api/v1/targets/mark-hidden-target/").status_code == 200
    # Retracted under its embargo: still nothing.
    assert "mark-embargo-retracted" not in str(ask)


def test_a_retraction_takes_the_release_out_of_the_record(client, tracker):
    Statement.objects.filter(pk=tracker.first.pk).update(
        state=Statement.State.RETRACTED, retracted_at=timezone.now(), retraction_reason="Wrong."
    )
    ask = client.get(f"/api/v1/asks/{tracker.ask.pk}/").json()
    # The second release is now the first public one to make the ask.
    assert ask["releases"] == [
        {"slug": "second-call", "published_at": "2025-06-01T03:00:00Z", "role": "made"}
    ]
    assert next(h for h in ask["history"] if h["on"] == "2025-03-01")["statement"] is None
    invitations = client.get("/api/v1/targets/malaysia/").json()["invitations"]
    assert [i["release"] for i in invitations] == ["second-call"]


def test_static_export_includes_tracker_pages_and_no_hidden_data(tracker, tmp_path, settings):
    settings.SITE_URL = "https://press.example.org"
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out))
    for path in (
        "en/targets/index.html",
        "my/targets/malaysia/index.html",
        f"en/asks/{tracker.ask.pk}/index.html",
        "my/feeds/targets/asean.atom",
        "en/feeds/targets/laos.xml",
    ):
        assert (out / path).is_file(), path
    assert not (out / "en/targets/mark-hidden-target").exists()
    assert not (out / f"en/asks/{tracker.hidden_ask.pk}").exists()
    for file in out.rglob("*"):
        if file.suffix in (".html", ".xml", ".atom", ".json"):
            text = file.read_text(encoding="utf-8")
            for marker in HIDDEN_MARKERS:
                assert marker not in text, f"{file} shows {marker}"
    page = (out / "en/targets/malaysia/index.html").read_text(encoding="utf-8")
    assert 'href="../../releases/first-call/index.html"' in page

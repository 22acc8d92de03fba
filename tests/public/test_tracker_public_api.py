# ruff: noqa: F811  (the tracker fixture is imported)
"""GET /api/v1/asks/<id>/ and /api/v1/targets/<slug>/ exactly per CONTRACT.md "Campaign
tracker"; conditional GET; the list endpoints and the staff POST beside them keep working."""

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from tests.public.tracker_fixtures import tracker  # noqa: F401

pytestmark = pytest.mark.django_db


def test_ask_json_has_exactly_the_contract_fields(client, tracker):
    response = client.get(f"/api/v1/asks/{tracker.ask.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "campaign", "text", "status", "history", "releases", "targets"}
    assert body["id"] == tracker.ask.pk
    assert body["campaign"] == {"slug": "asean-complicity", "name": {"en": "ASEAN complicity"}}
    assert body["text"] == {
        "en": "Ban the junta from ASEAN meetings.",
        "my": "စစ်ကောင်စီကို ပိတ်ပင်ပါ။",
    }
    assert body["status"] == tracker.ask.status
    assert all(
        set(h) == {"status", "on", "note", "statement", "source_url"} for h in body["history"]
    )
    by_date = {h["on"]: h for h in body["history"]}
    assert by_date["2025-03-01"]["statement"] == "first-call"
    assert by_date["2025-03-01"]["status"] == "partly_met"
    assert by_date["2025-05-01"]["statement"] is None  # cites a draft: never named
    assert by_date["2025-07-01"]["source_url"] == "https://example.org/news"
    assert body["releases"] == [
        {"slug": "first-call", "published_at": "2025-01-10T03:00:00Z", "role": "made"},
        {"slug": "second-call", "published_at": "2025-06-01T03:00:00Z", "role": "repeated"},
    ]
    assert body["targets"] == ["asean"]


def test_target_json_has_exactly_the_contract_fields(client, tracker):
    body = client.get("/api/v1/targets/malaysia/").json()
    assert body["slug"] == "malaysia"
    assert body["name"] == {"en": "Government of Malaysia", "my": "မလေးရှား အစိုးရ"}
    assert body["kind"] == "government" and body["country"] == "MY"
    assert body["roles"] == [
        {
            "role": {"slug": "asean-chair", "name": {"en": "ASEAN Chair", "my": "အာဆီယံ ဥက္ကဋ္ဌ"}},
            "starts_on": "2025-01-01",
            "ends_on": "2026-01-01",
        }
    ]
    assert body["asks"] == [tracker.ask.pk]
    assert body["invitations"] == [
        {
            "release": "second-call",
            "due_on": "2025-06-15",
            "responded_on": None,
            "response_url": "",
            "status": "no_response",
        },
        {
            "release": "first-call",
            "due_on": "2025-02-01",
            "responded_on": "2025-01-25",
            "response_url": "https://example.org/malaysia-reply",
            "status": "responded",
        },
    ]
    awaiting = client.get("/api/v1/targets/asean/").json()["invitations"]
    assert [i["status"] for i in awaiting] == ["awaiting"]
    assert client.get("/api/v1/targets/laos/").json()["roles"][0]["ends_on"] == "2025-01-01"
    assert client.get("/api/v1/targets/philippines/").json()["roles"][0]["ends_on"] is None


def test_tracker_json_answers_304_to_a_conditional_get(client, tracker):
    for path in (f"/api/v1/asks/{tracker.ask.pk}/", "/api/v1/targets/malaysia/"):
        first = client.get(path)
        assert first["ETag"]
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


def test_tracker_json_404s(client, tracker):
    for path in (
        "/api/v1/asks/999999/",
        "/api/v1/asks/abc/",
        "/api/v1/asks/99999999999999999999999/",
        "/api/v1/targets/nobody/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["message"]


def test_lists_keep_their_shape_and_post_still_creates(client, tracker):
    asks = client.get("/api/v1/asks/").json()["results"]
    assert [a["id"] for a in asks] == [tracker.ask.pk]
    assert asks[0]["campaign"] == "asean-complicity" and asks[0]["targets"] == ["asean"]
    targets = {t["slug"]: t for t in client.get("/api/v1/targets/").json()["results"]}
    assert set(targets) == {"asean", "laos", "malaysia", "philippines"}
    assert targets["malaysia"]["parent"] == "asean"
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=tracker.editor)}")
    created = editor.post(
        "/api/v1/asks/",
        {"campaign": "asean-complicity", "slug": "stop-arms", "text": {"en": "Stop arms."}},
        format="json",
    )
    assert created.status_code == 201
    # A new ask no public release makes is not public.
    assert client.get(f"/api/v1/asks/{created.json()['id']}/").status_code == 404


def test_schema_describes_the_tracker_detail_fields(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert {"history", "releases"} <= set(components["AskDetail"]["properties"])
    assert {"roles", "invitations"} <= set(components["TargetDetail"]["properties"])

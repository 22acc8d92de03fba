# ruff: noqa: F811  (fixtures imported from tests/statements/conftest.py)
"""The campaign tracker's staff API per CONTRACT.md (tokens, through the test client), and the
admin, which cannot write an ask's status around the service."""

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from campaigns.models import Ask, AskStatusChange
from tests.factories import AskFactory, TargetFactory
from tests.statements.conftest import approved, campaign, draft, published, staff  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


def test_post_asks_creates_an_ask_201_with_its_id(campaign, staff):
    TargetFactory(slug="asean")
    response = client_for(staff.editor).post(
        "/api/v1/asks/",
        {
            "campaign": campaign.slug,
            "slug": "ban-the-junta",
            "text": {"en": "Ban the junta.", "my": "စစ်ကောင်စီကို ပိတ်ပင်ပါ။"},
            "targets": ["asean"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    ask = Ask.objects.get(pk=response.json()["id"])
    assert ask.slug == "ban-the-junta" and ask.status == "open"
    assert [t.slug for t in ask.targets.all()] == ["asean"]


def test_post_asks_refusals(campaign, staff):
    data = {"campaign": campaign.slug, "slug": "x", "text": {"en": "X."}}
    assert client_for(staff.author).post("/api/v1/asks/", data, format="json").status_code == 403
    assert client_for().post("/api/v1/asks/", data, format="json").status_code in (401, 403)
    editor = client_for(staff.editor)
    unknown = editor.post("/api/v1/asks/", data | {"campaign": "nope"}, format="json")
    assert unknown.status_code == 400 and "Unknown campaign" in unknown.json()["message"]
    bad_target = editor.post("/api/v1/asks/", data | {"targets": ["nobody"]}, format="json")
    assert bad_target.status_code == 400 and "nobody" in bad_target.json()["message"]
    assert not Ask.objects.exists()


def test_get_asks_is_still_the_public_list(campaign):
    response = APIClient().get("/api/v1/asks/")
    assert response.status_code == 200


def test_status_change_with_a_link_answers_201_and_sets_the_status(staff):
    ask = AskFactory()
    response = client_for(staff.editor).post(
        f"/api/v1/asks/{ask.pk}/status/",
        {"status": "met", "on": "2025-06-01", "source_url": "https://example.org/n", "note": "Met"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["on"] == "2025-06-01" and body["source_url"] == "https://example.org/n"
    assert body["statement"] is None and body["current_status"] == "met"
    ask.refresh_from_db()
    assert ask.status == "met"


def test_status_change_citing_our_statement(published, staff):
    ask = AskFactory(campaign=published.campaign)
    response = client_for(staff.publisher).post(
        f"/api/v1/asks/{ask.pk}/status/",
        {"status": "rejected", "on": "2025-04-24", "statement": published.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["statement"] == published.slug


def test_status_change_without_a_source_is_a_400_naming_the_rule(staff):
    ask = AskFactory()
    response = client_for(staff.editor).post(
        f"/api/v1/asks/{ask.pk}/status/", {"status": "met", "on": "2025-06-01"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "needs a source" in body["message"]
    assert body["extra"]["rule"] == "status_change_needs_source"
    assert not AskStatusChange.objects.filter(ask=ask).exists()


def test_status_change_refusals(staff):
    ask = AskFactory()
    data = {"status": "met", "on": "2025-06-01", "source_url": "https://example.org/"}
    path = f"/api/v1/asks/{ask.pk}/status/"
    assert client_for(staff.author).post(path, data, format="json").status_code == 403
    editor = client_for(staff.editor)
    assert editor.post("/api/v1/asks/999999/status/", data, format="json").status_code == 404
    assert editor.post("/api/v1/asks/abc/status/", data, format="json").status_code == 404
    no_date = editor.post(path, data | {"on": "yesterday"}, format="json")
    assert no_date.status_code == 400 and "on" in no_date.json()["message"]
    unknown = editor.post(path, data | {"status": "maybe"}, format="json")
    assert unknown.status_code == 400 and "maybe" in unknown.json()["message"]
    missing = editor.post(path, data | {"statement": 999999}, format="json")
    assert missing.status_code == 400 and "No such statement" in missing.json()["message"]
    ask.refresh_from_db()
    assert ask.status == "open" and not ask.status_changes.exists()


def test_patch_statement_takes_asks_by_id(draft, staff):
    ask = AskFactory(campaign=draft.campaign)
    client = client_for(staff.author)
    response = client.patch(f"/api/v1/statements/{draft.pk}/", {"asks": [ask.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["asks"] == [ask.slug]
    unknown = client.patch(f"/api/v1/statements/{draft.pk}/", {"asks": [999999]}, format="json")
    assert unknown.status_code == 400 and "999999" in unknown.json()["message"]


# --- the admin ---------------------------------------------------------------------------


def test_admin_cannot_write_an_ask_status_around_the_service(client, staff):
    ask = AskFactory(status="open")
    client.force_login(staff.admin)
    page = client.get(f"/admin/campaigns/ask/{ask.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    client.post(
        f"/admin/campaigns/ask/{ask.pk}/change/",
        {
            "campaign": ask.campaign_id,
            "slug": ask.slug,
            "text": '{"en": "Changed."}',
            "status": "met",
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-INITIAL_FORMS": "0",
            "status_changes-0-status": "met",
            "status_changes-0-changed_on": "2025-01-01",
        },
    )
    ask.refresh_from_db()
    assert ask.status == "open"
    assert not AskStatusChange.objects.filter(status="met").exists()
    assert client.get("/admin/campaigns/askstatuschange/add/").status_code == 403

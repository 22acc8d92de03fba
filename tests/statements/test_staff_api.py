"""The staff API calls the same workflow: 400 with the rule, 403 for the role, never 500."""

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from statements import workflow
from statements.models import Statement
from tests.statements.conftest import EN, MY, in_future

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


def test_create_answers_201_with_the_staff_statement_json(campaign, staff):
    response = client_for(staff.author).post(
        "/api/v1/statements/",
        {
            "campaign": campaign.slug,
            "translations": {"en": EN, "my": MY | {"complete": False}},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {
        "id",
        "slug",
        "state",
        "required_languages",
        "embargo_until",
        "scheduled_at",
        "published_at",
        "translations",
    } <= set(body)
    assert body["state"] == "draft" and body["required_languages"] == ["en", "my"]
    assert body["translations"]["en"] == {
        "title": EN["title"],
        "summary": EN["summary"],
        "body": EN["body"],
        "quotes": [],
        "more_information": "",
        "complete": True,
        "stale": False,
    }
    assert body["translations"]["my"]["complete"] is False


def test_patch_replaces_only_the_languages_given(draft, staff):
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{draft.pk}/",
        {"translations": {"en": EN | {"title": "New"}}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["translations"]["en"]["title"] == "New"
    assert body["translations"]["my"]["title"] == MY["title"]
    assert body["translations"]["my"]["stale"] is True


def test_a_real_edit_of_an_approved_statement_moves_it_to_in_review(approved, staff):
    response = client_for(staff.author).patch(
        f"/api/v1/statements/{approved.pk}/",
        {"translations": {"my": MY | {"summary": "ပြင်သည်။"}}},
        format="json",
    )
    assert response.json()["state"] == "in_review"


def test_the_whole_workflow_through_the_api(campaign, staff):
    author, editor, publisher = (
        client_for(u) for u in (staff.author, staff.editor, staff.publisher)
    )
    sid = author.post(
        "/api/v1/statements/",
        {"campaign": campaign.slug, "translations": {"en": EN, "my": MY}},
        format="json",
    ).json()["id"]
    assert author.post(f"/api/v1/statements/{sid}/submit/").json()["state"] == "in_review"
    r = editor.post(f"/api/v1/statements/{sid}/request-changes/", {"comment": "Fix"}, format="json")
    assert r.json()["state"] == "changes_requested"
    author.patch(
        f"/api/v1/statements/{sid}/",
        {"translations": {"en": EN | {"body": "Fixed."}, "my": MY | {"body": "ပြင်ပြီး။"}}},
        format="json",
    )
    author.post(f"/api/v1/statements/{sid}/submit/")
    assert editor.post(f"/api/v1/statements/{sid}/approve/").json()["state"] == "approved"
    r = publisher.post(
        f"/api/v1/statements/{sid}/schedule/",
        {"scheduled_at": in_future().isoformat()},
        format="json",
    )
    assert r.json()["state"] == "scheduled" and r.json()["scheduled_at"]
    r = publisher.post(f"/api/v1/statements/{sid}/publish/")
    assert r.json()["state"] == "published" and r.json()["published_at"]
    r = publisher.post(f"/api/v1/statements/{sid}/retract/", {"reason": "Wrong"}, format="json")
    assert r.json()["state"] == "retracted"


@pytest.mark.parametrize(
    ("path", "payload", "needle"),
    [
        ("request-changes", {}, "comment"),
        ("schedule", {}, "scheduled_at"),
        ("correct", {}, "notes"),
    ],
)
def test_missing_fields_answer_400_with_a_message(approved, staff, path, payload, needle):
    user = staff.editor if path == "request-changes" else staff.publisher
    response = client_for(user).post(
        f"/api/v1/statements/{approved.pk}/{path}/", payload, format="json"
    )
    assert response.status_code == 400
    assert needle in response.json()["message"]
    assert set(response.json()) == {"message", "extra"}


def test_a_broken_rule_answers_400_naming_the_rule(draft, staff):
    response = client_for(staff.editor).post(f"/api/v1/statements/{draft.pk}/approve/")
    assert response.status_code == 400
    assert "review" in response.json()["message"]


def test_four_eyes_through_the_api(campaign, staff):
    editor = client_for(staff.editor)
    sid = editor.post(
        "/api/v1/statements/",
        {"campaign": campaign.slug, "translations": {"en": EN, "my": MY}},
        format="json",
    ).json()["id"]
    editor.post(f"/api/v1/statements/{sid}/submit/")
    response = editor.post(f"/api/v1/statements/{sid}/approve/")
    assert response.status_code == 400 and "Four eyes" in response.json()["message"]


def test_unknown_fields_and_bad_values_are_400_not_500(campaign, staff):
    client = client_for(staff.author)
    for payload in (
        {"campaign": campaign.slug, "translations": {"en": EN}, "colour": "red"},
        {"campaign": "nope", "translations": {"en": EN}},
        {"campaign": campaign.slug, "translations": {"xx": EN}},
        {"campaign": campaign.slug, "translations": {"en": "text"}},
        {"campaign": campaign.slug, "translations": {"en": EN}, "embargo_until": "tomorrow"},
        {"campaign": campaign.slug, "slug": "မြန်မာ", "translations": {"en": EN}},
    ):
        response = client.post("/api/v1/statements/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert response.json()["message"]
    assert Statement.objects.count() == 0


def test_every_staff_role_can_read_every_statement(draft, staff):
    for user in (staff.author2, staff.editor, staff.publisher, staff.admin):
        response = client_for(user).get(f"/api/v1/statements/{draft.pk}/")
        assert response.status_code == 200
    assert client_for(staff.author2).get("/api/v1/statements/").json()


def test_anonymous_and_non_staff_users_are_refused(draft, django_user_model):
    assert client_for().get("/api/v1/statements/").status_code in (401, 403)
    outsider = django_user_model.objects.create_user("outsider", password="x" * 20)
    response = client_for(outsider).get("/api/v1/statements/")
    assert response.status_code == 403


def test_a_zawgyi_paste_through_the_api_is_converted_and_reported(campaign, staff):
    from burmese import clean_burmese

    zawgyi = "ျမန္မာႏိုင္ငံ လူ႔အခြင့္အေရး"
    response = client_for(staff.author).post(
        "/api/v1/statements/",
        {
            "campaign": campaign.slug,
            "translations": {"en": EN, "my": MY | {"title": zawgyi}},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["translations"]["my"]["title"] == clean_burmese(zawgyi).text
    assert body["translations"]["my"]["title"].startswith("မြန်မာ")
    assert any(n["converted_from"] == "Zawgyi" for n in body["notices"])


def test_workflow_allowed_actions_are_listed_for_the_user(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    assert (
        "approve"
        in client_for(staff.editor).get(f"/api/v1/statements/{draft.pk}/").json()["actions"]
    )
    assert (
        "approve"
        not in client_for(staff.author).get(f"/api/v1/statements/{draft.pk}/").json()["actions"]
    )

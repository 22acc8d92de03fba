"""{anonymous, author, editor, publisher, admin} × every action, through the API and the desk.

Each cell gets a statement in the state the action needs, prepared by other users, so the only
thing that decides the answer is the role.
"""

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from statements import workflow
from tests.statements.conftest import EN, MY, in_future

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "author", "editor", "publisher", "admin"]
ALLOWED = {
    "create": {"author", "editor", "publisher", "admin"},
    "edit": {"author", "editor", "publisher", "admin"},
    "submit": {"author", "editor", "publisher", "admin"},
    "request-changes": {"editor", "admin"},
    "approve": {"editor", "admin"},
    "schedule": {"publisher", "admin"},
    "publish": {"publisher", "admin"},
    "correct": {"publisher", "admin"},
    "retract": {"publisher", "admin"},
}


@pytest.fixture
def crew(make_staff):
    return {
        "writer": make_staff("author", "writer"),
        "reviewer": make_staff("editor", "rev"),
        "releaser": make_staff("publisher", "rel"),
    }


def prepare(action: str, campaign, crew):
    """A statement in the state `action` needs, made by the crew, never by the actor."""
    if action == "create":
        return None
    s, _ = workflow.statement_create(
        by=crew["writer"], campaign=campaign.slug, translations={"en": EN, "my": MY}
    )
    if action in ("edit", "submit"):
        return s
    workflow.statement_submit(statement_id=s.pk, by=crew["writer"])
    if action in ("approve", "request-changes"):
        return s
    workflow.statement_approve(statement_id=s.pk, by=crew["reviewer"])
    if action in ("schedule", "publish"):
        return s
    workflow.statement_publish(statement_id=s.pk, by=crew["releaser"])
    if action == "correct":
        workflow.statement_edit(
            statement_id=s.pk,
            by=crew["writer"],
            translations={"en": EN | {"body": "Corrected."}, "my": MY | {"body": "ပြင်ဆင်ပြီး။"}},
        )
        workflow.statement_submit(statement_id=s.pk, by=crew["writer"])
        workflow.statement_approve(statement_id=s.pk, by=crew["reviewer"])
    return s


PAYLOADS = {
    "request-changes": {"comment": "Please fix"},
    "schedule": {"scheduled_at": None},
    "correct": {"notes": {"en": "Corrected a figure.", "my": "ကိန်းဂဏန်း ပြင်ဆင်သည်။"}},
    "retract": {"reason": "Withdrawn"},
}


def _actor(role, make_staff):
    return None if role == "anonymous" else make_staff(role, f"actor-{role}")


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix(role, action, campaign, crew, make_staff):
    statement = prepare(action, campaign, crew)
    actor = _actor(role, make_staff)
    client = APIClient()
    if actor:
        client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=actor)}")
    if action == "create":
        response = client.post(
            "/api/v1/statements/",
            {"campaign": campaign.slug, "translations": {"en": EN}},
            format="json",
        )
    elif action == "edit":
        response = client.patch(
            f"/api/v1/statements/{statement.pk}/",
            {"translations": {"en": EN | {"title": "Edited"}}},
            format="json",
        )
    else:
        payload = dict(PAYLOADS.get(action, {}))
        if action == "schedule":
            payload["scheduled_at"] = in_future().isoformat()
        response = client.post(
            f"/api/v1/statements/{statement.pk}/{action}/", payload, format="json"
        )
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in ALLOWED[action]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["message"]


DESK_FIELDS = {
    "request-changes": ("request_changes", {"comment": "Please fix"}),
    "schedule": ("schedule", {"scheduled_at": "2099-01-01 10:00"}),
    "correct": ("correct", {"note-en": "Corrected a figure.", "note-my": "ပြင်ဆင်သည်။"}),
    "retract": ("retract", {"reason": "Withdrawn"}),
}


def _desk_form(language_data: dict) -> dict:
    form = {}
    for lang, fields in language_data.items():
        for name, value in fields.items():
            form[f"{lang}-{name}"] = value
        form[f"{lang}-complete"] = "on"
    return form


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_desk_permission_matrix(role, action, campaign, crew, make_staff, client):
    statement = prepare(action, campaign, crew)
    actor = _actor(role, make_staff)
    if actor:
        client.force_login(actor)
    if action == "create":
        response = client.post(
            "/desk/statements/new/",
            {"campaign": campaign.slug, "kind": "press_release", **_desk_form({"en": EN})},
        )
    elif action == "edit":
        response = client.post(
            f"/desk/statements/{statement.pk}/save/",
            _desk_form({"en": EN | {"title": "Edited"}, "my": MY}),
        )
    else:
        name, data = DESK_FIELDS.get(action, (action, {}))
        response = client.post(f"/desk/statements/{statement.pk}/{name}/", data)
    if role == "anonymous":
        assert response.status_code == 302 and "/desk/login/" in response["Location"]
    elif role in ALLOWED[action]:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert "/desk/statements/" in response["Location"]
    else:
        assert response.status_code == 403

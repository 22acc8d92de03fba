from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.staff import staff_token
from contacts.models import Contact, Suppression, address_hash
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


@pytest.mark.parametrize("role", ["publisher", "admin"])
def test_publishers_and_admins_create_lists_and_contacts(make_staff, role):
    api = client_for(make_staff(role))
    created = api.post(
        "/api/v1/media-lists/",
        {"slug": "regional", "name": "Regional press", "embargo_trusted": True},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["slug"] == "regional" and created.json()["id"]
    contact = api.post(
        "/api/v1/contacts/",
        {
            "email": "Editor@Example.org",
            "languages": ["en", "my"],
            "name": "Ko Aung",
            "outlet": "Irrawaddy",
            "country": "mm",
            "media_lists": ["regional"],
            "embargo_trusted": True,
        },
        format="json",
    )
    assert contact.status_code == 201, contact.content
    body = api.get(f"/api/v1/contacts/{contact.json()['id']}/").json()
    assert body["status"] == "active" and body["country"] == "MM"
    assert body["media_lists"] == ["regional"] and body["languages"] == ["en", "my"]


@pytest.mark.parametrize("role", ["author", "editor"])
def test_other_roles_are_refused_with_403(make_staff, role):
    api = client_for(make_staff(role))
    assert (
        api.post("/api/v1/media-lists/", {"slug": "x", "name": "X"}, format="json").status_code
        == 403
    )
    response = api.post(
        "/api/v1/contacts/", {"email": "a@example.org", "languages": ["en"]}, format="json"
    )
    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}
    assert api.get("/api/v1/contacts/").status_code == 403


def test_same_address_in_another_case_is_refused(make_staff):
    api = client_for(make_staff("publisher"))
    ContactFactory(email="reporter@example.org")
    response = api.post(
        "/api/v1/contacts/", {"email": "REPORTER@example.org", "languages": ["en"]}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["message"]


def test_suppressed_address_is_refused(make_staff):
    Suppression.objects.create(address_hash=address_hash("gone@example.org"), reason="erased")
    response = client_for(make_staff("publisher")).post(
        "/api/v1/contacts/", {"email": "Gone@example.org", "languages": ["en"]}, format="json"
    )
    assert response.status_code == 400
    assert "suppression" in response.json()["message"]


@pytest.mark.parametrize(
    "payload, word",
    [
        ({"email": "not-an-address", "languages": ["en"]}, "email"),
        ({"email": "a@example.org", "languages": ["fr"]}, "language"),
        ({"email": "a@example.org", "languages": []}, "language"),
        ({"email": "a@example.org", "languages": ["en"], "media_lists": ["nope"]}, "nope"),
        ({"email": "a@example.org", "languages": ["en"], "country": "Myanmar"}, "country"),
        ({"email": "a@example.org\r\nBcc: x@example.org", "languages": ["en"]}, "email"),
    ],
)
def test_bad_contacts_are_400_with_a_reason(make_staff, payload, word):
    response = client_for(make_staff("publisher")).post("/api/v1/contacts/", payload, format="json")
    assert response.status_code == 400
    assert word in response.json()["message"].lower()
    assert not Contact.objects.exists()


def test_duplicate_list_slug_is_400(make_staff):
    MediaListFactory(slug="press")
    response = client_for(make_staff("admin")).post(
        "/api/v1/media-lists/", {"slug": "press", "name": "Press"}, format="json"
    )
    assert response.status_code == 400


def test_patch_unsubscribe_and_erase(make_staff):
    admin = client_for(make_staff("admin"))
    MediaListFactory(slug="press")
    contact = ContactFactory(email="someone@example.org")
    patched = admin.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"languages": ["my"], "media_lists": ["press"]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["languages"] == ["my"]
    assert (
        admin.post(f"/api/v1/contacts/{contact.pk}/unsubscribe/").json()["status"] == "unsubscribed"
    )
    erased = admin.post(f"/api/v1/contacts/{contact.pk}/erase/").json()
    assert erased["status"] == "erased" and "someone" not in erased["email"]
    assert Suppression.covers("someone@example.org")
    publisher = client_for(make_staff("publisher"))
    assert publisher.post(f"/api/v1/contacts/{contact.pk}/erase/").status_code == 403

"""The login lockout takes the client address through NUM_PROXIES; staff responses are never
stored by a cache; the CSP forbids <base>."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.staff import staff_token
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client, username: str, **headers) -> None:
    client.post("/desk/login/", {"username": username, "password": "wrong password!!"}, **headers)


@override_settings(AXES_FAILURE_LIMIT=3, NUM_PROXIES=0)
def test_without_proxies_a_spoofed_forwarded_for_does_not_dodge_the_lockout(client, make_staff):
    user = make_staff("publisher")
    for n in range(3):
        _fail(client, user.username, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.post(
        "/desk/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code in (403, 429)
    assert client.get("/desk/").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@override_settings(AXES_FAILURE_LIMIT=3, NUM_PROXIES=1)
def test_behind_one_proxy_the_address_it_gives_is_what_is_locked(client, make_staff):
    user = make_staff("publisher")
    # The client's own claim (left) is ignored; our proxy's entry (rightmost) is the address.
    for _ in range(3):
        _fail(client, user.username, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    locked = client.post(
        "/desk/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code in (403, 429)
    elsewhere = client.post(
        "/desk/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert elsewhere.status_code == 302


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_desk_admin_and_staff_api_responses_are_never_stored(client, make_staff):
    assert _no_store(client.get("/desk/login/"))
    assert _no_store(client.get("/desk/"))  # a redirect to the login
    user = make_staff("admin")
    client.force_login(user)
    for url in ("/desk/", "/desk/sends/", "/desk/contacts/", "/desk/tokens/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 200 and _no_store(response), url
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    for url in ("/api/v1/statements/", "/api/v1/contacts/", "/api/v1/distributions/"):
        response = api.get(url)
        assert response.status_code == 200 and _no_store(response), url
    assert _no_store(APIClient().get("/api/v1/statements/"))


def test_the_public_api_keeps_its_own_caching(client):
    assert not _no_store(client.get("/api/v1/releases/"))


def test_the_csp_forbids_base_elements(client):
    policy = client.get("/desk/login/")["Content-Security-Policy"]
    assert "base-uri 'none'" in policy

"""API tokens: hashed at rest, expiring, revocable and rotatable; made in the desk only by a
session with a second factor where one is required."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.staff import staff_token
from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db


def api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _new_token(page) -> str:
    return re.search(r'<code id="new-token">([0-9a-f]+)</code>', page.content.decode()).group(1)


def _all_text_in_database() -> str:
    """Every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the db)
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_database_holds_no_plaintext_token(make_staff):
    token = staff_token(user=make_staff("editor"))
    assert api(token).get("/api/v1/statements/").status_code == 200
    assert token not in _all_text_in_database()
    assert ApiToken.objects.count() == 1


def test_add_staff_prints_a_working_token_last(monkeypatch, capsys, db):
    from tests.conftest import restore_roles

    restore_roles()
    monkeypatch.setenv("STAFF_PASSWORD", "a long enough test password 1")
    call_command("add_staff", "wire-bot", role="publisher", token=True)
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert api(token).get("/api/v1/contacts/").status_code == 200


def test_an_expired_token_answers_401(make_staff):
    token = staff_token(user=make_staff("editor"))
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=91)):
        response = api(token).get("/api/v1/statements/")
    assert response.status_code == 401 and "message" in response.json()


def test_a_wrong_or_malformed_token_answers_401(db):
    for header in ("Token nonsense", "Token ", "Token a b", "Token ééé"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/statements/").status_code == 401, header


def test_desk_makes_lists_revokes_and_rotates_tokens(client, make_staff):
    user = make_staff("publisher")
    client.force_login(user)
    made = client.post("/desk/tokens/", {"name": "wire feed", "days": "30"})
    assert made.status_code == 200
    first = _new_token(made)
    assert api(first).get("/api/v1/contacts/").status_code == 200
    listing = client.get("/desk/tokens/").content.decode()
    assert "wire feed" in listing and first not in listing
    row = ApiToken.objects.get(user=user)
    assert row.last_used_at is not None
    assert round((row.expiry - row.created).total_seconds() / 86400) == 30

    rotated = client.post(f"/desk/tokens/{row.digest}/rotate/")
    second = _new_token(rotated)
    assert second != first
    assert api(first).get("/api/v1/contacts/").status_code == 401
    assert api(second).get("/api/v1/contacts/").status_code == 200
    renewed = ApiToken.objects.get(user=user)
    assert renewed.name == "wire feed"
    assert round((renewed.expiry - renewed.created).total_seconds() / 86400) == 30

    digest = ApiToken.objects.get(user=user).digest
    assert client.post(f"/desk/tokens/{digest}/revoke/").status_code == 302
    assert api(second).get("/api/v1/contacts/").status_code == 401
    assert client.post(f"/desk/tokens/{digest}/revoke/").status_code == 404


def test_one_cannot_revoke_someone_elses_token(client, make_staff):
    token = staff_token(user=make_staff("admin"))
    digest = ApiToken.objects.get().digest
    client.force_login(make_staff("author"))
    assert client.post(f"/desk/tokens/{digest}/revoke/").status_code == 404
    assert api(token).get("/api/v1/statements/").status_code == 200


def test_bad_token_form_input_is_a_clear_400(client, make_staff):
    client.force_login(make_staff("author"))
    assert client.post("/desk/tokens/", {"days": "abc"}).status_code == 400
    assert client.post("/desk/tokens/", {"days": "1000"}).status_code == 400
    assert client.post("/desk/tokens/", {"name": "x" * 300, "days": "7"}).status_code == 400
    assert not ApiToken.objects.exists()


@override_settings(STAFF_2FA_REQUIRED=True)
def test_tokens_are_made_only_by_a_session_with_a_second_factor(client, make_staff):
    user = make_staff("editor")
    log_in(client, user, with_second_factor=False)
    response = client.post("/desk/tokens/", {"name": "x", "days": "7"})
    assert response.status_code == 302 and response["Location"] == "/desk/2fa/"
    assert not ApiToken.objects.exists()
    client.post("/desk/logout/")
    log_in(client, user, with_second_factor=True)
    assert client.post("/desk/tokens/", {"name": "x", "days": "7"}).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.name == "x"


@override_settings(STAFF_2FA_REQUIRED=True)
def test_a_token_works_for_the_api_under_2fa(make_staff):
    # Tokens come only from verified sessions (or the console), so they count as verified.
    token = staff_token(user=make_staff("author"))
    assert api(token).get("/api/v1/statements/").status_code == 200


def test_an_admin_revokes_a_token_in_the_admin_and_sees_no_secret(client, make_staff):
    token = staff_token(user=make_staff("editor"), name="newsroom script")
    row = ApiToken.objects.get()
    client.force_login(make_staff("admin"))
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and "newsroom script" in listing.content.decode()
    assert token not in listing.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    from django.contrib.admin.utils import quote

    delete = client.post(f"/admin/accounts/apitoken/{quote(row.pk)}/delete/", {"post": "yes"})
    assert delete.status_code == 302
    assert api(token).get("/api/v1/statements/").status_code == 401

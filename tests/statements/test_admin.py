"""The admin shows everything but changes statements only through the workflow service."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff.admin)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/statements/statement/",
        "/admin/campaigns/role/",
        "/admin/contacts/contact/",
        "/admin/campaigns/ask/",
        "/admin/statements/statementevent/",
    ],
)
def test_admin_pages_answer_for_admins(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_admin_statement_page_shows_translations_read_only(admin_client, published):
    page = admin_client.get(f"/admin/statements/statement/{published.pk}/change/")
    assert page.status_code == 200
    assert "Open in the desk" in page.content.decode()
    assert 'name="translations-0-title"' not in page.content.decode()


def test_admin_cannot_add_statements_or_rewrite_the_audit_log(admin_client, published):
    assert admin_client.get("/admin/statements/statement/add/").status_code == 403
    event = published.events.first()
    response = admin_client.post(
        f"/admin/statements/statementevent/{event.pk}/change/", {"comment": "rewritten"}
    )
    assert response.status_code == 403


def test_only_admins_enter_the_admin(client, staff):
    client.force_login(staff.publisher)
    refused = client.get("/admin/")  # told why, not sent to a login form again
    assert refused.status_code == 403
    assert b"Only admins use the Django admin." in refused.content

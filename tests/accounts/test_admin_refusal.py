"""A logged-in member of staff without the admin role, at /admin/, is told why and sent to the
desk, never shown the login form again; the admin's pages use the app's Myanmar font."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db


@override_settings(STAFF_2FA_REQUIRED=True)
@pytest.mark.parametrize("path", ["/admin/", "/admin/statements/statement/", "/admin/login/"])
def test_an_editor_at_the_admin_is_shown_why_and_a_link_to_the_desk(client, make_staff, path):
    editor = make_staff("editor", username="thida")
    log_in(client, editor, with_second_factor=True)
    response = client.get(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Only admins use the Django admin." in page
    assert "You are logged in as thida (editor)." in page
    assert 'href="/desk/"' in page
    assert 'id="login-form"' not in page and 'name="password"' not in page
    # Nothing of the admin's contents: no app list, no links to models.
    assert "/admin/statements/" not in page
    assert "/admin/contacts/" not in page


def test_a_user_without_a_role_is_told_they_have_none(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x long password 12")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You are logged in as nobody (no staff role)." in response.content.decode()


@override_settings(STAFF_2FA_REQUIRED=True)
def test_an_admin_without_a_second_factor_is_sent_to_log_in_with_it(client, make_staff):
    log_in(client, make_staff("admin"), with_second_factor=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_anonymous_callers_go_to_the_desk_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/desk/login/")


@override_settings(STAFF_2FA_REQUIRED=True)
def test_an_admin_opens_the_admin_in_the_apps_fonts(client, make_staff):
    log_in(client, make_staff("admin"), with_second_factor=True)
    for path in ("/admin/", "/admin/statements/statement/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'href="/static/css/admin.css"' in response.content.decode(), path
    css = Path(finders.find("css/admin.css")).read_text(encoding="utf-8")
    primary = next(line for line in css.splitlines() if "--font-family-primary" in line)
    assert '"Noto Sans Myanmar"' in primary
    assert 'url("../fonts/NotoSansMyanmar-Regular.ttf")' in css
    assert finders.find("fonts/NotoSansMyanmar-Regular.ttf")

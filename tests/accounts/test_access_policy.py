"""The one access policy over the real URLs: a password-only session under STAFF_2FA_REQUIRED
opens nothing but enrolment and logout; recipients' addresses are for publishers and admins."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts import policy
from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/desk/",
    "/desk/translations/",
    "/desk/search/?q=junta",
    "/desk/statements/new/",
    "/desk/contacts/",
    "/desk/sends/",
    "/desk/sends/new/",
    "/desk/sends/{send}/",
    "/desk/sends/{send}/progress.json",
    "/desk/tokens/",
    "/desk/2fa/recovery-codes/",
]
STAFF_API = [
    "/api/v1/statements/",
    "/api/v1/contacts/",
    "/api/v1/media-lists/",
    "/api/v1/distributions/",
    "/api/v1/distributions/{send}/",
]


@override_settings(STAFF_2FA_REQUIRED=True)
@pytest.mark.parametrize("role", ["author", "publisher", "admin"])
def test_a_password_only_session_opens_only_enrolment_and_logout(
    client, make_staff, send_with_recipients, role
):
    log_in(client, make_staff(role), with_second_factor=False)
    send = send_with_recipients.pk
    for url in STAFF_PAGES:
        response = client.get(url.format(send=send))
        assert response.status_code == 302, url
        assert response["Location"] == "/desk/2fa/", url
    for url in STAFF_API:
        response = client.get(url.format(send=send))
        assert response.status_code in (401, 403), url
        assert "message" in response.json(), url
        assert b"secret.journalist" not in response.content
    response = client.post("/api/v1/media-lists/", {"slug": "x", "name": "X"})
    assert response.status_code in (401, 403)
    admin = client.get("/admin/", follow=True)
    if role == "admin":  # a second factor would let them in: log in with it
        assert admin.redirect_chain[-1][0].startswith("/desk/login/")
        assert client.get("/admin/contacts/contact/").status_code == 302
    else:  # no login would: told why (tests/accounts/test_admin_refusal.py), not a login form
        assert admin.status_code == 403 and b"Only admins use the Django admin." in admin.content
        assert client.get("/admin/contacts/contact/").status_code == 403
    # Enrolment is open; so is logging out.
    assert client.get("/desk/2fa/").status_code == 200
    assert client.post("/desk/logout/").status_code == 302
    assert client.get("/desk/2fa/").status_code == 302


@override_settings(STAFF_2FA_REQUIRED=True)
def test_a_session_verified_with_a_second_factor_opens_the_desk_api_and_admin(
    client, make_staff, send_with_recipients
):
    log_in(client, make_staff("admin"), with_second_factor=True)
    send = send_with_recipients.pk
    for url in STAFF_PAGES:
        assert client.get(url.format(send=send)).status_code == 200, url
    for url in STAFF_API:
        assert client.get(url.format(send=send)).status_code == 200, url
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_see_a_sends_counts_but_no_addresses(
    client, make_staff, send_with_recipients, role
):
    client.force_login(make_staff(role))
    page = client.get(f"/desk/sends/{send_with_recipients.pk}/")
    assert page.status_code == 200
    assert b"secret.journalist@example.org" not in page.content
    assert b'data-count="sent"' in page.content
    assert b"shown to publishers and admins only" in page.content
    filtered = client.get(f"/desk/sends/{send_with_recipients.pk}/?state=sent")
    assert b"secret.journalist" not in filtered.content
    progress = client.get(f"/desk/sends/{send_with_recipients.pk}/progress.json")
    assert progress.json()["counts"]["sent"] == 1 and b"secret" not in progress.content


@pytest.mark.parametrize("role", ["publisher", "admin"])
def test_publishers_and_admins_see_recipients_addresses(
    client, make_staff, send_with_recipients, role
):
    client.force_login(make_staff(role))
    page = client.get(f"/desk/sends/{send_with_recipients.pk}/")
    assert b"secret.journalist@example.org" in page.content


def test_a_user_without_a_role_is_refused_everywhere(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x long password 12")
    client.force_login(user)
    assert client.get("/desk/").status_code == 403
    assert client.get("/desk/2fa/").status_code == 403
    assert client.get("/api/v1/statements/").status_code in (401, 403)
    assert client.get("/admin/").status_code == 403  # told why, not sent to a login form


def test_capabilities_are_declared_once_and_every_desk_view_asks_the_policy():
    from django.urls import get_resolver

    open_views = {"StaffLoginView", "LogoutView", "logout_then_login"}
    resolver = get_resolver()
    desk = next(p for p in resolver.url_patterns if str(p.pattern) == "desk/")
    for pattern in desk.url_patterns:
        view = pattern.callback
        name = getattr(view, "view_class", view).__name__
        if name in open_views:
            continue
        assert getattr(view, "capability", None) in policy.CAPABILITIES, pattern


def test_policy_answers_by_role():
    from django.contrib.auth.models import AnonymousUser

    assert not policy.can(AnonymousUser(), "desk.use")
    with pytest.raises(policy.NotAllowed):
        policy.require(AnonymousUser(), "contacts.view")

"""Staff login: password + TOTP code where enrolled or required; throttled by django-axes."""

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough test password 1"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.fixture
def enrolled(staff):
    return TOTPDevice.objects.create(user=staff.editor, name="phone", confirmed=True)


# django-otp slows guessing down after a wrong code; these tests follow a wrong code at once.
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_an_enrolled_user_needs_the_code_as_well_as_the_password(client, staff, enrolled):
    response = client.post("/desk/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 200 and "authenticator" in response.content.decode()
    assert client.get("/desk/").status_code == 302
    response = client.post(
        "/desk/login/", {"username": "editor", "password": PASSWORD, "otp_token": "000000"}
    )
    assert client.get("/desk/").status_code == 302
    response = client.post(
        "/desk/login/", {"username": "editor", "password": PASSWORD, "otp_token": _code(enrolled)}
    )
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200


@override_settings(STAFF_2FA_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_with_2fa_required_a_user_without_a_device_must_enrol_first(client, staff):
    client.post("/desk/login/", {"username": "author", "password": PASSWORD})
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"] == "/desk/2fa/"
    page = client.get("/desk/2fa/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=staff.author, confirmed=False)
    assert client.post("/desk/2fa/", {"otp_token": "123"}).status_code == 400
    response = client.post("/desk/2fa/", {"otp_token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/desk/").status_code == 200


@override_settings(STAFF_2FA_REQUIRED=True)
def test_with_2fa_required_the_admin_refuses_a_password_only_session(client, staff):
    client.force_login(staff.admin)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/desk/login/")


def test_admin_login_goes_through_the_desk_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_login(client, staff):
    for _ in range(3):
        client.post("/desk/login/", {"username": "publisher", "password": "wrong password!!"})
    response = client.post("/desk/login/", {"username": "publisher", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert client.get("/desk/").status_code == 302

"""Fixtures for access tests: staff of every role, and a session's login with or without a
second factor (through the real login page)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from distribution.models import Delivery, Distribution
from tests.distribution.helpers import make_statement

PASSWORD = "a long enough test password 1"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def log_in(client, user, *, with_second_factor: bool) -> None:
    """Log in through /desk/login/; with_second_factor enrols a device and gives its code."""
    data = {"username": user.username, "password": PASSWORD}
    if with_second_factor:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        data["otp_token"] = current_code(device)
    response = client.post("/desk/login/", data)
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def send_with_recipients(db):
    statement = make_statement(slug="sent-release")
    distribution = Distribution.objects.create(
        statement=statement, send_at=timezone.now(), state=Distribution.State.DONE
    )
    Delivery.objects.create(
        distribution=distribution,
        address="secret.journalist@example.org",
        languages=["en"],
        variant="en",
        state=Delivery.State.SENT,
    )
    return distribution

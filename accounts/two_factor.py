"""Two-factor login for staff: a password and a TOTP code from an authenticator app, or one of
the recovery codes (django-otp static tokens, each usable once).

A staff account is worth a great deal to an adversary who wants to read embargoed releases or
the journalists' list, so with STAFF_2FA_REQUIRED (the production default) the desk, the staff
API and the admin open only to sessions verified with a second factor (accounts/policy.py).

Enrolment makes a fresh secret at every attempt and confirms only the device of this attempt
(kept in the session), then deletes every other unconfirmed device: whoever glimpsed an
earlier secret holds nothing that works.
"""

from __future__ import annotations

import io

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ENROLMENT_SESSION_KEY = "otp_enrolment_device"
RECOVERY_CODES_SESSION_KEY = "otp_new_recovery_codes"
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"


def normalise_code(token: str) -> str:
    """Codes as people type them: '123 456', 'ABCD-EFGH'."""
    return "".join(token.split()).replace("-", "").lower()


class StaffLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and django_otp.user_has_device(user, confirmed=True):
            token = normalise_code(cleaned.get("otp_token") or "")
            device = django_otp.match_token(user, token) if token else None
            if device is None:
                raise forms.ValidationError(
                    "Enter the current code from your authenticator app, or a recovery code.",
                    code="otp",
                )
            user.otp_device = device
        return cleaned


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_start(request) -> TOTPDevice:
    """A new secret for this attempt; earlier unconfirmed ones stop existing."""
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    request.session[ENROLMENT_SESSION_KEY] = device.pk
    return device


def enrolment_device(request) -> TOTPDevice | None:
    """The device of the attempt this session started, if it is still pending."""
    pk = request.session.get(ENROLMENT_SESSION_KEY)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def enrolment_confirm(request, token: str) -> list[str] | None:
    """Confirm this attempt's device with a code from it; None if it does not match. Returns
    the new recovery codes (to show once) and verifies the session."""
    device = enrolment_device(request)
    if device is None or not device.verify_token(normalise_code(token)):
        return None
    user = request.user
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = recovery_codes_replace(user=user)
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    django_otp.login(request, device)
    return codes


def recovery_codes_replace(*, user) -> list[str]:
    """New recovery codes; every earlier one stops working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")

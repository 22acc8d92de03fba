"""Two-factor login for staff: a password and a TOTP code from an authenticator app.

A staff account is worth a great deal to an adversary who wants to read embargoed releases or
the journalists' list, so with STAFF_2FA_REQUIRED (the production default) the desk and the
admin open only to sessions verified with a second factor.
"""

from __future__ import annotations

import io

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and django_otp.user_has_device(user, confirmed=True):
            token = (cleaned.get("otp_token") or "").strip()
            device = django_otp.match_token(user, token) if token else None
            if device is None:
                raise forms.ValidationError(
                    "Enter the current code from your authenticator app.", code="otp"
                )
            user.otp_device = device
        return cleaned


def needs_second_factor(user) -> bool:
    """True when this session must still prove a second factor before using the desk."""
    if not settings.STAFF_2FA_REQUIRED:
        return False
    return not user.is_verified()


def pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def confirm_device(request, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return True

"""The desk's own account pages: login, two-factor enrolment, recovery codes, API tokens.

Who may open each: accounts/policy.py (`desk_view`); the work: accounts/two_factor.py and
accounts/tokens.py.
"""

from __future__ import annotations

import datetime
from base64 import b32encode

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts import tokens
from accounts import two_factor as tf
from accounts.policy import desk_view, second_factor_verified
from config.errors import RuleBroken


class StaffLoginView(LoginView):
    form_class = tf.StaffLoginForm
    template_name = "desk/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            django_otp.login(self.request, device)
        return response


@desk_view(capability="account.enrol_second_factor")
def two_factor_setup(request) -> HttpResponse:
    """Enrol an authenticator app: scan the code, type the number it shows. Each visit makes a
    new secret, shown once."""
    if tf.is_enrolled(request.user):
        if second_factor_verified(request.user):
            return render(
                request,
                "desk/two_factor.html",
                {"enrolled": True, "codes_left": tf.recovery_codes_left(request.user)},
            )
        return redirect("desk-logout-then-login")
    if request.method == "POST":
        codes = tf.enrolment_confirm(request, request.POST.get("otp_token", ""))
        if codes is not None:
            request.session[tf.RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, gettext("Two-factor login is on for your account."))
            return redirect("desk-recovery-codes")
        if tf.enrolment_device(request) is not None:
            # Same attempt, same secret; it is not shown again (reload for a new one).
            messages.error(request, gettext("That code did not match; try the current one."))
            return render(
                request, "desk/two_factor.html", {"enrolled": False, "retry": True}, status=400
            )
        messages.error(request, gettext("That setup was replaced; scan this new code."))
        device, status = tf.enrolment_start(request), 400
    else:
        device, status = tf.enrolment_start(request), 200
    return render(
        request,
        "desk/two_factor.html",
        {
            "enrolled": False,
            "qr_svg": tf.qr_svg(device),
            "secret": b32encode(device.bin_key).decode(),
        },
        status=status,
    )


@desk_view(capability="account.recovery_codes")
def recovery_codes(request) -> HttpResponse:
    """New codes are shown once, right after they are made; POST makes a new set."""
    if request.method == "POST":
        request.session[tf.RECOVERY_CODES_SESSION_KEY] = tf.recovery_codes_replace(
            user=request.user
        )
        return redirect("desk-recovery-codes")
    codes = request.session.pop(tf.RECOVERY_CODES_SESSION_KEY, None)
    return render(
        request,
        "desk/recovery_codes.html",
        {"codes": codes, "codes_left": tf.recovery_codes_left(request.user)},
    )


def logout_then_login(request) -> HttpResponse:
    logout(request)
    messages.info(request, gettext("Log in again with the code from your authenticator app."))
    return redirect("desk-login")


def _tokens_page(request, *, new_token: str | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "desk/tokens.html",
        {
            "tokens": tokens.tokens_of(user=request.user),
            "new_token": new_token,
            "lifetimes": tokens.LIFETIME_DAYS,
        },
        status=status,
    )


@desk_view(capability="account.tokens")
def token_list(request) -> HttpResponse:
    """Your API tokens; POST makes one, shown on this response only."""
    if request.method != "POST":
        return _tokens_page(request)
    try:
        days = int(request.POST.get("days") or 90)
        if days not in tokens.LIFETIME_DAYS:
            raise ValueError
    except ValueError:
        messages.error(request, gettext("Choose one of the offered lifetimes."))
        return _tokens_page(request, status=400)
    try:
        _, plaintext = tokens.token_create(
            user=request.user,
            name=request.POST.get("name", ""),
            lifetime=datetime.timedelta(days=days),
        )
    except RuleBroken as err:
        messages.error(request, err.message)
        return _tokens_page(request, status=400)
    return _tokens_page(request, new_token=plaintext)


@desk_view(capability="account.tokens")
@require_POST
def token_action(request, digest: str, action: str) -> HttpResponse:
    try:
        if action == "revoke":
            tokens.token_revoke(user=request.user, digest=digest)
            messages.success(request, gettext("Token revoked."))
            return redirect("desk-tokens")
        if action == "rotate":
            _, plaintext = tokens.token_rotate(user=request.user, digest=digest)
            messages.success(request, gettext("Token rotated: the old one no longer works."))
            return _tokens_page(request, new_token=plaintext)
    except RuleBroken as err:
        messages.error(request, err.message)
        return _tokens_page(request, status=404)
    return _tokens_page(request, status=404)

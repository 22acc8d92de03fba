"""Who may do what: the one access policy every desk view, API view and the admin asks.

In the spirit of Wagtail's permission policies: capabilities are declared once, as data
(CAPABILITIES), and every face asks `can(user, capability, obj)`:

- desk views through `@desk_view(capability)`,
- the staff API through `StaffApiPermission` (and its two authentication classes below),
- the admin through `accounts.admin_site.PressroomAdminSite.has_permission`,
- services through `require(user, capability)`.

A caller counts as staff only with a role (accounts/roles.py) and, for a browser session where
STAFF_2FA_REQUIRED is on, a second factor verified in this session. An API token counts as
verified: only such a session can make one (desk/tokens, `add_staff --token` at the console).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from knox.auth import TokenAuthentication
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication

from accounts.roles import ROLES
from config.errors import NotAllowed

# A second factor is never asked of these (the 2FA page itself), "when required" of most,
# and "always" of the pages that hand out new secrets.
NEVER, WHEN_REQUIRED, ALWAYS = "never", "when_required", "always"


@dataclass(frozen=True)
class Capability:
    """One thing a caller may do. `roles`: which roles hold it; `permission`: or the Django
    permission a role must hold (accounts/roles.py gives permissions to roles)."""

    refusal: str
    roles: tuple[str, ...] = ROLES
    permission: str | None = None
    second_factor: str = WHEN_REQUIRED


# Refusals are marked for the catalogue (gettext_noop) but kept in English here: the API answers in
# English; pages translate them when they show them.
_PUBLISHERS = gettext_noop("Only publishers and admins see the contacts.")
CAPABILITIES: dict[str, Capability] = {
    # Any staff role: the desk, the statements (every role reads every statement), the API.
    "desk.use": Capability(gettext_noop("Staff only.")),
    "api.use": Capability(gettext_noop("Staff only: your account has no staff role.")),
    "statements.read": Capability(gettext_noop("Staff only.")),
    "sends.view": Capability(gettext_noop("Staff only.")),
    # Setting up the second factor: a password-only session may do this and nothing else.
    "account.enrol_second_factor": Capability(gettext_noop("Staff only."), second_factor=NEVER),
    "account.recovery_codes": Capability(
        gettext_noop("Log in with your second factor to see new recovery codes."),
        second_factor=ALWAYS,
    ),
    "account.tokens": Capability(gettext_noop("Staff only.")),
    # Journalists' addresses: the contacts and every per-recipient list.
    "contacts.view": Capability(_PUBLISHERS, permission="contacts.view_contact"),
    "contacts.add": Capability(
        gettext_noop("Only publishers and admins manage contacts and media lists."),
        permission="contacts.add_contact",
    ),
    "contacts.change": Capability(
        gettext_noop("Only publishers and admins manage contacts and media lists."),
        permission="contacts.change_contact",
    ),
    "contacts.erase": Capability(
        gettext_noop("Only admins erase contacts."), permission="contacts.delete_contact"
    ),
    # A CSV import both adds contacts and changes existing ones (desk/views/contacts_import.py).
    "contacts.import": Capability(
        gettext_noop("Only publishers and admins import contacts."),
        roles=("publisher", "admin"),
        permission="contacts.add_contact",
    ),
    # Taking the journalists' data out (CSV, JSON, a data-subject export) and keeping the
    # segments it can be cut by; every export is in the audit log, which admins read.
    "contacts.export": Capability(
        gettext_noop("Only publishers and admins export contacts."),
        roles=("publisher", "admin"),
    ),
    "segments.manage": Capability(
        gettext_noop("Only publishers and admins manage segments."),
        roles=("publisher", "admin"),
    ),
    "contacts.export_log": Capability(
        gettext_noop("Only admins see the log of exports."), roles=("admin",)
    ),
    "media_lists.view": Capability(
        gettext_noop("Only publishers and admins manage contacts and media lists."),
        permission="contacts.view_medialist",
    ),
    "media_lists.add": Capability(
        gettext_noop("Only publishers and admins manage contacts and media lists."),
        permission="contacts.add_medialist",
    ),
    "recipients.view": Capability(
        gettext_noop("Only publishers and admins see recipients' addresses."),
        permission="contacts.view_contact",
    ),
    "sends.start": Capability(
        gettext_noop("Only publishers send statements to media lists."),
        permission="statements.distribute_statement",
    ),
    # The campaign tracker: every role reads it; editors and up keep the asks' ledger and
    # the reference data (campaigns, targets, roles); publishers invite targets to respond.
    "campaigns.view": Capability(gettext_noop("Staff only.")),
    "campaigns.manage": Capability(
        gettext_noop("Only editors, publishers and admins manage campaigns, targets and asks."),
        roles=("editor", "publisher", "admin"),
    ),
    "invitations.manage": Capability(
        gettext_noop("Only publishers and admins invite targets to respond and record responses."),
        roles=("publisher", "admin"),
    ),
    # Whose copy of an embargoed release a leaked text was: it names a journalist.
    "deliveries.trace": Capability(
        gettext_noop("Only publishers and admins trace a leaked copy."),
        roles=("publisher", "admin"),
    ),
    # Telegram posts and mirrors (channels/): every role sees them; publishers retry a post
    # or record one a person found in its channel, and push the mirrors.
    "channels.manage": Capability(
        gettext_noop("Only publishers and admins retry posts and push the mirrors."),
        roles=("publisher", "admin"),
    ),
    "admin.use": Capability(gettext_noop("Only admins use the Django admin."), roles=("admin",)),
    "organisation.change": Capability(
        gettext_noop("Only admins change the organisation's settings."), roles=("admin",)
    ),
}


def role_of(user) -> str | None:
    """The user's role (the highest if several); None for anyone without a staff role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    names = {g.name for g in user.groups.all()}
    for role in reversed(ROLES):
        if role in names:
            return role
    return "admin" if user.is_superuser else None


def second_factor_verified(user) -> bool:
    """This request proves a second factor: a session verified with one, or an API token."""
    if getattr(user, "api_token", None) is not None:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _second_factor_ok(user, capability: Capability) -> bool:
    if capability.second_factor == NEVER:
        return True
    if capability.second_factor == WHEN_REQUIRED and not settings.STAFF_2FA_REQUIRED:
        return True
    return second_factor_verified(user)


def refusal(user, capability: str, obj=None) -> str | None:
    """Why `user` may not do `capability` (to `obj`), or None when they may."""
    rule = CAPABILITIES[capability]
    role = role_of(user)
    if role is None or role not in rule.roles:
        return rule.refusal
    if not _second_factor_ok(user, rule):
        return gettext_noop("Log in with your second factor first.")
    if rule.permission and not user.has_perm(rule.permission):
        return rule.refusal
    return None


def can(user, capability: str, obj=None) -> bool:
    return refusal(user, capability, obj) is None


def require(user, capability: str, obj=None) -> None:
    """Raise NotAllowed (HTTP 403) with the reason when `user` may not do `capability`."""
    reason = refusal(user, capability, obj)
    if reason is not None:
        raise NotAllowed(reason, capability=capability)


def session_counts(user) -> bool:
    """A browser session opens staff pages only with a role and, where required, a verified
    second factor."""
    return can(user, "desk.use")


# --- Desk -------------------------------------------------------------------------------


def desk_view(view=None, *, capability: str = "desk.use"):
    """Decorate a desk view: log in first, enrol or verify a second factor where required,
    then the capability; a refusal is a 403 page saying why."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            rule = CAPABILITIES[capability]
            if role_of(user) is not None and not _second_factor_ok(user, rule):
                return redirect("desk-2fa")
            reason = refusal(user, capability)
            if reason is not None:
                return render(
                    request, "desk/not_allowed.html", {"message": gettext(reason)}, status=403
                )
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorate(view) if view is not None else decorate


# --- Staff API --------------------------------------------------------------------------


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`: django-rest-knox (digest at rest, expiry; a revoked
    token is deleted), noting when each token was last used."""

    LAST_USED_EVERY_SECONDS = 60

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("ascii")
        except UnicodeDecodeError as err:  # knox would answer 500
            raise exceptions.AuthenticationFailed("Invalid token.") from err
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        last = token.last_used_at
        if last is None or (now - last).total_seconds() > self.LAST_USED_EVERY_SECONDS:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        user.api_token = token
        return user, token


class StaffSessionAuthentication(SessionAuthentication):
    """The session cookie counts for the API only as it does for the desk (role and, where
    required, a verified second factor); otherwise the caller is anonymous (401/403)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not session_counts(result[0]):
            return None
        return result


class StaffApiPermission(permissions.BasePermission):
    """Every staff API view names what it needs, as data the policy decides on: `capability`
    (default "api.use"), `capabilities` by HTTP method, or `get_capability(request)` where the
    URL decides; object rules through `has_object_permission`."""

    def _capability(self, request, view) -> str:
        if hasattr(view, "get_capability"):
            return view.get_capability(request)
        by_method = getattr(view, "capabilities", None) or {}
        return by_method.get(request.method) or getattr(view, "capability", "api.use")

    def has_permission(self, request, view) -> bool:
        reason = refusal(request.user, self._capability(request, view))
        if reason is not None:
            self.message = reason
            return False
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        reason = refusal(request.user, self._capability(request, view), obj)
        if reason is not None:
            self.message = reason
            return False
        return True

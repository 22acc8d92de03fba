"""Staff users and their roles: the one place that makes or changes a staff account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import ROLE_PERMISSIONS, ROLES
from config.errors import RuleBroken

User = get_user_model()


def staff_upsert(
    *, username: str, role: str, email: str | None = None, password: str | None = None
):
    """Create or update a staff user with exactly one role. Returns (user, created)."""
    if role not in ROLES:
        raise RuleBroken(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    with transaction.atomic():
        user, created = User.objects.select_for_update().get_or_create(username=username)
        if email is not None:
            user.email = email
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as err:
                raise RuleBroken("Password refused: " + " ".join(err.messages)) from err
            user.set_password(password)
        elif created:
            raise RuleBroken("A new staff user needs a password (STAFF_PASSWORD).")
        # Only admins enter the Django admin; everyone else works in the desk.
        user.is_staff = role == "admin"
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
    return user, created


def staff_token(*, user, name: str = "add_staff") -> str:
    """A new API token for `user` (plaintext returned once; only its digest is stored)."""
    from accounts.tokens import token_create

    _, token = token_create(user=user, name=name)
    return token


def sync_role_permissions(**_kwargs) -> None:
    """Keep the groups' permissions as ROLE_PERMISSIONS says, also for models added later."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if codenames == "*":
            group.permissions.set(Permission.objects.all())
            continue
        wanted = Permission.objects.none()
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted = wanted | Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(wanted)

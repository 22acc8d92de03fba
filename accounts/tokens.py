"""API tokens: made, listed, revoked and rotated here (django-rest-knox stores a digest only).

The desk makes them for a session verified with a second factor where one is required
(accounts.policy "account.tokens"); the console's `add_staff --token` for an operator.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from knox.settings import knox_settings

from accounts.models import ApiToken
from config.errors import RuleBroken

# Choices offered in the desk; the default is REST_KNOX["TOKEN_TTL"].
LIFETIME_DAYS = (7, 30, 90, 365)
ONE_DAY = datetime.timedelta(days=1)


def token_create(
    *, user, name: str = "", lifetime: datetime.timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token: (the row, the plaintext to show once)."""
    name = (name or "").strip()
    if len(name) > 100:
        raise RuleBroken("A token's name has at most 100 characters.")
    return ApiToken.objects.create(user=user, expiry=lifetime or knox_settings.TOKEN_TTL, name=name)


def tokens_of(*, user):
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_revoke(*, user, digest: str) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, digest=digest).delete()
    if not deleted:
        raise RuleBroken("No such token (already revoked or expired?).")


def token_rotate(*, user, digest: str) -> tuple[ApiToken, str]:
    """Replace a token by a new one with the same name and lifetime; the old one stops at once."""
    with transaction.atomic():
        old = ApiToken.objects.select_for_update().filter(user=user, digest=digest).first()
        if old is None:
            raise RuleBroken("No such token (already revoked or expired?).")
        lifetime = knox_settings.TOKEN_TTL
        if old.expiry:  # the same lifetime in whole days, from now
            lifetime = datetime.timedelta(days=round((old.expiry - old.created) / ONE_DAY))
        old.delete()
        return token_create(user=user, name=old.name, lifetime=lifetime)

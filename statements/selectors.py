"""Reads of statements with their visibility rules. The public sees only what is_public allows."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from statements.models import Statement


def public_filter(now: datetime.datetime | None = None) -> Q:
    """Published or corrected, publication time reached, and no embargo still running."""
    now = now or timezone.now()
    return (
        Q(state__in=Statement.PUBLIC_STATES, published_at__lte=now)
        & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
    )


def public_statements(now: datetime.datetime | None = None) -> QuerySet[Statement]:
    return Statement.objects.filter(public_filter(now))


def retracted_statements() -> QuerySet[Statement]:
    """Retracted releases keep their URL as a tombstone (no body), never in listings or feeds."""
    return Statement.objects.filter(state=Statement.State.RETRACTED, published_at__isnull=False)


def is_public(statement: Statement, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        statement.state in Statement.PUBLIC_STATES
        and statement.published_at is not None
        and statement.published_at <= now
        and (statement.embargo_until is None or statement.embargo_until <= now)
    )

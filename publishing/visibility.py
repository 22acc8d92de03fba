"""Reads of statements with their visibility rules. The public sees only what is_public allows."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from statements.models import Statement


def public_filter(now: datetime.datetime | None = None) -> Q:
    """Published or corrected, publication time reached, and no embargo still running."""
    now = now or timezone.now()
    return Q(state__in=Statement.PUBLIC_STATES, published_at__lte=now) & (
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
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


# --- Public outputs (pages, API, feeds, PDFs, static export) ------------------------------


def with_release_data(queryset: QuerySet[Statement]) -> QuerySet[Statement]:
    """Everything a release page, its JSON or its PDF shows, in a constant number of queries."""
    from django.db.models import Prefetch

    from campaigns.models import Ask, Role, RoleHolding, Target
    from statements.models import Correction

    return queryset.select_related("campaign", "boilerplate").prefetch_related(
        "translations",
        Prefetch("targets", queryset=Target.objects.order_by("slug")),
        Prefetch("asks", queryset=Ask.objects.order_by("slug")),
        Prefetch(
            "roles",
            queryset=Role.objects.order_by("slug").prefetch_related(
                Prefetch("holdings", queryset=RoleHolding.objects.select_related("holder"))
            ),
        ),
        Prefetch("corrections", queryset=Correction.objects.order_by("number")),
    )


def search_filter(queryset: QuerySet[Statement], q: str) -> QuerySet[Statement]:
    """Release search over every language, best match first (statements/search.py: the
    normalised search text, a trigram index on PostgreSQL, Zawgyi queries converted; only
    text the public can read counts)."""
    from publishing.search import search_public_statements

    return search_public_statements(queryset, q)


def published_releases(
    *,
    campaign: str | None = None,
    target: str | None = None,
    language: str | None = None,
    published_after: datetime.datetime | None = None,
    published_before: datetime.datetime | None = None,
    q: str | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Statement]:
    """Public releases, newest first, with what their outputs show prefetched."""
    queryset = public_statements(now)
    if campaign:
        queryset = queryset.filter(campaign__slug=campaign)
    if target:
        targeted = Statement.objects.filter(targets__slug=target).values("pk")
        queryset = queryset.filter(pk__in=targeted)
    if language:
        queryset = in_language(queryset, language)
    if published_after:
        queryset = queryset.filter(published_at__gte=published_after)
    if published_before:
        queryset = queryset.filter(published_at__lt=published_before)
    queryset = with_release_data(queryset).order_by("-published_at", "-pk")
    if q:
        queryset = search_filter(queryset, q)  # best match first
    return queryset


def in_language(queryset: QuerySet[Statement], language: str) -> QuerySet[Statement]:
    """Releases readable in `language`: a complete translation, not deferred (a deferred one
    may hold text nobody approved yet)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return (
        queryset.filter(
            pk__in=public_translations().filter(language=language).values("statement_id")
        )
        .annotate(_deferred=Cast("deferred_languages", TextField()))
        .exclude(_deferred__contains=f'"{language}"')
    )


def public_translations():
    """Translations a reader may see: complete ones (a draft translation stays private)."""
    from statements.models import StatementTranslation

    return (
        StatementTranslation.objects.filter(marked_complete=True)
        .exclude(title="")
        .exclude(summary="")
        .exclude(body="")
    )


def published_languages(statement: Statement) -> list[str]:
    """Languages a public release is readable in, in the configured order (uses the prefetch)."""
    from config.languages import language_codes

    deferred = set(statement.deferred_languages or [])
    have = {
        t.language
        for t in statement.translations.all()
        if t.is_complete and (t.language not in deferred or t.language == statement.source_language)
    }
    return [code for code in language_codes() if code in have]


def release_by_slug(slug: str, now: datetime.datetime | None = None) -> Statement | None:
    """A public or retracted release (the caller shows a tombstone for the latter), else None."""
    visible = public_filter(now) | Q(state=Statement.State.RETRACTED, published_at__isnull=False)
    return with_release_data(Statement.objects.filter(visible, slug=slug)).first()


def releases_last_modified(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the public set last changed: an edit, a publication or an embargo that ran out."""
    from django.db.models import Max

    now = now or timezone.now()
    row = Statement.objects.filter(published_at__isnull=False).aggregate(
        updated=Max("updated_at"),
        translated=Max("translations__updated_at"),
        published=Max("published_at", filter=Q(published_at__lte=now)),
        embargo=Max("embargo_until", filter=Q(embargo_until__lte=now)),
    )
    stamps = [value for value in row.values() if value]
    return max(stamps) if stamps else None

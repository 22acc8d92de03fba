"""What a reader may see: the one home of the visibility rule.

A statement is public when it is published or corrected, its publication time has come and no
embargo is still running. Times are compared at read time with the database clock (``Now()``)
in querysets, so a late periodic task can neither leak nor hide a release. A retracted release
keeps its URL as a tombstone (title, date, reason; never its body), but only once it would have
been public: nothing of a release retracted under a running embargo shows before its embargo
time. A reader may read a release in the languages of ``readable_languages``: a complete
translation (marked complete, with title, summary and body) that is not deferred ("Burmese to
follow"). The live rows of a published statement are the approved text (later changes wait in
an Amendment until approved); a deferred language's row is the one exception, hence excluded.
Campaigns, targets and asks are public only once a public release refers to them.

Every output asks this module, and nothing else decides:

- pages (publishing/views.py): lists, release pages and tombstones, campaign pages;
- the public API (publishing/api.py, serializers.py): releases, campaigns, targets, asks, and
  the filters' choices (a hidden campaign slug is as unknown as a made-up one);
- feeds (publishing/feeds.py), per language and per campaign;
- PDFs (publishing/pdf.py): made, served and removed by ``release_by_slug`` and the languages;
- search (publishing/search.py): matches only in readable text;
- the static export (publishing/management/commands/export_static_site.py);
- email rendering (distribution/messages.py, recipients.py): ``readable_languages`` and
  ``embargo_running``; sending rules (distribution/services.py) use ``is_public``;
- ``Last-Modified`` / ``ETag``: ``releases_last_modified`` and ``release_last_modified`` use
  public data only, so publishing or editing a hidden release moves neither;
- reference data: ``public_campaigns``, ``public_targets``, ``public_asks``, ``public_roles``;
  the campaign tracker (target and ask pages, their API and feeds): ``public_invitations``,
  ``public_ask_records``, ``public_ask_history``.

The desk's previews show staff everything and do not ask this module.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat, Now
from django.utils import timezone

from statements.models import Statement, StatementTranslation

PUBLIC_STATES = Statement.PUBLIC_STATES  # published, corrected


def _clock(now: datetime.datetime | None):
    """The time to compare with: the database clock unless a caller pins one (tests)."""
    return Now() if now is None else now


# --- Statements ---------------------------------------------------------------------------


def _embargo_over(now) -> Q:
    return Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)


def public_filter(now: datetime.datetime | None = None) -> Q:
    """Published or corrected, publication time reached, and no embargo still running."""
    now = _clock(now)
    return Q(state__in=PUBLIC_STATES, published_at__lte=now) & _embargo_over(now)


def tombstone_filter(now: datetime.datetime | None = None) -> Q:
    """Retracted releases that would be public now: retracted under a running embargo shows
    nothing until the embargo time."""
    now = _clock(now)
    return Q(state=Statement.State.RETRACTED, published_at__lte=now) & _embargo_over(now)


def public_statements(now: datetime.datetime | None = None) -> QuerySet[Statement]:
    return Statement.objects.filter(public_filter(now))


def tombstones(now: datetime.datetime | None = None) -> QuerySet[Statement]:
    """Retracted releases whose URL answers with the retraction notice; never in listings."""
    return Statement.objects.filter(tombstone_filter(now))


retracted_statements = tombstones  # the earlier name


def embargo_running(statement: Statement, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(statement.embargo_until and statement.embargo_until > now)


def is_public(statement: Statement, now: datetime.datetime | None = None) -> bool:
    """The Python form of public_filter, for a statement already in hand."""
    now = now or timezone.now()
    return (
        statement.state in PUBLIC_STATES
        and statement.published_at is not None
        and statement.published_at <= now
        and not embargo_running(statement, now)
    )


def published_under_embargo(statement: Statement, now: datetime.datetime | None = None) -> bool:
    """Published, but its embargo still runs: only embargo-trusted lists may have it."""
    return statement.state in PUBLIC_STATES and embargo_running(statement, now)


def is_tombstone(statement: Statement, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        statement.state == Statement.State.RETRACTED
        and statement.published_at is not None
        and statement.published_at <= now
        and not embargo_running(statement, now)
    )


# --- Languages ----------------------------------------------------------------------------


def is_readable(translation: StatementTranslation, statement: Statement | None = None) -> bool:
    """A translation a reader may read: complete and not deferred."""
    statement = statement or translation.statement
    return translation.is_complete and translation.language not in (
        statement.deferred_languages or []
    )


def readable_languages(statement: Statement) -> list[str]:
    """Languages a reader may read this statement in, in the configured order (uses the
    prefetched translations). Time and state are not looked at: an embargoed release emailed
    to trusted lists is readable in the same languages as it will be on the site."""
    from config.languages import language_codes

    have = {t.language for t in statement.translations.all() if is_readable(t, statement)}
    return [code for code in language_codes() if code in have]


def _readable_translation_q() -> Q:
    deferred = Q(_deferred__contains=Concat(Value('"'), F("language"), Value('"')))
    complete = Q(marked_complete=True) & ~Q(title="") & ~Q(summary="") & ~Q(body="")
    return complete & ~deferred


def _with_deferred(queryset: QuerySet[StatementTranslation]) -> QuerySet[StatementTranslation]:
    # deferred_languages is a JSON list; its text form contains '"my"' when "my" is deferred
    # (SQLite has no JSON containment lookup, so the same spelling serves both databases).
    return queryset.annotate(_deferred=Cast("statement__deferred_languages", TextField()))


def readable_translations() -> QuerySet[StatementTranslation]:
    """The queryset form of is_readable."""
    return _with_deferred(StatementTranslation.objects.all()).filter(_readable_translation_q())


def unreadable_translations() -> QuerySet[StatementTranslation]:
    """Drafts (marked incomplete or with an empty field) and deferred languages."""
    return _with_deferred(StatementTranslation.objects.all()).exclude(_readable_translation_q())


def translations_of_outer(*, readable: bool) -> QuerySet[StatementTranslation]:
    """readable_translations() (or unreadable ones) of the statement of an outer query, for
    Exists(): its deferred languages are read from the outer row, not joined, so PostgreSQL
    checks each row with one index lookup instead of hashing every translation first (that
    cost a search about 60 ms, bench/search.py)."""
    outer = StatementTranslation.objects.filter(statement_id=OuterRef("pk")).annotate(
        _deferred=Cast(OuterRef("deferred_languages"), TextField())
    )
    rule = _readable_translation_q()
    return outer.filter(rule) if readable else outer.exclude(rule)


def in_language(queryset: QuerySet[Statement], language: str) -> QuerySet[Statement]:
    """Statements of `queryset` readable in `language`."""
    readable = readable_translations().filter(statement_id=OuterRef("pk"), language=language)
    return queryset.filter(Exists(readable))


# --- Releases as the outputs show them -----------------------------------------------------


def with_release_data(queryset: QuerySet[Statement]) -> QuerySet[Statement]:
    """Everything a release page, its JSON or its PDF shows, in a constant number of queries."""
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
    """Release search over readable text only, best match first (publishing/search.py)."""
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


def public_or_tombstone(now: datetime.datetime | None = None) -> QuerySet[Statement]:
    """Releases whose own URL answers: public ones, and tombstones of retracted ones."""
    return with_release_data(Statement.objects.filter(public_filter(now) | tombstone_filter(now)))


def release_by_slug(slug: str, now: datetime.datetime | None = None) -> Statement | None:
    """A public or tombstoned release (the caller shows the notice for the latter), else None."""
    return public_or_tombstone(now).filter(slug=slug).first()


def is_retracted(statement: Statement) -> bool:
    return statement.state == Statement.State.RETRACTED


# --- Last-Modified ---------------------------------------------------------------------------


def releases_last_modified(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the public set last changed, from public data only: a publication, an embargo that
    ran out, a correction, a retraction, a readable translation rewritten. Statement.updated_at
    is not used: it moves on edits nobody outside sees (an amendment in preparation)."""
    public, tombstone = public_filter(now), tombstone_filter(now)
    readable = Q(translations__in=readable_translations().values("pk"))
    row = Statement.objects.aggregate(  # one query
        published=Max("published_at", filter=public),
        embargo=Max("embargo_until", filter=public),  # only lifted ones are public
        corrected=Max("corrected_at", filter=public),
        # A retraction takes a release out of the list: its time counts once it is a tombstone.
        retracted=Max("retracted_at", filter=tombstone),
        translated=Max("translations__updated_at", filter=public & readable),
    )
    stamps = [value for value in row.values() if value]
    return max(stamps) if stamps else None


def release_last_modified(
    statement: Statement, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Last-Modified of one public or tombstoned release (uses the prefetch)."""
    now = now or timezone.now()
    stamps = [statement.published_at, statement.corrected_at]
    if is_retracted(statement):
        stamps.append(statement.retracted_at)
    if statement.embargo_until and statement.embargo_until <= now:
        stamps.append(statement.embargo_until)
    stamps += [t.updated_at for t in statement.translations.all() if is_readable(t, statement)]
    stamps = [s for s in stamps if s]
    return max(stamps) if stamps else None


# --- Reference data --------------------------------------------------------------------------


def public_campaigns(now: datetime.datetime | None = None):
    """Campaigns a public release belongs to, or of an ask a public release makes."""
    from campaigns.models import Campaign

    has_release = public_statements(now).filter(campaign_id=OuterRef("pk"))
    has_ask = public_asks(now).filter(campaign_id=OuterRef("pk"))
    return Campaign.objects.filter(Exists(has_release) | Exists(has_ask))


def public_asks(now: datetime.datetime | None = None):
    """Asks made or repeated in a public release (an ask prepared for an unpublished release
    stays private)."""
    from campaigns.models import Ask

    made = public_statements(now).filter(asks=OuterRef("pk"))
    return Ask.objects.filter(Exists(made))


def public_targets(now: datetime.datetime | None = None):
    """Targets a public release refers to: addressed directly, through a public ask, invited
    to respond, or holding a role the release addresses (the release names the holder)."""
    from campaigns.models import RoleHolding, Target
    from statements.models import Invitation

    addressed = public_statements(now).filter(targets=OuterRef("pk"))
    asked = public_asks(now).filter(targets=OuterRef("pk"))
    invited = Invitation.objects.filter(
        target_id=OuterRef("pk"), statement__in=public_statements(now)
    )
    holds = RoleHolding.objects.filter(holder_id=OuterRef("pk"), role__in=public_roles(now))
    return Target.objects.filter(
        Exists(addressed) | Exists(asked) | Exists(invited) | Exists(holds)
    )


def annotate_public_parent(targets, now: datetime.datetime | None = None):
    """Adds parent_is_public to each target, so a hidden parent is not named."""
    return targets.annotate(
        parent_is_public=Exists(public_targets(now).filter(pk=OuterRef("parent_id")))
    )


# --- The campaign tracker --------------------------------------------------------------------
# What the target and ask pages, their API and feeds show: only what a public release refers to.
# A tombstone (retracted release) no longer refers to anything: its asks, targets and
# invitations count only through releases still public.


def public_roles(now: datetime.datetime | None = None):
    """Roles a public release addresses, or a public ask names."""
    from campaigns.models import Role

    addressed = public_statements(now).filter(roles=OuterRef("pk"))
    asked = public_asks(now).filter(roles=OuterRef("pk"))
    return Role.objects.filter(Exists(addressed) | Exists(asked))


def public_invitations(now: datetime.datetime | None = None):
    """Invitations to respond made with a public release (an invitation of a draft, embargoed
    or retracted statement stays private), with `current_status` annotated."""
    from statements.models import Invitation

    return Invitation.objects.filter(statement__in=public_statements(now)).with_status()


def public_ask_records(now: datetime.datetime | None = None):
    """The made/repeated records of public releases only ("asked N times" counts these); the
    role shown is recomputed among them by the caller: the first public one made the ask."""
    from statements.ledger import records_among

    return records_among(public_statements(now))


def public_ask_history(now: datetime.datetime | None = None):
    """Ask status changes, each with `public_statement_slug`: the slug of the statement it
    cites when that statement is public, else None (a cited draft is never named)."""
    from django.db.models import Subquery

    from campaigns.models import AskStatusChange

    cited = public_statements(now).filter(ask_status_sources__change=OuterRef("pk"))
    return AskStatusChange.objects.annotate(
        public_statement_slug=Subquery(cited.values("slug")[:1])
    ).order_by(*AskStatusChange.HISTORY_ORDER)


# --- The public version ----------------------------------------------------------------------
# Pages, feeds and the public API are cached under this value (publishing/cache.py). A write
# that may change what a reader gets gives the row a new token inside its own transaction
# (publishing/cache.py names the models; release_changed does too), so a reader sees the new
# token and the new data together, never one without the other. A publication time or an
# embargo end changes the public set with no write at all: the row keeps the next such time, and
# the first read after it moves the version on (compared with the database clock, as the rule
# above is). Edits of hidden statements (drafts, amendments in preparation) leave it alone.

# A safety net for a write no signal saw (a raw UPDATE): the version moves at least this often.
PUBLIC_VERSION_MAX_AGE = datetime.timedelta(minutes=10)


def next_public_change(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The next time the public set changes by itself: a publication time or an embargo end
    still ahead of a published, corrected or retracted statement (a tombstone appears then too).
    """
    from django.db.models import Min

    clock = _clock(now)
    row = Statement.objects.filter(state__in=(*PUBLIC_STATES, Statement.State.RETRACTED)).aggregate(
        published=Min("published_at", filter=Q(published_at__gt=clock)),
        embargo=Min("embargo_until", filter=Q(embargo_until__gt=clock)),
    )
    stamps = [value for value in row.values() if value]
    return min(stamps) if stamps else None


def _next_local_midnight(now: datetime.datetime) -> datetime.datetime:
    # Deadlines are dates in the organisation's day (an invitation's "did not respond" appears
    # the day after it was due): a new day may change the tracker's pages.
    import zoneinfo

    from django.conf import settings

    zone = zoneinfo.ZoneInfo(getattr(settings, "DISPLAY_TIME_ZONE", "UTC"))
    tomorrow = timezone.localtime(now, zone).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=zone)


def _version_expires() -> datetime.datetime:
    now = timezone.now()
    stamps = [next_public_change(), _next_local_midnight(now), now + PUBLIC_VERSION_MAX_AGE]
    return min(stamp for stamp in stamps if stamp)


def _new_token() -> str:
    import uuid

    return uuid.uuid4().hex


def bump_public_version() -> None:
    """Something public may have changed: a new token, in the caller's transaction. Its row
    lock is held until that commits (writes of public data take turns), and the next
    publication time or embargo end is worked out under it, so it sees every earlier write."""
    from publishing.models import PublicVersion

    version = PublicVersion.objects.filter(pk=1)
    if not version.update(token=_new_token()):
        PublicVersion.objects.get_or_create(pk=1, defaults={"token": _new_token()})
    version.update(next_change=_version_expires())
    from publishing.cache import version_moved

    version_moved()  # other processes hear of it when this commits


def public_version() -> str:
    """A cheap value that changes whenever anything a reader may get changes: one row read,
    and a write only when a publication time or embargo end has just been reached."""
    return public_version_until()[0]


def public_version_until() -> tuple[str, datetime.datetime | None]:
    """The public version and the time it ends at the latest (the next publication time or
    embargo end, midnight, or PUBLIC_VERSION_MAX_AGE), for a caller that keeps it meanwhile."""
    from django.db.models import BooleanField, ExpressionWrapper

    from publishing.models import PublicVersion

    reached = ExpressionWrapper(Q(next_change__lte=Now()), output_field=BooleanField())
    for _attempt in range(3):
        row = PublicVersion.objects.filter(pk=1).values_list("token", "next_change", reached)
        row = row.first()
        if row is None:
            PublicVersion.objects.get_or_create(pk=1, defaults={"token": _new_token()})
            continue
        token, next_change, passed = row
        if next_change is not None and not passed and next_change > timezone.now():
            return token, next_change
        # A publication time or embargo end was reached: what was kept before it is stale.
        fresh, expires = _new_token(), _version_expires()
        if PublicVersion.objects.filter(pk=1, token=token).update(token=fresh, next_change=expires):
            return fresh, expires
        # Another request or a write moved it meanwhile: read it again.
    return _new_token(), None  # contended: a key nobody shares, so this answer is made afresh

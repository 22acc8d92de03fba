"""The campaign tracker's ledger where it meets statements: ask status changes that cite one of
our statements, the record of releases that made or repeated an ask, and invitations to
respond. Every write here checks the caller's right with accounts.policy.require and its rules
(RuleBroken, HTTP 400); the desk, the staff API, the admin and the demo call these functions.

Ask records are written when a release is published (the statement_transitioned receiver
connected in statements/apps.py, inside the publication's transaction) and when a publisher
changes a published release's asks (release_changed "edited"): idempotent, so publishing
twice, corrections and re-runs add nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from accounts.policy import require
from campaigns import services as campaign_services
from campaigns.models import Ask, AskStatusChange, Campaign, Target
from config.errors import RuleBroken
from statements.models import (
    AskRecord,
    AskStatusSource,
    Invitation,
    Statement,
    ledger_today,
    validate_response_document,
)

log = logging.getLogger(__name__)

# States in which a statement has been released (a retracted one was, and stays on record).
RELEASED_STATES = (
    Statement.State.PUBLISHED,
    Statement.State.CORRECTED,
    Statement.State.RETRACTED,
)


def _statement(statement_id: object) -> Statement:
    try:
        return Statement.objects.get(pk=int(statement_id))
    except (Statement.DoesNotExist, ValueError, TypeError, OverflowError) as err:
        raise RuleBroken("No such statement.", statement=str(statement_id)) from err


# --- ask status with a source ---------------------------------------------------------------


def ask_status_change(
    *,
    ask: Ask,
    status: str,
    on: datetime.date,
    by,
    statement_id: int | None = None,
    source_url: str = "",
    note: str = "",
) -> AskStatusChange:
    """Record a dated status change of `ask` citing one of our statements (`statement_id`)
    or a link (`source_url`, with an optional note). Editors, publishers and admins."""
    require(by, "campaigns.manage")
    cite = None
    if statement_id is not None:
        statement = _statement(statement_id)

        def cite(change: AskStatusChange) -> None:
            AskStatusSource.objects.create(change=change, statement=statement)

    return campaign_services.ask_set_status(
        ask=ask,
        status=status,
        on=on,
        source_url=source_url,
        note=note,
        by=by,
        cite_statement=cite,
    )


# --- ask records: made and repeated ---------------------------------------------------------


def ask_records_sync(*, statement_id: int) -> list[AskRecord]:
    """Record each ask a released statement carries as made (the first released statement
    carrying it) or repeated, dated by its publication. Idempotent; a retracted statement's
    records stay. Roles are recomputed per ask by publication time, so a release recorded late
    never leaves two "made"."""
    with transaction.atomic():
        statement = Statement.objects.filter(pk=statement_id).first()
        if (
            statement is None
            or statement.state not in RELEASED_STATES
            or statement.published_at is None
        ):
            return []
        ask_ids = list(statement.asks.values_list("id", flat=True))
        if not ask_ids:
            return []
        # Lock the asks so two publications at once cannot both claim "made".
        list(Ask.objects.select_for_update().filter(pk__in=ask_ids).values_list("id"))
        for ask_id in ask_ids:
            AskRecord.objects.get_or_create(
                ask_id=ask_id,
                statement=statement,
                defaults={"role": AskRecord.Role.MADE, "published_at": statement.published_at},
            )
        _recompute_roles(ask_ids)
        return list(AskRecord.objects.filter(statement=statement, ask_id__in=ask_ids))


def _recompute_roles(ask_ids: Iterable[int]) -> None:
    for ask_id in ask_ids:
        records = AskRecord.objects.filter(ask_id=ask_id).order_by("published_at", "statement_id")
        first = records.values_list("pk", flat=True).first()
        records.filter(pk=first).exclude(role=AskRecord.Role.MADE).update(role=AskRecord.Role.MADE)
        records.exclude(pk=first).exclude(role=AskRecord.Role.REPEATED).update(
            role=AskRecord.Role.REPEATED
        )


def ask_records_backfill() -> int:
    """Sync every released statement (the demo and a re-run after an import). Idempotent."""
    ids = Statement.objects.filter(state__in=RELEASED_STATES, published_at__isnull=False)
    count = 0
    for statement_id in ids.order_by("published_at", "id").values_list("id", flat=True):
        count += len(ask_records_sync(statement_id=statement_id))
    return count


def records_among(statements: QuerySet[Statement]) -> QuerySet[AskRecord]:
    """The ask records of `statements` only: pass publishing.visibility's public queryset and
    a retracted or hidden release is not counted, while the private ledger keeps it. The
    role shown publicly is the one among these records (the first of them made the ask)."""
    return (
        AskRecord.objects.filter(statement__in=statements)
        .select_related("statement")
        .order_by("ask_id", "published_at", "statement_id")
    )


@dataclass(frozen=True)
class AskedTimes:
    count: int
    since: datetime.datetime | None


def asked_times(*, ask: Ask, statements: QuerySet[Statement] | None = None) -> AskedTimes:
    """ "Asked N times since DATE": over every release on record, or over `statements` (the
    public ones, for the public pages)."""
    records = AskRecord.objects.filter(ask=ask)
    if statements is not None:
        records = records.filter(statement__in=statements)
    summary = records.aggregate(count=Count("id"), since=Min("published_at"))
    return AskedTimes(count=summary["count"], since=summary["since"])


def asked_times_by_ask(
    *, asks: QuerySet[Ask] | Iterable[int], statements: QuerySet[Statement] | None = None
) -> dict[int, AskedTimes]:
    """The same for many asks in one query (dashboards, lists)."""
    records = AskRecord.objects.filter(ask__in=asks)
    if statements is not None:
        records = records.filter(statement__in=statements)
    rows = records.values("ask_id").annotate(count=Count("id"), since=Min("published_at"))
    return {row["ask_id"]: AskedTimes(row["count"], row["since"]) for row in rows}


# Receivers (connected in statements/apps.py).
_RECORDING_TRANSITIONS = {"publish", "correct"}


def on_statement_transitioned(sender, statement_id: int, action: str = "", **kwargs) -> None:
    """Inside the publication's transaction: its ask records commit with it."""
    if action in _RECORDING_TRANSITIONS:
        ask_records_sync(statement_id=statement_id)


def on_release_changed(sender, statement_id: int, action: str = "", **kwargs) -> None:
    """After commit: a publisher changed a published release's asks (record the ones added),
    or a release was announced published (already recorded: a no-op)."""
    if action not in {"published", "corrected", "translation_published", "edited"}:
        return
    try:
        ask_records_sync(statement_id=statement_id)
    except Exception:
        # The release stands either way; ask_records_backfill() catches up.
        log.exception("ledger: could not record the asks of statement %s", statement_id)


# --- invitations to respond -----------------------------------------------------------------


def _target(target: Target | str) -> Target:
    if isinstance(target, Target):
        return target
    found = Target.objects.filter(slug=target).first() if isinstance(target, str) else None
    if found is None:
        raise RuleBroken(f"Unknown target {target!r}.", field="target")
    return found


def _check_email(email: str) -> str:
    from django.core.validators import validate_email

    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as err:
        raise RuleBroken(
            "contact_email is not a valid email address.", field="contact_email"
        ) from err
    if any(ch in email for ch in '\r\n<>,;"'):
        raise RuleBroken("contact_email is not a valid email address.", field="contact_email")
    return email


def invitation_create(
    *,
    statement_id: int,
    target: Target | str,
    due_on: datetime.date,
    by,
    contact_email: str = "",
    now: datetime.datetime | None = None,
) -> Invitation:
    """Invite `target` (object or slug) to respond to a statement by `due_on`. Publishers and
    admins. One invitation per target and statement; not for a retracted statement; the
    deadline is today or later. `contact_email` is recorded (sending it is not automatic)."""
    require(by, "invitations.manage")
    statement = _statement(statement_id)
    target = _target(target)
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        raise RuleBroken("An invitation needs its deadline (due_on: YYYY-MM-DD).", field="due_on")
    if due_on < ledger_today(now):
        raise RuleBroken("The deadline to respond has already passed.", field="due_on")
    if statement.state == Statement.State.RETRACTED:
        raise RuleBroken("A retracted statement takes no invitations.", state=statement.state)
    contact_email = _check_email(contact_email)
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                statement=statement,
                target=target,
                due_on=due_on,
                contact_email=contact_email,
                created_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError as err:
        raise RuleBroken(
            f"{target} is already invited to respond to this statement.",
            field="target",
            rule="one_invitation_per_target_and_statement",
        ) from err


def invitation_respond(
    *,
    invitation: Invitation,
    responded_on: datetime.date,
    by,
    summary: dict[str, str] | None = None,
    url: str = "",
    document=None,
    now: datetime.datetime | None = None,
    confirm_encoding: bool = False,
) -> tuple[Invitation, list[dict]]:
    """Record (or correct) the target's response: its date, a summary per language, a link
    and/or a document (PDF, PNG or JPEG, at most 10 MB). Publishers and admins. A response
    recorded after the deadline still counts as a response, dated as it came."""
    require(by, "invitations.manage")
    if not isinstance(responded_on, datetime.date) or isinstance(responded_on, datetime.datetime):
        raise RuleBroken(
            "A response needs its date (responded_on: YYYY-MM-DD).", field="responded_on"
        )
    if responded_on > ledger_today(now):
        raise RuleBroken("A response cannot be dated in the future.", field="responded_on")
    summary, notices = campaign_services._clean_localised(
        summary, field="summary", required=False, confirm_encoding=confirm_encoding
    )
    url = campaign_services._check_url(url, field="url")
    if document is not None:
        try:
            validate_response_document(document)
        except ValidationError as err:
            raise RuleBroken(" ".join(err.messages), field="document") from err
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.statement.state == Statement.State.RETRACTED:
            raise RuleBroken("The statement was retracted; its invitations are closed.")
        invitation.responded_on = responded_on
        invitation.response_summary = summary
        invitation.response_url = url
        if document is not None:
            invitation.response_document.save(document.name, document, save=False)
        invitation.response_recorded_by = by if getattr(by, "pk", None) else None
        invitation.response_recorded_at = timezone.now()
        invitation.save()
    return invitation, notices


# --- response rates ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRate:
    invited: int
    responded: int
    no_response: int
    awaiting: int

    @property
    def rate(self) -> float | None:
        """Responded among the invitations whose deadline passed or that were answered."""
        settled = self.responded + self.no_response
        return self.responded / settled if settled else None


def _rates(invitations: QuerySet[Invitation], key: str, today) -> dict:
    rows = (
        invitations.with_status(today)
        .values(key)
        .annotate(
            invited=Count("id"),
            responded=Count("id", filter=Q(current_status="responded")),
            no_response=Count("id", filter=Q(current_status="no_response")),
            awaiting=Count("id", filter=Q(current_status="awaiting")),
        )
        .order_by(key)
    )
    return {
        row[key]: ResponseRate(
            row["invited"], row["responded"], row["no_response"], row["awaiting"]
        )
        for row in rows
    }


def response_rates_by_target(
    *,
    statements: QuerySet[Statement] | None = None,
    campaign: Campaign | None = None,
    today: datetime.date | None = None,
) -> dict[int, ResponseRate]:
    """Target id → its response rate (one query), over `statements` (e.g. the public ones)
    and/or one campaign."""
    invitations = Invitation.objects.all()
    if statements is not None:
        invitations = invitations.filter(statement__in=statements)
    if campaign is not None:
        invitations = invitations.filter(statement__campaign=campaign)
    return _rates(invitations, "target_id", today or ledger_today())


def response_rates_by_campaign(
    *, statements: QuerySet[Statement] | None = None, today: datetime.date | None = None
) -> dict[int, ResponseRate]:
    """Campaign id → its response rate (one query)."""
    invitations = Invitation.objects.all()
    if statements is not None:
        invitations = invitations.filter(statement__in=statements)
    return _rates(invitations, "statement__campaign_id", today or ledger_today())

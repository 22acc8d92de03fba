"""The campaign tracker as readers see it: one target's or one ask's public record, loaded in a
constant number of queries for its page (publishing/views_tracker.py), its JSON
(publishing/serializers.py) and its feed. Everything comes through publishing/visibility.py:
only what a public release refers to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q

from campaigns.models import Ask, Role, RoleHolding, Target
from publishing.visibility import (
    annotate_public_parent,
    public_ask_history,
    public_ask_records,
    public_asks,
    public_invitations,
    public_roles,
    public_statements,
    public_targets,
)
from statements.ledger import AskedTimes, ResponseRate
from statements.models import AskRecord, Invitation, Statement


@dataclass
class PublicRecord:
    """A public release that made or repeated an ask; `role` is judged among public releases."""

    statement: Statement
    published_at: datetime.datetime
    role: str


@dataclass
class AskLedger:
    ask: Ask
    history: list  # AskStatusChange with public_statement_slug, oldest first
    records: list[PublicRecord]
    targets: list[Target]
    roles: list[Role]

    @property
    def asked(self) -> AskedTimes:
        """ "Asked N times since DATE", over public releases only."""
        since = self.records[0].published_at if self.records else None
        return AskedTimes(count=len(self.records), since=since)


@dataclass
class TargetLedger:
    target: Target
    holdings: list[RoleHolding]  # the public roles this target held, oldest first
    successions: dict[int, list[RoleHolding]]  # role id -> every holding, holder_is_public
    asks: list[Ask]  # with public_history
    asked: dict[int, AskedTimes]
    releases: list[Statement]
    invitations: list[Invitation]  # with current_status
    rate: ResponseRate = field(default_factory=lambda: ResponseRate(0, 0, 0, 0))


def _history_prefetch() -> Prefetch:
    return Prefetch("status_changes", queryset=public_ask_history(), to_attr="public_history")


def public_records(ask_ids: list[int]) -> dict[int, list[PublicRecord]]:
    """Ask id -> its public records, oldest first, the first of them "made" (one query plus
    the releases' translations)."""
    rows = (
        public_ask_records().filter(ask_id__in=ask_ids).prefetch_related("statement__translations")
    )
    out: dict[int, list[PublicRecord]] = {}
    for record in rows:
        records = out.setdefault(record.ask_id, [])
        role = AskRecord.Role.REPEATED if records else AskRecord.Role.MADE
        records.append(PublicRecord(record.statement, record.published_at, role))
    return out


def ask_ledger(ask_id: object) -> AskLedger | None:
    """One public ask's record, or None when no public release makes it (or the id is bad)."""
    try:
        ask_id = int(ask_id)
    except (TypeError, ValueError):
        return None
    if not 0 < ask_id < 2**63:
        return None
    ask = (
        public_asks()
        .filter(pk=ask_id)
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "targets", queryset=public_targets().order_by("slug"), to_attr="public_targets"
            ),
            Prefetch("roles", queryset=public_roles().order_by("slug"), to_attr="public_roles"),
            _history_prefetch(),
        )
        .first()
    )
    if ask is None:
        return None
    return AskLedger(
        ask=ask,
        history=ask.public_history,
        records=public_records([ask.pk]).get(ask.pk, []),
        targets=ask.public_targets,
        roles=ask.public_roles,
    )


def target_ledger(slug: str) -> TargetLedger | None:
    """One public target's record, or None when no public release refers to it."""
    target = (
        annotate_public_parent(public_targets().filter(slug=slug)).select_related("parent").first()
    )
    if target is None:
        return None
    holdings = list(
        RoleHolding.objects.filter(holder=target, role__in=public_roles())
        .select_related("role")
        .order_by("starts_on", "pk")
    )
    successions: dict[int, list[RoleHolding]] = {}
    if holdings:
        all_holdings = (
            RoleHolding.objects.filter(role_id__in={h.role_id for h in holdings})
            .select_related("holder")
            .annotate(holder_is_public=Exists(public_targets().filter(pk=OuterRef("holder_id"))))
            .order_by("starts_on", "pk")
        )
        for holding in all_holdings:
            successions.setdefault(holding.role_id, []).append(holding)
    # Asks addressed to it, or to a role it held (the ASEAN Chair's asks are each holder's).
    addressed = Q(targets=target)
    if holdings:
        addressed |= Q(roles__in={h.role_id for h in holdings})
    asks = list(
        public_asks()
        .filter(pk__in=Ask.objects.filter(addressed).values("pk"))
        .select_related("campaign")
        .prefetch_related(_history_prefetch())
        .order_by("campaign__slug", "slug", "pk")
    )
    records = public_records([a.pk for a in asks]) if asks else {}
    asked = {
        ask.pk: AskedTimes(
            count=len(records.get(ask.pk, [])),
            since=records[ask.pk][0].published_at if records.get(ask.pk) else None,
        )
        for ask in asks
    }
    releases = list(
        public_statements()
        .filter(targets=target)
        .select_related("campaign")
        .prefetch_related("translations")
        .order_by("-published_at", "-pk")
    )
    invitations = list(
        public_invitations()
        .filter(target=target)
        .select_related("statement", "target")
        .prefetch_related("statement__translations")
        .order_by("-due_on", "-pk")
    )
    statuses = [i.current_status for i in invitations]
    rate = ResponseRate(
        invited=len(statuses),
        responded=statuses.count(Invitation.Status.RESPONDED),
        no_response=statuses.count(Invitation.Status.NO_RESPONSE),
        awaiting=statuses.count(Invitation.Status.AWAITING),
    )
    return TargetLedger(
        target=target,
        holdings=holdings,
        successions=successions,
        asks=asks,
        asked=asked,
        releases=releases,
        invitations=invitations,
        rate=rate,
    )


def target_list():
    """Public targets for the listing, by name of kind then slug."""
    return (
        annotate_public_parent(public_targets()).select_related("parent").order_by("kind", "slug")
    )

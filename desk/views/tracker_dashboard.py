"""A campaign's dashboard: releases per month, asks by status over time, response rate by
target, and the asks waiting longest for an answer; each as an SVG chart (desk/charts.py)
and the same numbers as a table.

The desk counts every release on record; the public part (the campaign's public page, through
desk/templatetags/tracker_charts.py) counts only what publishing/visibility.py makes public:
its public statements, public asks and public targets. A fixed number of queries whatever the
number of releases, asks or invitations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from campaigns.models import Ask, AskStatusChange, Target
from config.languages import pick
from desk.charts import Series, bar_chart, hbar_chart, stacked_bar_chart
from publishing.visibility import public_asks, public_statements, public_targets
from statements.ledger import RELEASED_STATES, response_rates_by_target
from statements.models import AskRecord, Statement

MAX_MONTHS = 36  # the charts show at most the last three years
LONGEST_WAITING = 10
# Statuses that answer an ask: an ask still open has had no answer.
UNANSWERED = (Ask.Status.OPEN,)


@dataclass
class RateRow:
    target: str
    slug: str
    invited: int
    responded: int
    no_response: int
    awaiting: int
    percent: int | None  # responded among settled (answered or past the deadline)


@dataclass
class WaitingRow:
    ask: Ask
    text: str
    times: int
    since: datetime.datetime
    last: datetime.datetime
    targets: list[str]


@dataclass
class Dashboard:
    public: bool
    months: list[str] = field(default_factory=list)
    releases: list[int] = field(default_factory=list)
    status_months: list[str] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    status_rows: list[tuple[str, list[int]]] = field(default_factory=list)  # month, per status
    rates: list[RateRow] = field(default_factory=list)
    waiting: list[WaitingRow] = field(default_factory=list)
    charts: dict[str, SafeString] = field(default_factory=dict)

    @property
    def release_rows(self) -> list[tuple[str, int]]:
        return list(zip(self.months, self.releases, strict=True))


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], _month(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months[-MAX_MONTHS:]


def _scope(slug: str, public: bool) -> tuple[QuerySet, QuerySet, QuerySet, QuerySet]:
    """The releases, invitations' statements, asks and targets counted: all on record, or
    only the public ones."""
    if public:
        statements = public_statements()
        invited = statements.filter(campaign__slug=slug)
        return statements, invited, public_asks().filter(campaign__slug=slug), public_targets()
    released = Statement.objects.filter(state__in=RELEASED_STATES, published_at__isnull=False)
    # The desk counts every invitation on record (a draft's too).
    invited = Statement.objects.filter(campaign__slug=slug)
    return released, invited, Ask.objects.filter(campaign__slug=slug), Target.objects.all()


def campaign_dashboard(
    *, slug: str, name: str, public: bool, today: datetime.date | None = None
) -> Dashboard:
    """The dashboard of the campaign `slug` (named `name` in the charts' descriptions). The
    campaign is not read again: the page has it already."""
    today = today or timezone.localdate()
    language = get_language() or "en"
    statements, invited, asks, targets = _scope(slug, public)
    board = Dashboard(public=public)
    _releases_per_month(board, statements.filter(campaign__slug=slug), today)
    _asks_by_status(board, asks, today)
    _response_rates(board, invited, targets, language)
    _longest_waiting(board, asks, statements, targets, language)
    _draw(board, name)
    return board


def _releases_per_month(board: Dashboard, releases: QuerySet, today: datetime.date) -> None:
    rows = (
        releases.annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    counts = {_month(_as_date(row["month"])): row["n"] for row in rows}
    if not counts:
        return
    months = _month_range(min(counts), max(max(counts), _month(today)))
    board.months = [m.strftime("%Y-%m") for m in months]
    board.releases = [counts.get(m, 0) for m in months]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _asks_by_status(board: Dashboard, asks: QuerySet, today: datetime.date) -> None:
    """Each ask's status at the end of each month, from its dated history (the entry with the
    latest date counts, ties broken by creation, as campaigns.services.ask_set_status does)."""
    history: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    changes = (
        AskStatusChange.objects.filter(ask__in=asks)
        .order_by("ask_id", *AskStatusChange.HISTORY_ORDER)
        .values_list("ask_id", "changed_on", "status")
    )
    for ask_id, changed_on, status in changes:
        history[ask_id].append((changed_on, status))
    if not history:
        return
    first = min(entries[0][0] for entries in history.values())
    months = _month_range(first, _month(today))
    statuses = list(Ask.Status)
    counts = [[0] * len(statuses) for _ in months]
    index = {status.value: i for i, status in enumerate(statuses)}
    for entries in history.values():
        for m, month in enumerate(months):
            end = _next_month(month)
            current = None
            for changed_on, status in entries:  # sorted by date, then creation
                if changed_on < end:
                    current = status
            if current is not None:
                counts[m][index[current]] += 1
    shown = [i for i in range(len(statuses)) if any(row[i] for row in counts)]
    board.statuses = [(statuses[i].value, str(statuses[i].label)) for i in shown]
    board.status_months = [m.strftime("%Y-%m") for m in months]
    board.status_rows = [
        (label, [row[i] for i in shown])
        for label, row in zip(board.status_months, counts, strict=True)
    ]


def _response_rates(
    board: Dashboard, statements: QuerySet, targets: QuerySet, language: str
) -> None:
    rates = response_rates_by_target(statements=statements)
    named = {t.pk: t for t in targets.filter(pk__in=list(rates))}
    rows = []
    for target_id, rate in rates.items():
        target = named.get(target_id)
        if target is None:  # not public: not named, not counted on the public page
            continue
        percent = None if rate.rate is None else round(rate.rate * 100)
        rows.append(
            RateRow(
                target=pick(target.name, language) or target.slug,
                slug=target.slug,
                invited=rate.invited,
                responded=rate.responded,
                no_response=rate.no_response,
                awaiting=rate.awaiting,
                percent=percent,
            )
        )
    board.rates = sorted(rows, key=lambda r: (-(r.percent or 0), r.target.casefold()))


def _longest_waiting(
    board: Dashboard, asks: QuerySet, statements: QuerySet, targets: QuerySet, language: str
) -> None:
    """Open asks, the longest asked first: times asked, since, last asked, targets."""
    records = (
        AskRecord.objects.filter(ask__in=asks.filter(status__in=UNANSWERED))
        .filter(statement__in=statements)
        .values("ask_id")
        .annotate(times=Count("id"), since=Min("published_at"), last=Max("published_at"))
        .order_by("since", "-times", "ask_id")[:LONGEST_WAITING]
    )
    summary = {row["ask_id"]: row for row in records}
    found = Ask.objects.filter(pk__in=list(summary)).prefetch_related(
        Prefetch("targets", queryset=targets.order_by("slug"))
    )
    by_id = {ask.pk: ask for ask in found}
    for ask_id, row in summary.items():
        ask = by_id[ask_id]
        board.waiting.append(
            WaitingRow(
                ask=ask,
                text=pick(ask.text, language) or ask.slug,
                times=row["times"],
                since=row["since"],
                last=row["last"],
                targets=[pick(t.name, language) or t.slug for t in ask.targets.all()],
            )
        )


def _draw(board: Dashboard, name: str) -> None:
    prefix = "public-" if board.public else "desk-"
    total = sum(board.releases)
    board.charts["releases"] = bar_chart(
        chart_id=f"{prefix}chart-releases",
        title=gettext("Releases per month"),
        desc=ngettext(
            "%(count)d release of %(campaign)s over %(months)d months; the table below gives "
            "each month.",
            "%(count)d releases of %(campaign)s over %(months)d months; the table below gives "
            "each month.",
            total,
        )
        % {"count": total, "campaign": name, "months": len(board.months)},
        labels=board.months,
        values=board.releases,
        empty=gettext("No releases yet."),
    )
    board.charts["statuses"] = stacked_bar_chart(
        chart_id=f"{prefix}chart-statuses",
        title=gettext("Asks by status over time"),
        desc=gettext(
            "How many asks had each status at the end of each month; the table below gives "
            "the numbers."
        ),
        labels=board.status_months,
        series=[
            Series(label, [row[1][i] for row in board.status_rows])
            for i, (_value, label) in enumerate(board.statuses)
        ],
        empty=gettext("No asks yet."),
    )
    rated = [row for row in board.rates if row.percent is not None]
    board.charts["rates"] = hbar_chart(
        chart_id=f"{prefix}chart-rates",
        title=gettext("Response rate by target"),
        desc=gettext(
            "The share of invitations each target answered, among those answered or past "
            "their deadline; the table below gives the counts."
        ),
        labels=[row.target for row in rated],
        values=[row.percent for row in rated],
        unit="%",
        scale_max=100,
        empty=gettext("No invitation has been answered or passed its deadline yet."),
    )

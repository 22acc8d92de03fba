"""The staff desk: lists, the bilingual editor, reviews, actions, diffs and previews.

Every change goes through statements/workflow.py; these views only translate HTTP to calls.
"""

from __future__ import annotations

import datetime
import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import desk_view, role_of
from accounts.roles import ROLE_LABELS
from burmese import truncate
from campaigns.services import ask_propose
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes
from desk.forms import StatementForm, humanise
from desk.views import editor
from distribution.selectors import sends_in_progress
from statements import locks, transitions, workflow
from statements.models import Amendment, Statement
from statements.selectors import GUARD_SELECT, prefetch_guard_data

S = Statement.State


def _statements():
    return Statement.objects.select_related("campaign", "created_by").prefetch_related(
        "translations", "amendments"
    )


# The dashboard shows pages, never whole lists: its queries stay the same in number however
# many statements there are (tests/desk/test_dashboard.py counts them).
DASHBOARD_PAGE = 20
REVIEW_PAGE = 10


def _dashboard_rows():
    """Statements for dashboard tables, newest first by publication (else last update). Their
    translations are prefetched once for every section (dashboard())."""
    return (
        Statement.objects.select_related("campaign", "created_by")
        .annotate(dated=Coalesce("published_at", "updated_at"))
        .order_by("-dated", "-pk")
    )


def _page(request, queryset, key: str, *, count: int | None = None, size: int = DASHBOARD_PAGE):
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # known from the counts query: no COUNT query per section
    page = paginator.get_page(request.GET.get(key))
    page.key = key
    page.object_list = list(page.object_list)
    return page


def _review_candidates(user) -> Q:
    """Statements in review (or with a change in review) that someone else wrote: the query
    only narrows; transitions.can() decides on one page of them."""
    change_in_review = Exists(
        Amendment.objects.filter(statement=OuterRef("pk"), status=Amendment.Status.IN_REVIEW)
    )
    in_review = Q(state=S.IN_REVIEW) | (Q(state__in=workflow.POST_PUBLICATION) & change_in_review)
    return in_review & ~Q(created_by=user)


def _may_review(user) -> bool:
    return user.has_perm(transitions.permission_of("approve"))


def _waiting_for_review(request, count: int):
    """A page of the statements this user may approve now. transitions.can() decides, on one
    page of candidates whose guard data (events, reviews, relations) is prefetched in bulk, so
    the cost is the same however many statements there are."""
    user = request.user
    candidates = _dashboard_rows().select_related(*GUARD_SELECT).filter(_review_candidates(user))
    return _page(request, candidates, "review_page", count=count, size=REVIEW_PAGE)


def _state_pages(request, counts: dict[str, int]) -> list[tuple[str, str, Page]]:
    """One page per non-empty state, each at its own ?<state>_page=, read in one query (rows
    numbered per state by a window function) plus its prefetches."""
    wanted: dict[str, tuple[int, Paginator]] = {}
    for state in S:
        if counts.get(state.value):
            paginator = Paginator([], DASHBOARD_PAGE)
            paginator.count = counts[state.value]  # known from the grouped count
            number = _page_number(paginator, request.GET.get(f"{state.value}_page"))
            wanted[state.value] = (number, paginator)
    if not wanted:
        return []
    first_row = Case(
        *(
            When(state=state, then=Value((number - 1) * DASHBOARD_PAGE))
            for state, (number, _) in wanted.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        _dashboard_rows()
        .filter(state__in=list(wanted))
        .annotate(
            row_in_state=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[F("dated").desc(), F("pk").desc()],
            ),
            first_row=first_row,
        )
        .filter(row_in_state__gt=F("first_row"), row_in_state__lte=F("first_row") + DASHBOARD_PAGE)
        .order_by("-dated", "-pk")
    )
    by_state: dict[str, list] = {state: [] for state in wanted}
    for statement in rows:
        by_state[statement.state].append(statement)
    pages = []
    for state in S:
        if state.value in wanted:
            number, paginator = wanted[state.value]
            page = Page(by_state[state.value], number, paginator)
            page.key = f"{state.value}_page"
            pages.append((state.label, state.value, page))
    return pages


def _page_number(paginator: Paginator, raw) -> int:
    """Paginator.get_page's reading of ?page=: not a number is the first, too far the last."""
    try:
        return paginator.validate_number(raw)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return paginator.num_pages


@desk_view
def dashboard(request):
    now = timezone.now()
    may_review = _may_review(request.user)
    under_embargo = Q(state__in=workflow.POST_PUBLICATION, embargo_until__gt=now)
    totals = {f"state_{state.value}": Count("pk", filter=Q(state=state.value)) for state in S}
    totals["embargoed"] = Count("pk", filter=under_embargo)
    if may_review:
        totals["waiting"] = Count("pk", filter=_review_candidates(request.user))
    totals = Statement.objects.aggregate(**totals)  # every section's count, one query
    counts = {state.value: totals[f"state_{state.value}"] for state in S}
    by_state = _state_pages(request, counts)
    empty_states = [state.label for state in S if not counts.get(state.value)]
    scheduled = _page(
        request,
        _dashboard_rows().filter(state=S.SCHEDULED).order_by("scheduled_at", "pk"),
        "scheduled_page",
        count=counts.get(S.SCHEDULED, 0),
    )
    embargoed = _page(
        request,
        _dashboard_rows().filter(under_embargo).order_by("embargo_until", "pk"),
        "embargo_page",
        count=totals["embargoed"],
    )
    waiting = _waiting_for_review(request, totals["waiting"]) if may_review else None
    overdue = list(workflow.overdue_report(now))
    shown = [*overdue, *scheduled.object_list, *embargoed.object_list]
    shown += [s for _, _, page in by_state for s in page.object_list]
    shown += waiting.object_list if waiting is not None else []
    prefetch_related_objects(shown, "translations")  # one query for every section
    if waiting is not None:
        prefetch_guard_data(waiting.object_list, already=["translations"])
        waiting.object_list = [
            s for s in waiting.object_list if transitions.can("approve", s, request.user)
        ]
    role = role_of(request.user)
    return render(
        request,
        "desk/dashboard.html",
        {
            "by_state": by_state,
            "empty_states": empty_states,
            "waiting": waiting,
            "scheduled": scheduled,
            "embargoed": embargoed,
            "overdue": overdue,
            "role": ROLE_LABELS.get(role, role),
            "sends": list(sends_in_progress()[:DASHBOARD_PAGE]),
        },
    )


@desk_view
def translation_overview(request):
    rows = []
    for statement in _statements().exclude(state=S.RETRACTED).order_by("-updated_at"):
        status = workflow.translation_status(statement)
        cells = []
        for lang in language_codes():
            st = status.get(lang, {"present": False, "complete": False, "stale": False})
            label = (
                "missing"
                if not st["present"]
                else "stale"
                if st["stale"]
                else "incomplete"
                if not st["complete"]
                else "ok"
            )
            if lang in statement.deferred_languages and label != "ok":
                label = "to follow"
            cells.append((lang, label))
        rows.append((statement, cells, any(c[1] != "ok" for c in cells)))
    only_problems = request.GET.get("all") != "1"
    if only_problems:
        rows = [r for r in rows if r[2]]
    return render(
        request,
        "desk/translations.html",
        {"rows": rows, "languages": language_codes(), "only_problems": only_problems},
    )


@desk_view
def statement_new(request):
    form = StatementForm(request.POST or None, creating=True, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a refused statement leaves no proposed ask behind.
            with transaction.atomic():
                values = form.statement_values(only_changed=False)
                values["asks"], ask_notices = _with_new_ask(
                    form, data["campaign"], values.get("asks", []), request.user
                )
                statement, notices = workflow.statement_create(
                    by=request.user,
                    campaign=data["campaign"].slug,
                    slug=data.get("slug") or None,
                    embargo_until=data.get("embargo_until"),
                    translations=form.translations(only_given=True),
                    confirm_encoding=data.get("confirm_encoding", False),
                    **values,
                )
        except NotAllowed as err:
            raise PermissionDenied(err.message) from err
        except RuleBroken as err:
            messages.error(request, humanise(err.message))
            status = 400
        else:
            locks.lock_claim(statement_id=statement.pk, by=request.user)
            _notify(request, ask_notices + notices)
            messages.success(request, _("Draft created."))
            return redirect("desk-statement", pk=statement.pk)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "blocks": editor.blocks(form, editor.previews_for(form, None))}
    return render(request, "desk/statement_new.html", context, status=status)


def _with_new_ask(form: StatementForm, campaign, asks: list[str], by) -> tuple[list[str], list]:
    """The chosen asks plus the one proposed in the form (made through campaigns.services)."""
    proposed = form.new_ask()
    if proposed is None:
        return asks, []
    ask, notices = ask_propose(
        campaign=campaign,
        text=proposed["text"],
        targets=proposed["targets"],
        by=by,
        confirm_encoding=form.cleaned_data.get("confirm_encoding", False),
    )
    return sorted({*asks, ask.slug}), notices


def _notify(request, notices: list[dict]) -> None:
    for notice in notices:
        # The converted Burmese is what the person must read: tagged lang="my" for its font.
        messages.warning(
            request,
            format_html(
                '{}: {} <span lang="my">{}</span>',
                humanise(notice["field"]),
                _("converted from Zawgyi to Unicode. Check the result:"),
                truncate(notice["text"], 200),
            ),
        )


def _detail_context(request, statement: Statement, form: StatementForm | None = None) -> dict:
    content = workflow.working_content(statement)
    status = workflow.translation_status(statement, content)
    if form is None:
        form = _edit_form(request, statement, content=content)
    revisions = list(statement.revisions.select_related("created_by").order_by("-number"))
    # The transition table's actions, spelt as the desk's URLs and buttons are.
    allowed = workflow.allowed_actions(statement, request.user)
    actions = [transitions.rows(action)[0].key for action in allowed]
    stage = transitions.stage(statement)
    user = request.user
    previews = editor.previews_for(form, statement)
    return {
        "blocks": editor.blocks(form, previews, editor.status_rows(statement, status, content)),
        "side_by_side": _side_by_side(statement, content),
        "statement": statement,
        "form": form,
        "status": status,
        "completeness": editor.status_rows(statement, status, content),
        "actions": actions,
        "stage": stage,
        "stage_words": editor.stage_words(stage),
        "published": statement.state in workflow.POST_PUBLICATION,
        # What a publisher can do next with a published release, said even when the next step
        # is an edit and a review first (the buttons are only those possible now).
        "may_correct": user.has_perm(transitions.permission_of("correct")),
        "may_send": user.has_perm("statements.distribute_statement"),
        "amendment": workflow.open_amendment(statement)
        if statement.state in workflow.POST_PUBLICATION
        else None,
        "events": editor.event_rows(statement),
        "reviews": statement.reviews.select_related("reviewer").order_by("-created_at"),
        "revisions": revisions,
        "source_language": statement.source_language,
        "languages": language_codes(),
        "other_languages": [c for c in language_codes() if c != statement.source_language],
        "editable": "edit" in actions,
        "lock": editor.lock_notice(statement, user) if "edit" in actions else None,
        "heartbeat_ms": locks.HEARTBEAT_SECONDS * 1000,
    }


def _side_by_side(statement: Statement, content: dict) -> list:
    """Each translation's paragraphs beside the source's, for translators."""
    source = content.get(statement.source_language, {})
    out = []
    for lang, entry in sorted(content.items()):
        if lang == statement.source_language:
            continue
        left = (source.get("body") or "").split("\n\n")
        right = (entry.get("body") or "").split("\n\n")
        width = max(len(left), len(right))
        pairs = [
            (left[i] if i < len(left) else "", right[i] if i < len(right) else "")
            for i in range(width)
        ]
        out.append((lang, pairs))
    return out


@desk_view
def statement_detail(request, pk: int):
    statement = get_object_or_404(_statements(), pk=pk)
    return render(request, "desk/statement_detail.html", _detail_context(request, statement))


@desk_view
@require_POST
def statement_save(request, pk: int):
    statement = get_object_or_404(_statements(), pk=pk)
    form = _edit_form(request, statement, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Only what changed is sent: a save of the text alone must not touch the embargo, and
        # an author's save of a published text must not touch the publisher's fields.
        changed = {"embargo_until": data["embargo_until"]} if form.embargo_changed() else {}
        changed |= form.statement_values(only_changed=True)
        try:
            locks.check_may_save(statement_id=pk, by=request.user)
            with transaction.atomic():
                if form.new_ask() is not None:
                    chosen = [a.slug for a in data.get("asks") or []]
                    changed["asks"], ask_notices = _with_new_ask(
                        form, statement.campaign, chosen, request.user
                    )
                else:
                    ask_notices = []
                _statement, notices = workflow.statement_edit(
                    statement_id=pk,
                    by=request.user,
                    translations=form.translations(only_given=True),
                    confirm_encoding=data.get("confirm_encoding", False),
                    based_on_revision=data.get("version"),
                    **changed,
                )
        except NotAllowed as err:
            raise PermissionDenied(err.message) from err
        except RuleBroken as err:
            messages.error(request, humanise(err.message))
        else:
            locks.lock_claim(statement_id=pk, by=request.user)
            _notify(request, ask_notices + notices)
            messages.success(request, _("Saved."))
            return redirect("desk-statement", pk=pk)
    else:
        for error in form.errors_in_words():
            messages.error(request, error)
    statement = get_object_or_404(_statements(), pk=pk)
    return render(
        request, "desk/statement_detail.html", _detail_context(request, statement, form), status=400
    )


def _edit_form(request, statement: Statement, *, data=None, content=None) -> StatementForm:
    latest = statement.revisions.order_by("-number").values_list("number", flat=True).first()
    return StatementForm(
        data,
        statement=statement,
        user=request.user,
        content=workflow.working_content(statement) if content is None else content,
        initial={"embargo_until": statement.embargo_until, "version": latest},
        # After publication the embargo changes only by the set-embargo action (FIELD_RULES).
        embargo_locked=statement.state in workflow.POST_PUBLICATION,
    )


def _utc_time(value: str, *, what: str) -> datetime.datetime:
    when = parse_datetime(value or "")
    if when is None:
        raise RuleBroken(
            _("Give the %(what)s as a date and time (UTC), e.g. 2030-01-31 09:00.") % {"what": what}
        )
    return timezone.make_aware(when, datetime.UTC) if timezone.is_naive(when) else when


def _action_arguments(name: str, post) -> dict:
    comment = post.get("comment", "")
    if name == "schedule":
        return {
            "scheduled_at": _utc_time(post.get("scheduled_at"), what=_("publication time")),
            "comment": comment,
        }
    if name == "set_embargo":
        raw = post.get("embargo_until", "").strip()
        return {
            "embargo_until": _utc_time(raw, what=_("embargo time")) if raw else None,
            "reason": post.get("reason", ""),
        }
    if name == "correct":
        return {
            "notes": {lang: post.get(f"note-{lang}", "") for lang in language_codes()},
            "comment": comment,
        }
    if name == "retract":
        return {"reason": post.get("reason", "")}
    if name == "defer_translation":
        return {"languages": post.getlist("languages"), "reason": post.get("reason", "")}
    return {"comment": comment}


# Every action of the transition table (edit is the save view), plus comments.
ACTIONS = {
    transitions.rows(action)[0].key: service
    for action, service in workflow.SERVICES.items()
    if action != "edit"
} | {"comment": workflow.statement_comment}


@desk_view
@require_POST
def statement_action(request, pk: int, name: str):
    service = ACTIONS.get(name)
    if service is None:
        raise Http404("No such action.")
    try:
        service(statement_id=pk, by=request.user, **_action_arguments(name, request.POST))
    except NotAllowed as err:
        raise PermissionDenied(err.message) from err
    except RuleBroken as err:
        messages.error(request, humanise(err.message))
        statement = get_object_or_404(_statements(), pk=pk)
        return render(
            request, "desk/statement_detail.html", _detail_context(request, statement), status=400
        )
    messages.success(request, editor.DONE_WORDS.get(name, _("Done.")))
    return redirect("desk-statement", pk=pk)


@desk_view
def statement_diff(request, pk: int):
    statement = get_object_or_404(Statement, pk=pk)
    revisions = {r.number: r for r in statement.revisions.all()}
    if not revisions:
        raise Http404
    try:
        a = int(request.GET.get("a", max(min(revisions), max(revisions) - 1)))
        b = int(request.GET.get("b", max(revisions)))
        old, new = revisions[a], revisions[b]
    except (KeyError, ValueError) as err:
        raise Http404("No such revision.") from err
    differ = difflib.HtmlDiff(wrapcolumn=70)
    tables = []
    languages = sorted(set(old.snapshot["translations"]) | set(new.snapshot["translations"]))
    for lang in languages:
        before = old.snapshot["translations"].get(lang, {})
        after = new.snapshot["translations"].get(lang, {})
        for field in ("title", "summary", "body", "more_information"):
            left = (before.get(field) or "").splitlines()
            right = (after.get(field) or "").splitlines()
            if left != right:
                tables.append(
                    (
                        lang,
                        field,
                        differ.make_table(left, right, f"r{a}", f"r{b}", context=True, numlines=2),
                    )
                )
    return render(
        request,
        "desk/diff.html",
        {"statement": statement, "a": a, "b": b, "tables": tables, "numbers": sorted(revisions)},
    )


@desk_view
def statement_preview(request, pk: int, language: str):
    statement = get_object_or_404(_statements(), pk=pk)
    entry = workflow.working_content(statement).get(language)
    if entry is None or language not in language_codes():
        raise Http404("No text in that language yet.")
    release = editor.preview_release(
        language=language,
        entry=entry,
        campaign=statement.campaign,
        kind=statement.kind,
        targets=statement.targets.all(),
        roles=statement.roles.all(),
        asks=statement.asks.all(),
        boilerplate=statement.boilerplate,
        moment=editor.release_moment(statement),
    )
    return render(
        request,
        "desk/preview.html",
        {
            "statement": statement,
            "language": language,
            "entry": entry,
            "release": release,
            "preview_html": editor.render_preview(release),
        },
    )

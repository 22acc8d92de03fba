"""The staff desk: lists, the bilingual editor, reviews, actions, diffs and previews.

Every change goes through statements/workflow.py; these views only translate HTTP to calls.
"""

from __future__ import annotations

import datetime
import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from accounts.policy import desk_view, role_of
from burmese import truncate
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes
from desk.forms import StatementForm
from distribution.selectors import sends_in_progress
from publishing.rendering import markdown_html
from statements import transitions, workflow
from statements.models import Statement

S = Statement.State


def _statements():
    return Statement.objects.select_related("campaign", "created_by").prefetch_related(
        "translations", "amendments"
    )


@desk_view
def dashboard(request):
    now = timezone.now()
    statements = list(_statements().order_by("-updated_at"))
    by_state = {state: [] for state in S.values}
    for statement in statements:
        by_state[statement.state].append(statement)
    waiting = [s for s in statements if transitions.can("approve", s, request.user)]
    scheduled = sorted(by_state[S.SCHEDULED], key=lambda s: s.scheduled_at)
    embargoed = [
        s
        for s in statements
        if s.state in workflow.POST_PUBLICATION and s.embargo_until and s.embargo_until > now
    ]
    return render(
        request,
        "desk/dashboard.html",
        {
            "by_state": [(S(state).label, state, items) for state, items in by_state.items()],
            "waiting": waiting,
            "scheduled": scheduled,
            "embargoed": embargoed,
            "overdue": workflow.overdue_report(now),
            "role": role_of(request.user),
            "sends": list(sends_in_progress()),
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
    form = StatementForm(request.POST or None, creating=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement, notices = workflow.statement_create(
                by=request.user,
                campaign=data["campaign"].slug,
                slug=data.get("slug") or None,
                kind=data["kind"],
                embargo_until=data.get("embargo_until"),
                translations=form.translations(only_given=True),
                confirm_encoding=data.get("confirm_encoding", False),
            )
        except (RuleBroken, NotAllowed) as err:
            if isinstance(err, NotAllowed):
                raise PermissionDenied(err.message) from err
            messages.error(request, err.message)
            status = 400
        else:
            _notify(request, notices)
            messages.success(request, "Draft created.")
            return redirect("desk-statement", pk=statement.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "desk/statement_new.html", {"form": form}, status=status)


def _notify(request, notices: list[dict]) -> None:
    for notice in notices:
        messages.warning(
            request,
            f"{notice['field']}: converted from Zawgyi to Unicode. "
            f"Check the result: {truncate(notice['text'], 200)}",
        )


def _detail_context(request, statement: Statement, form: StatementForm | None = None) -> dict:
    content = workflow.working_content(statement)
    status = workflow.translation_status(statement, content)
    if form is None:
        form = _edit_form(statement, content=content)
    source = content.get(statement.source_language, {})
    side_by_side = []
    for lang, entry in sorted(content.items()):
        if lang == statement.source_language:
            continue
        left = (source.get("body") or "").split("\n\n")
        right = (entry.get("body") or "").split("\n\n")
        width = max(len(left), len(right))
        side_by_side.append(
            (
                lang,
                [
                    (left[i] if i < len(left) else "", right[i] if i < len(right) else "")
                    for i in range(width)
                ],
            )
        )
    revisions = list(statement.revisions.select_related("created_by").order_by("-number"))
    # The transition table's actions, spelt as the desk's URLs and buttons are.
    allowed = workflow.allowed_actions(statement, request.user)
    actions = [transitions.rows(action)[0].key for action in allowed]
    return {
        "statement": statement,
        "form": form,
        "status": status,
        "actions": actions,
        "amendment": workflow.open_amendment(statement)
        if statement.state in workflow.POST_PUBLICATION
        else None,
        "events": statement.events.select_related("actor").order_by("-created_at", "-id"),
        "reviews": statement.reviews.select_related("reviewer").order_by("-created_at"),
        "revisions": revisions,
        "side_by_side": side_by_side,
        "source_language": statement.source_language,
        "languages": language_codes(),
        "editable": "edit" in actions,
    }


@desk_view
def statement_detail(request, pk: int):
    statement = get_object_or_404(_statements(), pk=pk)
    return render(request, "desk/statement_detail.html", _detail_context(request, statement))


@desk_view
@require_POST
def statement_save(request, pk: int):
    statement = get_object_or_404(Statement, pk=pk)
    form = _edit_form(statement, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # The embargo is sent only when changed: a save of the text alone must not touch it.
        changed = {"embargo_until": data["embargo_until"]} if form.embargo_changed() else {}
        try:
            _, notices = workflow.statement_edit(
                statement_id=pk,
                by=request.user,
                translations=form.translations(only_given=True),
                confirm_encoding=data.get("confirm_encoding", False),
                **changed,
            )
        except NotAllowed as err:
            raise PermissionDenied(err.message) from err
        except RuleBroken as err:
            messages.error(request, err.message)
        else:
            _notify(request, notices)
            messages.success(request, "Saved.")
            return redirect("desk-statement", pk=pk)
    statement = get_object_or_404(_statements(), pk=pk)
    return render(
        request, "desk/statement_detail.html", _detail_context(request, statement, form), status=400
    )


def _edit_form(statement: Statement, *, data=None, content=None) -> StatementForm:
    return StatementForm(
        data,
        content=workflow.working_content(statement) if content is None else content,
        initial={"embargo_until": statement.embargo_until},
        # After publication the embargo changes only by the set-embargo action (FIELD_RULES).
        embargo_locked=statement.state in workflow.POST_PUBLICATION,
    )


def _utc_time(value: str, *, what: str) -> datetime.datetime:
    when = parse_datetime(value or "")
    if when is None:
        raise RuleBroken(f"Give the {what} as YYYY-MM-DD HH:MM (UTC).")
    return timezone.make_aware(when, datetime.UTC) if timezone.is_naive(when) else when


def _action_arguments(name: str, post) -> dict:
    comment = post.get("comment", "")
    if name == "schedule":
        return {
            "scheduled_at": _utc_time(post.get("scheduled_at"), what="publication time"),
            "comment": comment,
        }
    if name == "set_embargo":
        raw = post.get("embargo_until", "").strip()
        return {
            "embargo_until": _utc_time(raw, what="embargo time") if raw else None,
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
        messages.error(request, err.message)
        statement = get_object_or_404(_statements(), pk=pk)
        return render(
            request, "desk/statement_detail.html", _detail_context(request, statement), status=400
        )
    messages.success(request, f"{name.replace('_', ' ').capitalize()}: done.")
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
    return render(
        request,
        "desk/preview.html",
        {
            "statement": statement,
            "language": language,
            "entry": entry,
            "body_html": markdown_html(entry.get("body", "")),
            "more_html": markdown_html(entry.get("more_information", "")),
            "quotes": entry.get("quotes", []),
        },
    )

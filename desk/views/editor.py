"""The statement editor's helpers and small endpoints: the live preview (the public page's own
rendering), completeness in words, the edit lock's heartbeat and take-over, the retract
confirmation, and plain words for states and events.

Rules stay in their homes: statements/transitions.py (what is complete, which fields a user may
change, which actions exist), statements/locks.py (the edit lock), accounts/policy.py (access).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import desk_view
from campaigns.models import Ask, Target
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes, language_name, pick
from desk.forms import TEXT_FIELDS, holdings_on
from publishing.rendering import ReleaseView, html_text, markdown_html, when
from statements import locks, transitions
from statements.models import Boilerplate, Statement

# --- plain words ----------------------------------------------------------------------------

STAGE_WORDS = {
    **{state.value: state.label for state in Statement.State},
    "change_draft": gettext_lazy("change being drafted"),
    "change_in_review": gettext_lazy("change in review"),
    "change_changes_requested": gettext_lazy("changes requested to the change"),
    "change_approved": gettext_lazy("change approved, ready to publish"),
}
EVENT_WORDS = {
    "create": gettext_lazy("created the draft"),
    "edit": gettext_lazy("saved changes"),
    "submit": gettext_lazy("sent it for review"),
    "approve": gettext_lazy("approved (more approvals needed)"),
    "approved": gettext_lazy("approved it"),
    "request_changes": gettext_lazy("asked for changes"),
    "defer_translation": gettext_lazy("decided to publish without some languages"),
    "schedule": gettext_lazy("scheduled publication"),
    "unschedule": gettext_lazy("took it off the schedule"),
    "publish": gettext_lazy("published it"),
    "publish_translation": gettext_lazy("published a translation that was to follow"),
    "correct": gettext_lazy("published a correction"),
    "retract": gettext_lazy("retracted it"),
    "set_embargo": gettext_lazy("changed the embargo"),
    "embargo_lifted": gettext_lazy("embargo ended: the release is public"),
    "overdue": gettext_lazy("publication was late"),
    "comment": gettext_lazy("commented"),
}
DONE_WORDS = {
    "submit": gettext_lazy("Sent for review."),
    "approve": gettext_lazy("Approved."),
    "request_changes": gettext_lazy("Changes requested."),
    "defer_translation": gettext_lazy("Decided: it may be published without those languages."),
    "schedule": gettext_lazy("Scheduled."),
    "unschedule": gettext_lazy("Taken off the schedule; it is approved and waiting."),
    "publish": gettext_lazy("Published."),
    "correct": gettext_lazy("Correction published."),
    "retract": gettext_lazy("Retracted."),
    "set_embargo": gettext_lazy("Embargo changed."),
    "comment": gettext_lazy("Comment added."),
}


def stage_words(stage: str) -> str:
    return str(STAGE_WORDS.get(stage, stage.replace("_", " ")))


def event_rows(statement: Statement) -> list[dict]:
    rows = []
    for event in statement.events.select_related("actor").order_by("-created_at", "-id"):
        moved = event.from_state and event.from_state != event.to_state
        rows.append(
            {
                "when": event.created_at,
                "who": event.actor.get_username() if event.actor else _("the system"),
                "what": str(EVENT_WORDS.get(event.action, event.action.replace("_", " "))),
                "change": _("from “%(from)s” to “%(to)s”")
                % {"from": stage_words(event.from_state), "to": stage_words(event.to_state)}
                if moved
                else "",
                "comment": event.comment,
            }
        )
    return rows


def completeness(entry: dict | None, *, stale: bool = False) -> dict:
    """A translation's completeness in words, from its fields (transitions.missing_fields)."""
    missing = transitions.missing_fields(entry)
    names = {"title": _("title"), "summary": _("summary"), "body": _("body")}
    if entry is None or len(missing) == len(transitions.REQUIRED_TEXT_FIELDS):
        return {"complete": False, "css": "st-missing", "text": _("not started")}
    if missing:
        text = _("missing: %(fields)s") % {"fields": ", ".join(str(names[m]) for m in missing)}
        return {"complete": False, "css": "st-incomplete", "text": text}
    if not entry.get("marked_complete", True):
        return {"complete": False, "css": "st-incomplete", "text": _("not ready yet (marked)")}
    if stale:
        return {"complete": False, "css": "st-stale", "text": _("out of date: the source changed")}
    return {"complete": True, "css": "st-ok", "text": _("complete")}


def status_rows(statement: Statement, status: dict, content: dict) -> list[dict]:
    rows = []
    for code, st in status.items():
        row = completeness(content.get(code), stale=st["stale"])
        row |= {
            "code": code,
            "name": language_name(code),
            "required": code in statement.required_languages,
            "to_follow": code in statement.deferred_languages,
        }
        rows.append(row)
    return rows


# --- the preview: the public page's rendering of the text being edited -----------------------


def release_moment(statement: Statement | None) -> datetime.datetime:
    moment = None
    if statement is not None:
        moment = statement.published_at or statement.scheduled_at or statement.embargo_until
    return moment or timezone.now()


def preview_release(
    *,
    language: str,
    entry: dict,
    campaign=None,
    kind: str = Statement.Kind.PRESS_RELEASE,
    targets=(),
    roles=(),
    asks=(),
    boilerplate: Boilerplate | None = None,
    moment: datetime.datetime | None = None,
) -> ReleaseView:
    """The ReleaseView publishing/rendering.py builds for the public page, made from working
    text instead of published rows (same Markdown allowlist, same template)."""
    moment = moment or timezone.now()
    day = moment.astimezone(datetime.UTC).date()
    holders = {h.role_id: h.holder for h in holdings_on(day)}
    body_html = markdown_html(entry.get("body", ""))
    view = ReleaseView(
        slug="preview",
        language=language,
        content_language=language,
        status="published",
        kind=kind,
        title=entry.get("title", ""),
        summary=entry.get("summary", ""),
        body_html=body_html,
        body_text=html_text(body_html),
        campaign={
            "slug": campaign.slug if campaign else "",
            "name": pick(campaign.name, language) if campaign else "",
        },
        published=when(moment, language),
        corrected=None,
    )
    view.quotes = [
        {"speaker": q.get("speaker", ""), "html": markdown_html(q.get("text", ""))}
        for q in entry.get("quotes") or []
        if q.get("text")
    ]
    view.more_information_html = markdown_html(entry.get("more_information", ""))
    view.targets = [
        {"slug": t.slug, "name": pick(t.name, language), "kind": t.kind} for t in targets
    ]
    view.role_holders = [
        {
            "role": r.slug,
            "role_name": pick(r.name, language),
            "holder": holders[r.pk].slug if r.pk in holders else None,
            "holder_name": pick(holders[r.pk].name, language) if r.pk in holders else "",
        }
        for r in roles
    ]
    view.asks = [
        {"id": a.pk, "text": pick(a.text, language), "status": a.status, "status_label": ""}
        for a in asks
    ]
    if boilerplate:
        view.boilerplate_html = markdown_html(pick(boilerplate.about, language))
        view.media_contact = pick(boilerplate.media_contact, language)
    return view


def render_preview(release: ReleaseView) -> str:
    return render_to_string("desk/_preview_release.html", {"release": release})


def previews_for(form, statement: Statement | None) -> dict[str, str]:
    """Server-rendered previews of the form's current values (also without JavaScript)."""
    out = {}
    for code in form.languages:
        entry = {n: form[f"{code}-{n}"].value() or "" for n in TEXT_FIELDS}
        entry["quotes"] = form.quotes(code)
        out[code] = render_preview(
            preview_release(
                language=code,
                entry=entry,
                campaign=statement.campaign if statement else None,
                kind=statement.kind if statement else Statement.Kind.PRESS_RELEASE,
                targets=statement.targets.all() if statement else (),
                roles=statement.roles.all() if statement else (),
                asks=statement.asks.all() if statement else (),
                boilerplate=statement.boilerplate if statement else None,
                moment=release_moment(statement),
            )
        )
    return out


def blocks(form, previews: dict[str, str], status: list[dict] | None = None) -> list[dict]:
    """Per language: the form's fields, its rendered preview and its completeness."""
    by_code = {row["code"]: row for row in status or []}
    out = []
    for block in form.language_blocks():
        code = block["code"]
        state = by_code.get(code) or completeness(
            {n: form[f"{code}-{n}"].value() or "" for n in TEXT_FIELDS}
        )
        out.append(block | {"preview": previews[code], "state": state})
    return out


@desk_view
@require_POST
def editor_preview(request):
    """The editor's live preview: POST the editor form, get each language's rendered page and
    its completeness. Writes nothing."""
    post = request.POST
    statement = None
    if post.get("statement"):
        try:
            statement = Statement.objects.select_related("campaign").get(pk=int(post["statement"]))
        except (ValueError, Statement.DoesNotExist) as err:
            raise Http404("No such statement.") from err
    from campaigns.models import Campaign, Role

    campaign = statement.campaign if statement else None
    if campaign is None and post.get("campaign"):
        campaign = Campaign.objects.filter(slug=post["campaign"]).first()
    targets = list(Target.objects.filter(slug__in=post.getlist("targets")))
    roles = list(Role.objects.filter(slug__in=post.getlist("roles")))
    asks = Ask.objects.filter(slug__in=post.getlist("asks"))
    if campaign is not None:
        asks = asks.filter(campaign=campaign)
    boilerplate = Boilerplate.objects.filter(slug=post.get("boilerplate") or "").first()
    out = {}
    for code in language_codes():
        entry = {
            n: post.get(f"{code}-{n}", "") for n in ("title", "summary", "body", "more_information")
        }
        entry["quotes"] = [
            {"speaker": s.strip(), "text": t.strip()}
            for s, t in zip(
                post.getlist(f"{code}-quote-speaker"),
                post.getlist(f"{code}-quote-text"),
                strict=False,
            )
            if t.strip()
        ]
        entry["marked_complete"] = not post.get(f"{code}-not_ready")
        release = preview_release(
            language=code,
            entry=entry,
            campaign=campaign,
            kind=post.get("kind") or Statement.Kind.PRESS_RELEASE,
            targets=targets,
            roles=roles,
            asks=list(asks),
            boilerplate=boilerplate,
            moment=release_moment(statement),
        )
        state = completeness(entry)
        out[code] = {"html": render_preview(release)} | {
            "complete": state["complete"],
            "css": state["css"],
            "text": str(state["text"]),
        }
    return JsonResponse({"languages": out})


# --- the edit lock ----------------------------------------------------------------------------


def lock_notice(statement: Statement, user) -> dict | None:
    state = locks.lock_state(statement.pk, user)
    if state.held:
        return None
    return {"holder": state.holder, "since": state.since}


@desk_view
@require_POST
def editor_lock(request, pk: int):
    """The editor's heartbeat (op=claim, JSON), its goodbye (op=release) and a deliberate
    take-over (op=take_over, a form: back to the statement)."""
    statement = get_object_or_404(Statement, pk=pk)
    op = request.POST.get("op", "claim")
    if not transitions.can("edit", statement, request.user):
        if op == "take_over":
            raise PermissionDenied(_("You cannot edit this statement now."))
        return JsonResponse({"held": False, "message": _("You cannot edit it now.")}, status=403)
    if op == "release":
        locks.lock_release(statement_id=pk, by=request.user)
        return JsonResponse({"held": False})
    state = locks.lock_claim(statement_id=pk, by=request.user, take_over=op == "take_over")
    if op == "take_over":
        messages.success(request, _("You are editing it now; the other editor is told."))
        return redirect("desk-statement", pk=pk)
    return JsonResponse(
        {
            "held": state.held,
            "holder": state.holder,
            "since": f"{state.since:%H:%M}" if state.since else "",
            "message": ""
            if state.held
            else _("%(holder)s took over editing at %(time)s UTC: your changes cannot be saved.")
            % {"holder": state.holder, "time": f"{state.since:%H:%M}"},
        }
    )


# --- retract: a confirmation step -------------------------------------------------------------


@desk_view
def retract_confirm(request, pk: int):
    """ "Retract this release?" with what it does; the POST goes to the retract action."""
    statement = get_object_or_404(Statement.objects.prefetch_related("translations"), pk=pk)
    try:
        transitions.check("retract", statement, request.user)
    except NotAllowed as err:
        raise PermissionDenied(err.message) from err
    except RuleBroken as err:
        messages.error(request, err.message)
        return redirect("desk-statement", pk=pk)
    return render(
        request,
        "desk/retract_confirm.html",
        {"statement": statement, "reason": request.GET.get("reason", "")},
    )

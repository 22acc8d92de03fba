"""The desk's sends: choose a statement and lists, preview each language version as its
recipients will get it, send a test to yourself, confirm now or for later, follow the progress,
pause, resume or cancel. Every change goes through distribution/services.py."""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.policy import can, desk_view
from config.errors import NotAllowed, RuleBroken
from config.languages import language_list
from contacts.models import Contact, MediaList, Segment
from contacts.segments import segment_count, segments_by_slug
from desk.templatetags.desk_sends import delivery_state_label, send_state_label
from distribution import services
from distribution.messages import PREVIEW_ADDRESS
from distribution.models import Delivery, Distribution
from publishing.rendering import when
from statements.models import Statement

# Kinds of send in plain words, for the form.
KIND_LABELS = {
    Distribution.Kind.RELEASE: gettext_lazy("The release, to the lists you choose"),
    Distribution.Kind.CORRECTION: gettext_lazy(
        "A correction, to everyone who received the release"
    ),
    Distribution.Kind.RETRACTION: gettext_lazy(
        "A retraction notice, to everyone who received the release"
    ),
}
# The zones a publisher may type a send time in; it is stored in UTC.
ZONES = (("UTC", gettext_lazy("UTC")), (settings.DISPLAY_TIME_ZONE, gettext_lazy("Myanmar time")))
SEND_AT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
# The HTML part of a preview may style itself and nothing more: no script, no remote resource,
# no form, no navigation of the desk; only the desk's own pages may frame it.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def _refused(request, err: Exception, status: int) -> HttpResponse:
    return render(request, "desk/refused.html", {"message": str(err)}, status=status)


def _title(statement: Statement, language: str) -> tuple[str, str]:
    """The statement's title in the interface language, else its source language, with the
    language it is in (for lang="...")."""
    for code in (language, statement.source_language):
        found = statement.translation(code)
        if found and found.title:
            return found.title, code
    return statement.slug, "en"


def _statement_choices(language: str) -> list[dict]:
    rows = (
        Statement.objects.filter(state__in=[*Statement.PUBLIC_STATES, Statement.State.RETRACTED])
        .prefetch_related("translations")
        .order_by("-published_at")[:100]
    )
    choices = []
    for statement in rows:
        title, lang = _title(statement, language)
        choices.append(
            {
                "pk": statement.pk,
                "title": title,
                "lang": lang,
                "state": statement.get_state_display(),
                "embargo": when(statement.embargo_until, language)
                if statement.embargo_until and statement.embargo_until > timezone.now()
                else None,
            }
        )
    return choices


def _list_choices():
    """Lists by name with how many active contacts each reaches."""
    return MediaList.objects.annotate(
        active=Count("memberships", filter=Q(memberships__contact__status=Contact.Status.ACTIVE))
    ).order_by("name")


def _segment_choices() -> list:
    """Segments by name with how many active contacts each reaches now."""
    found = list(Segment.objects.prefetch_related("lists"))
    for segment in found:
        segment.active = segment_count(segment)
    return found


def _parse_send_at(text: str, zone: str) -> datetime.datetime | None:
    """The time typed in the form, in the zone chosen beside it; None for "now"."""
    text = (text or "").strip()
    if not text:
        return None
    if zone not in dict(ZONES):
        raise RuleBroken(_("Choose UTC or Myanmar time for the send time."))
    for fmt in SEND_AT_FORMATS:
        try:
            naive = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 (zone applied below)
        except ValueError:
            continue
        moment = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        if moment < timezone.now() - datetime.timedelta(minutes=1):
            raise RuleBroken(
                _("That send time has passed. Leave it empty to send now, or choose a later time.")
            )
        return moment.astimezone(datetime.UTC)
    raise RuleBroken(_("Give the send time as a date and a time, for example 2025-05-01 09:30."))


def _form_query(
    statement_id, kind: str, lists: list[str], send_at: str, zone: str, segments: list[str] = ()
) -> str:
    pairs = [("statement", statement_id), ("kind", kind), ("step", "check")]
    pairs += [("media_lists", slug) for slug in lists]
    pairs += [("segments", slug) for slug in segments]
    if send_at:
        pairs += [("send_at", send_at), ("send_at_zone", zone)]
    return urlencode(pairs)


@desk_view(capability="sends.view")
def sends(request) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    rows = Distribution.objects.select_related("statement").prefetch_related(
        "media_lists", "statement__translations"
    )[:50]
    items = []
    for d in rows:
        title, lang = _title(d.statement, language)
        items.append(
            {
                "distribution": d,
                "counts": services.distribution_counts(distribution=d),
                "title": title,
                "lang": lang,
                "state": send_state_label(d),
                "send_at": when(d.send_at, language),
            }
        )
    return render(
        request,
        "desk/sends.html",
        {"items": items, "can_start": can(request.user, "sends.start"), "kinds": KIND_LABELS},
    )


@desk_view(capability="sends.start")
def send_new(request) -> HttpResponse:
    """Choose a statement, the kind and lists, and when; see who would get it by language and
    each language version as they will get it; send a test to yourself; then confirm."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    data = request.POST if request.method == "POST" else request.GET
    statement_id = data.get("statement") or ""
    chosen = data.getlist("media_lists")
    chosen_segments = data.getlist("segments")
    kind = data.get("kind") or Distribution.Kind.RELEASE
    send_at_text = data.get("send_at", "")
    zone = data.get("send_at_zone") or "UTC"
    context = {
        "statements": _statement_choices(language),
        "lists": _list_choices(),
        "segments": _segment_choices(),
        "chosen_segments": chosen_segments,
        "kinds": [(value, KIND_LABELS[value]) for value in Distribution.Kind.values],
        "zones": ZONES,
        "chosen_statement": statement_id,
        "chosen_lists": chosen,
        "chosen_kind": kind,
        "send_at_text": send_at_text,
        "chosen_zone": zone,
    }
    if not statement_id:
        return render(request, "desk/send_new.html", context)
    if not statement_id.isdigit():
        context["error"] = _("Choose a statement from the list.")
        return render(request, "desk/send_new.html", context, status=400)
    statement = get_object_or_404(
        Statement.objects.prefetch_related("translations"), pk=statement_id
    )
    title, title_lang = _title(statement, language)
    context.update({"statement": statement, "title": title, "title_lang": title_lang})
    # From the statement page ("Send this release"): the form with the statement chosen.
    if not chosen and not chosen_segments and "step" not in data and request.method != "POST":
        return render(request, "desk/send_new.html", context)
    try:
        if kind not in Distribution.Kind.values:
            raise RuleBroken(_("Choose what to send from the list."))
        send_at = _parse_send_at(send_at_text, zone)
        if request.method == "POST" and data.get("confirm") == "yes":
            distribution = services.distribution_start(
                statement_id=statement.pk,
                media_list_slugs=chosen,
                kind=kind,
                by=request.user,
                send_at=send_at,
                segment_slugs=chosen_segments,
            )
            return redirect("desk-send", pk=distribution.pk)
        selected = [m for m in context["lists"] if m.slug in chosen]
        segments = segments_by_slug(chosen_segments)
        services.check_sendable(
            statement=statement, kind=kind, media_lists=selected, segments=segments
        )
        preview = services.recipient_preview(
            statement=statement, media_list_slugs=chosen, kind=kind, segment_slugs=chosen_segments
        )
    except NotAllowed as err:
        return _refused(request, err, 403)
    except RuleBroken as err:
        context["error"] = err.message
        return render(request, "desk/send_new.html", context, status=400)
    query = _form_query(statement.pk, kind, chosen, send_at_text, zone, chosen_segments)
    back = f"{reverse('desk-send-new')}?{query}"
    variants = []
    for variant, count in preview["by_variant"].items():
        shown = services.message_preview(statement=statement, kind=kind, variant=variant)
        shown.update(
            {
                "count": count,
                "name": language_list(shown["languages"]),
                "html_url": reverse("desk-send-preview-html", args=[statement.pk, kind, variant]),
            }
        )
        variants.append(shown)
    context.update(
        {
            "preview": preview,
            "by_language": [(language_list(v["languages"]), v["count"]) for v in variants],
            "variants": variants,
            "send_at": send_at,
            "send_at_when": when(send_at, language) if send_at else None,
            "back": back,
            "test_sends_left": services.test_sends_left(by=request.user),
            "own_address": request.user.email,
            "preview_address": PREVIEW_ADDRESS,
        }
    )
    return render(request, "desk/send_new.html", context)


@desk_view(capability="sends.start")
@xframe_options_sameorigin
def send_preview_html(request, pk: int, kind: str, variant: str) -> HttpResponse:
    """The HTML part of one language version, alone, for the preview's sandboxed frame."""
    statement = get_object_or_404(Statement, pk=pk)
    try:
        preview = services.message_preview(statement=statement, kind=kind, variant=variant)
    except RuleBroken as err:
        return HttpResponseBadRequest(err.message, content_type="text/plain; charset=utf-8")
    response = HttpResponse(preview["html"], content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@desk_view(capability="sends.start")
@require_POST
def send_test(request) -> HttpResponse:
    """ "Send a test to me": one language version to the caller's own address."""
    back = request.POST.get("back") or reverse("desk-send-new")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk-send-new")
    statement_id = request.POST.get("statement") or ""
    variant = request.POST.get("variant") or ""
    try:
        if not statement_id.isdigit():
            raise RuleBroken(_("Choose a statement first."))
        address = services.distribution_test_send(
            statement_id=int(statement_id),
            kind=request.POST.get("kind") or Distribution.Kind.RELEASE,
            variant=variant,
            by=request.user,
        )
    except NotAllowed as err:
        return _refused(request, err, 403)
    except RuleBroken as err:
        return render(
            request,
            "desk/send_test_refused.html",
            {"message": err.message, "back": back},
            status=400,
        )
    messages.success(
        request,
        _("A test of the %(language)s version was sent to %(address)s.")
        % {"language": language_list(variant.split("+")), "address": address},
    )
    return redirect(back)


@desk_view(capability="sends.view")
def send_detail(request, pk: int) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    distribution = get_object_or_404(
        Distribution.objects.select_related("statement", "created_by").prefetch_related(
            "statement__translations", "media_lists"
        ),
        pk=pk,
    )
    # Recipients' addresses: only for those the policy lets see them; others get the counts.
    page = None
    if can(request.user, "recipients.view", distribution):
        deliveries = distribution.deliveries.order_by("id")
        if state := request.GET.get("state"):
            deliveries = deliveries.filter(state=state)
        page = Paginator(deliveries, 100).get_page(request.GET.get("page"))
        for delivery in page:
            delivery.languages_name = language_list(delivery.variant.split("+"))
    counts = services.distribution_counts(distribution=distribution)
    title, title_lang = _title(distribution.statement, language)
    return render(
        request,
        "desk/send.html",
        {
            "distribution": distribution,
            "title": title,
            "title_lang": title_lang,
            "kind": KIND_LABELS.get(distribution.kind, distribution.kind),
            "state": send_state_label(distribution),
            "send_at": when(distribution.send_at, language),
            "counts": [(s, delivery_state_label(s), counts.get(s, 0)) for s in counts],
            "progress": _progress(counts),
            "page": page,
            "live": distribution.state in Distribution.ACTIVE_STATES,
            "can_act": can(request.user, "sends.start"),
        },
    )


@desk_view(capability="sends.view")
def send_progress(request, pk: int) -> JsonResponse:
    """Counts as JSON for the live progress view."""
    distribution = get_object_or_404(Distribution, pk=pk)
    counts = services.distribution_counts(distribution=distribution)
    return JsonResponse(
        {
            "id": distribution.pk,
            "status": distribution.state,
            "status_display": send_state_label(distribution),
            "live": distribution.state in Distribution.ACTIVE_STATES,
            "counts": counts,
            **_progress(counts),
        }
    )


def _progress(counts: dict[str, int]) -> dict[str, int]:
    open_ = counts.get(Delivery.State.PENDING, 0) + counts.get(Delivery.State.SENDING, 0)
    total = sum(counts.values())
    return {"total": total, "finished": total - open_}


@desk_view(capability="sends.start")
def send_cancel_confirm(request, pk: int) -> HttpResponse:
    """Cancel asks first: what stops and what is already out."""
    distribution = get_object_or_404(Distribution.objects.select_related("statement"), pk=pk)
    counts = services.distribution_counts(distribution=distribution)
    title, title_lang = _title(
        distribution.statement, translation.get_language() or settings.LANGUAGE_CODE
    )
    return render(
        request,
        "desk/send_cancel.html",
        {
            "distribution": distribution,
            "title": title,
            "title_lang": title_lang,
            "state": send_state_label(distribution),
            "finished": distribution.state
            in (Distribution.State.DONE, Distribution.State.CANCELLED),
            "waiting": counts[Delivery.State.PENDING] + counts[Delivery.State.SENDING],
            "sent": counts[Delivery.State.SENT],
        },
    )


_ACTIONS = {
    "pause": services.distribution_pause,
    "resume": services.distribution_resume,
    "cancel": services.distribution_cancel,
    "confirm": services.distribution_confirm_late,
}


@desk_view(capability="sends.view")
@require_POST
def send_action(request, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        return HttpResponseBadRequest("Unknown action.")
    try:
        _ACTIONS[action](distribution_id=pk, by=request.user)
    except NotAllowed as err:
        return _refused(request, err, 403)
    except RuleBroken as err:
        return _refused(request, err, 400)
    return redirect("desk-send", pk=pk)

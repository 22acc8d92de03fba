"""The desk's sends: choose a statement and lists, confirm, follow the progress, pause,
resume or cancel. Every change goes through distribution/services.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.policy import can, desk_view
from config.errors import NotAllowed, RuleBroken
from contacts.models import MediaList
from distribution import services
from distribution.models import Delivery, Distribution
from statements.models import Statement


def _refused(request, err: Exception, status: int) -> HttpResponse:
    return render(request, "desk/refused.html", {"message": str(err)}, status=status)


@desk_view(capability="sends.view")
def sends(request) -> HttpResponse:
    rows = Distribution.objects.select_related("statement").prefetch_related("media_lists")[:50]
    items = [(d, services.distribution_counts(distribution=d)) for d in rows]
    return render(request, "desk/sends.html", {"items": items})


@desk_view(capability="sends.start")
def send_new(request) -> HttpResponse:
    """Choose a statement and lists, see who would get it by language, then confirm."""
    statements = Statement.objects.filter(
        state__in=[*Statement.PUBLIC_STATES, Statement.State.RETRACTED]
    ).order_by("-published_at")[:100]
    lists = MediaList.objects.all()
    data = request.POST if request.method == "POST" else request.GET
    context = {"statements": statements, "lists": lists, "kinds": Distribution.Kind.choices}
    statement_id = data.get("statement")
    chosen = data.getlist("media_lists")
    kind = data.get("kind") or Distribution.Kind.RELEASE
    context.update({"chosen_statement": statement_id, "chosen_lists": chosen, "chosen_kind": kind})
    if not statement_id:
        return render(request, "desk/send_new.html", context)
    statement = get_object_or_404(Statement, pk=statement_id)
    try:
        if request.method == "POST" and data.get("confirm") == "yes":
            distribution = services.distribution_start(
                statement_id=statement.pk, media_list_slugs=chosen, kind=kind, by=request.user
            )
            return redirect("desk-send", pk=distribution.pk)
        selected = [m for m in lists if m.slug in chosen]
        services.check_sendable(statement=statement, kind=kind, media_lists=selected)
        context["preview"] = services.recipient_preview(
            statement=statement, media_list_slugs=chosen, kind=kind
        )
        context["statement"] = statement
    except RuleBroken as err:
        context["error"] = err.message
        return render(request, "desk/send_new.html", context, status=400)
    return render(request, "desk/send_new.html", context)


@desk_view(capability="sends.view")
def send_detail(request, pk: int) -> HttpResponse:
    distribution = get_object_or_404(
        Distribution.objects.select_related("statement", "created_by"), pk=pk
    )
    # Recipients' addresses: only for those the policy lets see them; others get the counts.
    page = None
    if can(request.user, "recipients.view", distribution):
        deliveries = distribution.deliveries.order_by("id")
        if state := request.GET.get("state"):
            deliveries = deliveries.filter(state=state)
        page = Paginator(deliveries, 100).get_page(request.GET.get("page"))
    counts = services.distribution_counts(distribution=distribution)
    return render(
        request,
        "desk/send.html",
        {
            "distribution": distribution,
            "counts": counts,
            "progress": _progress(counts),
            "page": page,
            "states": Delivery.State.values,
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
            "status_display": distribution.get_state_display(),
            "live": distribution.state in Distribution.ACTIVE_STATES,
            "counts": counts,
            **_progress(counts),
        }
    )


def _progress(counts: dict[str, int]) -> dict[str, int]:
    open_ = counts.get(Delivery.State.PENDING, 0) + counts.get(Delivery.State.SENDING, 0)
    total = sum(counts.values())
    return {"total": total, "finished": total - open_}


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

"""The desk inbox: a staff member's notifications, newest first, and which kinds they get.

Every staff role has an inbox (`desk.use`); a person sees and changes only their own rows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import desk_view
from burmese import contains_burmese
from desk import notifications
from desk.models import Notification

INBOX_PAGE = 50


@desk_view
def inbox(request) -> HttpResponse:
    page = Paginator(notifications.inbox_of(request.user), INBOX_PAGE).get_page(
        request.GET.get("page")
    )
    items = []
    for n in page:
        detail = notifications.detail(n)
        items.append(
            {
                "notification": n,
                "headline": notifications.headline_html(n),
                "detail": detail,
                "detail_lang": "my" if contains_burmese(detail) else "",
                "link": notifications.link(n),
                "unread": n.read_at is None,
            }
        )
    return render(
        request,
        "desk/inbox.html",
        {
            "page": page,
            "items": items,
            "unread": notifications.unread_count(request.user),
        },
    )


@desk_view
@require_POST
def inbox_read(request, pk: int) -> HttpResponse:
    if not notifications.mark_read(user=request.user, notification_id=pk):
        raise Http404("No such notification.")
    return redirect("desk-inbox")


@desk_view
@require_POST
def inbox_read_all(request) -> HttpResponse:
    count = notifications.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("desk-inbox")


@desk_view
def inbox_settings(request) -> HttpResponse:
    """Each kind on or off, for the inbox and for email (everything is on by default)."""
    kinds = Notification.Kind
    if request.method == "POST":
        # A ticked box means "on"; a kind not ticked is turned off.
        notifications.preferences_save(
            user=request.user,
            inbox=[k for k in kinds.values if request.POST.get(f"inbox_{k}") == "on"],
            email=[k for k in kinds.values if request.POST.get(f"email_{k}") == "on"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("desk-inbox-settings")
    chosen = notifications.preferences_of(request.user)
    rows = [
        {
            "kind": value,
            "label": label,
            "inbox": chosen[notifications.INBOX][value],
            "email": chosen[notifications.EMAIL][value],
        }
        for value, label in kinds.choices
    ]
    return render(
        request,
        "desk/inbox_settings.html",
        {"rows": rows, "has_email": bool(request.user.email)},
    )

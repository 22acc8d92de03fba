"""The desk's contacts page: who is on which list, and who unsubscribed, bounced or
complained (and when). Read-only: contacts change through the API, import_contacts and the
admin, all of which go through contacts/services.py."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import desk_view
from contacts.models import Contact, MediaList

RECENT = datetime.timedelta(days=30)
PAGE_SIZE = 100
# Statuses in plain words, in the desk's language (the model's labels are English only).
STATUS_LABELS = {
    Contact.Status.ACTIVE: _("Active"),
    Contact.Status.UNSUBSCRIBED: _("Unsubscribed"),
    Contact.Status.BOUNCED: _("Bounced"),
    Contact.Status.COMPLAINED: _("Complained"),
    Contact.Status.ERASED: _("Erased"),
}


def _with_labels(contacts) -> list[Contact]:
    contacts = list(contacts)
    for contact in contacts:
        contact.status_label = STATUS_LABELS.get(contact.status, contact.get_status_display())
    return contacts


# Contacts are sensitive: journalists who cover Myanmar can be targeted for it.
@desk_view(capability="contacts.view")
def contact_list(request) -> HttpResponse:
    contacts = Contact.objects.exclude(status=Contact.Status.ERASED).prefetch_related("lists")
    query = (request.GET.get("q") or "").strip()[:200]
    if query:
        contacts = contacts.filter(
            Q(email__icontains=query) | Q(name__icontains=query) | Q(outlet__icontains=query)
        )
    status = request.GET.get("status") or ""
    if status in Contact.Status.values:
        contacts = contacts.filter(status=status)
    media_list = request.GET.get("list") or ""
    if media_list:
        contacts = contacts.filter(lists__slug=media_list)
    recent = (
        Contact.objects.filter(
            status__in=[
                Contact.Status.UNSUBSCRIBED,
                Contact.Status.BOUNCED,
                Contact.Status.COMPLAINED,
            ],
            status_changed_at__gte=timezone.now() - RECENT,
        )
        .order_by("-status_changed_at")
        .only("email", "name", "status", "status_changed_at")[:50]
    )
    page = Paginator(contacts.order_by("email"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_labels(page.object_list)
    return render(
        request,
        "desk/contacts.html",
        {
            "page": page,
            "recent": _with_labels(recent),
            "recent_days": RECENT.days,
            "statuses": [
                (value, label) for value, label in STATUS_LABELS.items() if value != "erased"
            ],
            "lists": MediaList.objects.all(),
            "chosen": {"q": query, "status": status, "list": media_list},
        },
    )

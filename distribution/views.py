"""The recipient's unsubscribe page (RFC 8058 one-click)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from contacts.models import Contact
from contacts.services import contact_unsubscribe
from distribution import messages


# csrf_exempt: mail clients POST here without a form (RFC 8058 one-click); the signed token
# is the authorisation. GET only shows the confirmation page, so a link scanner changes nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str) -> HttpResponse:
    contact_id = messages.unsubscribe_contact_id(token)
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    if contact is None:
        return render(request, "distribution/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        contact_unsubscribe(contact_id=contact.pk)
        return render(request, "distribution/unsubscribe_done.html", {"contact": contact})
    return render(
        request,
        "distribution/unsubscribe_confirm.html",
        {
            "contact": contact,
            "already": contact.status != Contact.Status.ACTIVE,
        },
    )

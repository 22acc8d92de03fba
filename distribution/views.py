"""The recipient's unsubscribe page (RFC 8058 one-click), in the recipient's language(s).

A Burmese-only journalist reads it in Burmese, a bilingual one in both (their preferred first);
a link that names nobody is answered in every configured language, since we cannot know whose.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.languages import language_codes
from contacts.models import Contact
from contacts.services import contact_unsubscribe
from distribution import messages


def page_languages(contact: Contact | None) -> list[str]:
    """The contact's configured languages in their order of preference; every configured
    language when there is no contact (or it names none)."""
    configured = language_codes()
    if contact is None:
        return configured
    chosen = [code for code in dict.fromkeys(contact.languages or []) if code in configured]
    return chosen or configured


def _render(request, template: str, contact: Contact | None, status: int = 200, **context):
    languages = page_languages(contact)
    response = render(request, template, {"page_languages": languages, **context}, status=status)
    # LocaleMiddleware would name the browser's language; the page is in these.
    response["Content-Language"] = ", ".join(languages)
    return response


# csrf_exempt: mail clients POST here without a form (RFC 8058 one-click); the signed token
# is the authorisation. GET only shows the confirmation page, so a link scanner changes nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str) -> HttpResponse:
    contact_id = messages.unsubscribe_contact_id(token)
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    if contact is None:
        return _render(request, "distribution/unsubscribe_invalid.html", None, status=404)
    if request.method == "POST":
        contact_unsubscribe(contact_id=contact.pk)
        return _render(request, "distribution/unsubscribe_done.html", contact)
    return _render(
        request,
        "distribution/unsubscribe_confirm.html",
        contact,
        already=contact.status != Contact.Status.ACTIVE,
    )

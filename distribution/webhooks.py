"""Bounces and complaints reported by an email provider, through django-anymail's signal.

For users on a provider (anymail backend and its tracking webhook: Mailgun and Postmark are
mounted, distribution/urls.py); your own relay's bounces come back as mail instead
(distribution/bounces.py), and permanent refusals at send time are handled by
distribution/sending.py.

A webhook answers only when ANYMAIL's WEBHOOK_SECRET is set (the provider sends it as HTTP
basic auth) and, for Mailgun, its signing key (every event carries an HMAC signature):
otherwise 403, never an open door. Wrong credentials answer 401, a payload that is not the
provider's shape 400.
"""

from __future__ import annotations

from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType, inbound, tracking
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from contacts.models import Suppression
from contacts.services import contact_suppress, contact_unsubscribe
from distribution import messages
from distribution.models import Delivery
from distribution.sending import without_address

_REASONS = {
    EventType.BOUNCED: Suppression.Reason.BOUNCED,
    EventType.REJECTED: Suppression.Reason.BOUNCED,
    EventType.COMPLAINED: Suppression.Reason.COMPLAINED,
    EventType.UNSUBSCRIBED: Suppression.Reason.UNSUBSCRIBED,
}


@receiver(tracking, dispatch_uid="distribution.webhooks.on_tracking")
def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    reason = _REASONS.get(event.event_type)
    if reason is None:
        return
    # A soft bounce (mailbox full, greylisting) is not a reason to stop writing to someone.
    if event.event_type == EventType.BOUNCED and _is_soft(event):
        return
    with transaction.atomic():
        delivery = None
        if event.message_id:
            delivery = Delivery.objects.filter(message_id=event.message_id).first()
        address = event.recipient or (delivery.address if delivery else "")
        bounced = reason != Suppression.Reason.UNSUBSCRIBED
        if bounced and delivery is not None and delivery.state == Delivery.State.SENT:
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.BOUNCED,
                last_error=without_address(
                    f"{esp_name}: {event.event_type}: {event.description or ''}", address
                ),
            )
        if address:
            contact_suppress(email=address, reason=reason)


# Postmark's bounce types for a failure that may pass (anymail reports them as bounced).
_SOFT_TYPES = {"SoftBounce", "Transient", "DnsError"}


def _is_soft(event: AnymailTrackingEvent) -> bool:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_event.get("Type") in _SOFT_TYPES:
        return True
    text = f"{event.mta_response or ''} {event.description or ''}".strip()
    return text[:1] == "4" or " 4." in f" {text}"


@receiver(inbound, dispatch_uid="distribution.webhooks.on_inbound")
def on_inbound(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    """The mailto: of List-Unsubscribe: a mail whose subject is "unsubscribe <token>"."""
    subject = (event.message.subject or "") if event.message else ""
    words = subject.split()
    for word in words[1:] if words and words[0].lower() == "unsubscribe" else []:
        contact_id = messages.unsubscribe_contact_id(word)
        if contact_id is not None:
            contact_unsubscribe(contact_id=contact_id)
            return


# --- the provider webhooks ------------------------------------------------------------------


class _BadPayload(Exception):
    pass


def _guarded(view_class, *, needs: tuple[str, ...] = ()):
    """anymail's tracking view behind the shared secret: refused (403) until it is set,
    401 for a wrong secret or signature, 400 for a payload of another shape, never 500."""

    class Guarded(view_class):
        def run_validators(self, request):
            # Mailgun's signature check reads the body: a JSON list there is a TypeError.
            try:
                super().run_validators(request)
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                raise _BadPayload from err

        def parse_events(self, request):
            try:
                return super().parse_events(request)
            except (AnymailError, ValueError, KeyError, TypeError, AttributeError) as err:
                raise _BadPayload from err

    inner = Guarded.as_view()

    @csrf_exempt
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        configured = getattr(settings, "ANYMAIL", {}) or {}
        if not all(configured.get(name) for name in ("WEBHOOK_SECRET", *needs)):
            return HttpResponse(
                "This webhook is not configured.", status=403, content_type="text/plain"
            )
        if request.method not in ("POST", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "POST, HEAD"})
        try:
            return inner(request, *args, **kwargs)
        except AnymailWebhookValidationFailure:
            response = HttpResponse(
                "Missing or wrong credentials.", status=401, content_type="text/plain"
            )
            response["WWW-Authenticate"] = 'Basic realm="pressroom webhooks"'
            return response
        except _BadPayload:
            return HttpResponse(
                "Not a tracking event this webhook knows.", status=400, content_type="text/plain"
            )

    return view


mailgun_tracking = _guarded(MailgunTrackingWebhookView, needs=("MAILGUN_WEBHOOK_SIGNING_KEY",))
postmark_tracking = _guarded(PostmarkTrackingWebhookView)

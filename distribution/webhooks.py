"""Bounces and complaints reported by an email provider, through django-anymail's signal.

For users on a provider (anymail backend and its webhook URL); plain SMTP reports permanent
refusals at send time instead (distribution/sending.py).
"""

from __future__ import annotations

from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType, inbound, tracking
from django.db import transaction
from django.dispatch import receiver

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


def _is_soft(event: AnymailTrackingEvent) -> bool:
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

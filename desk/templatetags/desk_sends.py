"""Sends in plain words, and the statement page's "Send this release" button::

{% load desk_sends %}
{% send_this_release statement %}     the button, when the policy and the send rules allow
{{ distribution|send_state }}           "Scheduled", "Sending", "Cancelled", ...
{{ delivery.state|delivery_state }}     "Waiting", "Sent", "Not sent", ...
{{ delivery.skip_reason|skip_reason }}  "Unsubscribed", "On the do-not-send list", ...
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import can
from distribution import services
from distribution.models import Delivery, Distribution

register = template.Library()

DELIVERY_STATES = {
    Delivery.State.PENDING: _("Waiting"),
    Delivery.State.SENDING: _("Sending now"),
    Delivery.State.SENT: _("Sent"),
    Delivery.State.FAILED: _("Failed"),
    Delivery.State.BOUNCED: _("Bounced"),
    Delivery.State.SKIPPED: _("Not sent"),
}
SKIP_REASONS = {
    "unsubscribed": _("Unsubscribed"),
    "bounced": _("Their address bounced before"),
    "complained": _("Marked an earlier message as spam"),
    "erased": _("Contact erased"),
    "suppressed": _("On the do-not-send list"),
    "cancelled": _("The send was cancelled"),
    "retracted": _("The statement was retracted"),
}
KINDS = {
    Distribution.Kind.RELEASE: _("Release"),
    Distribution.Kind.CORRECTION: _("Correction"),
    Distribution.Kind.RETRACTION: _("Retraction notice"),
}
# Which kind of send the statement page offers first, most specific first.
_BUTTONS = (
    (Distribution.Kind.RETRACTION, _("Send the retraction notice")),
    (Distribution.Kind.CORRECTION, _("Send this correction")),
    (Distribution.Kind.RELEASE, _("Send this release")),
)


def send_state_label(distribution: Distribution) -> str:
    state = distribution.state
    if state == Distribution.State.CANCELLED:
        if distribution.cancel_reason == Distribution.CancelReason.RETRACTED:
            return str(_("Stopped: the statement was retracted"))
        return str(_("Cancelled"))
    if distribution.needs_confirmation:
        return str(_("Waiting for someone to confirm"))
    if state == Distribution.State.QUEUED:
        if distribution.send_at > timezone.now():
            return str(_("Scheduled"))
        return str(_("Starting"))
    return str(
        {
            Distribution.State.SENDING: _("Sending"),
            Distribution.State.PAUSED: _("Paused"),
            Distribution.State.DONE: _("Done"),
        }.get(state, state)
    )


def delivery_state_label(state: str) -> str:
    return str(DELIVERY_STATES.get(state, state))


@register.filter
def send_state(distribution: Distribution) -> str:
    return send_state_label(distribution)


@register.filter
def send_kind(kind: str) -> str:
    return str(KINDS.get(kind, kind))


@register.filter
def delivery_state(state: str) -> str:
    return delivery_state_label(state)


@register.filter
def skip_reason(reason: str) -> str:
    return str(SKIP_REASONS.get(reason, reason))


@register.inclusion_tag("desk/send_this_release.html", takes_context=True)
def send_this_release(context, statement) -> dict:
    """The button to the send form with this statement chosen: for callers the policy lets
    send, and statements the send rules allow (distribution/services.py decides both)."""
    user = context.get("user")
    if user is None or not can(user, "sends.start"):
        return {"url": None}
    kinds = services.sendable_kinds(statement=statement)
    for kind, label in _BUTTONS:
        if kind in kinds:
            query = f"?statement={statement.pk}&kind={kind}"
            return {"url": reverse("desk-send-new") + query, "label": label}
    return {"url": None}

"""{% unread_notifications as n %}: the count beside "Inbox" in the desk's navigation."""

from __future__ import annotations

from django import template

from desk import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    return notifications.unread_count(context.get("user"))

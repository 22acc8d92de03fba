"""Reads of distributions for the desk (and the lead's /desk/ dashboard)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from distribution.models import Delivery, Distribution


def sends_in_progress() -> QuerySet[Distribution]:
    """Queued, sending or paused sends, with their delivery counts as attributes
    (`pending`, `sending`, `sent`, `failed`, `bounced`, `skipped`, `total`)."""
    counts = {
        state: Count("deliveries", filter=Q(deliveries__state=state))
        for state in Delivery.State.values
    }
    return (
        Distribution.objects.filter(
            state__in=[*Distribution.ACTIVE_STATES, Distribution.State.PAUSED]
        )
        .select_related("statement")
        .annotate(total=Count("deliveries"), **counts)
        .order_by("send_at")
    )

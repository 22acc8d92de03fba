"""The campaign tracker's template helpers::

    {% load tracker %}
    {{ ask|ask_text }}                          the ask in the page's language, shortened
    {{ invitation.response_summary|localised }} a {language: text} value in the page's language
    {% public_campaign_dashboard campaign.slug campaign.name %}
                                                the public part of a campaign's dashboard

The public dashboard counts only what publishing/visibility.py makes public (see
desk/views/tracker_dashboard.py)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from burmese import truncate
from config.languages import pick

register = template.Library()


@register.filter
def localised(value: object) -> str:
    return pick(value if isinstance(value, dict) else {}, get_language() or "en")


@register.filter
def ask_text(ask, limit: int = 120) -> str:
    text = ask.text_in(get_language() or "en") if ask is not None else ""
    return truncate(text, int(limit)) if text else getattr(ask, "slug", "")


@register.inclusion_tag("desk/dashboard_campaign_charts.html")
def public_campaign_dashboard(slug: str, name: str = "") -> dict:
    """The public page has found the campaign public already (publishing.visibility); the
    dashboard counts only public data."""
    from desk.views.tracker_dashboard import campaign_dashboard

    return {"dashboard": campaign_dashboard(slug=slug, name=name or slug, public=True)}

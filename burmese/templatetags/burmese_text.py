"""Template filters for Burmese text: syllable-safe truncation and dictionary-order sorting.

Django's ``truncatechars`` counts code points and can cut a Burmese syllable in half (a
consonant left without its asat reads as another word), so templates use these instead::

    {% load burmese_text %}
    {{ statement.title_in_source|truncate_burmese:80 }}
    {% for c in campaigns|sort_burmese:"name_en" %}...
"""

from __future__ import annotations

from django import template

from burmese.text import sorted_by_text

register = template.Library()


@register.filter
def truncate_burmese(value: object, limit: int | str = 80) -> str:
    """At most ``limit`` characters, ellipsis included, never cutting a syllable."""
    from burmese import truncate

    try:
        limit = int(limit)
    except (TypeError, ValueError):
        return str(value)
    return truncate("" if value is None else str(value), limit)


@register.filter
def sort_burmese(items, attribute: str = "") -> list:
    """Items in Burmese dictionary order (ICU "my" collation) of ``attribute`` (or str())."""

    def text(item) -> str:
        value = getattr(item, attribute, item) if attribute else item
        return str(value() if callable(value) else value)

    return sorted_by_text(items, text=text)

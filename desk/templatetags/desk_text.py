"""Desk text helpers: language names instead of codes, and Burmese tagged lang="my" so the
app's Myanmar font applies wherever Burmese appears in an English page::

    {% load desk_text %}
    {{ statement.title_in_source|tag_burmese }}      <span lang="my">…</span> around Burmese runs
    <input value="{{ q }}"{{ q|lang_attr }}>           lang="my" on a control holding Burmese
    {{ "my"|language_name }}                          "Burmese" (English desk), "မြန်မာ" (Burmese)
    {{ statement.required_languages|language_list }}  "English and Burmese"
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from burmese import contains_burmese
from config import languages

register = template.Library()

# Myanmar, Myanmar Extended-A and -B; a run keeps the spaces and zero-width joiners inside it.
_MY = "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff"
_RUN = re.compile(f"[{_MY}]+(?:[\\s\u200b-\u200d]+[{_MY}]+)*")


@register.filter(needs_autoescape=True)
def tag_burmese(value: object, autoescape: bool = True) -> str:
    """The text, escaped, with each run of Burmese wrapped in <span lang="my">."""
    text = "" if value is None else str(value)
    escaped = conditional_escape(text) if autoescape else text
    if not contains_burmese(text):
        return escaped
    # Safe: the text is escaped above; only the span tags are added.
    tagged = _RUN.sub(lambda m: f'<span lang="my">{m.group(0)}</span>', str(escaped))
    return mark_safe(tagged)  # noqa: S308


@register.filter
def has_burmese(value: object) -> bool:
    return contains_burmese("" if value is None else str(value))


@register.filter
def lang_attr(value: object) -> str:
    """' lang="my"' for a form control or attribute-only element whose text is Burmese."""
    return mark_safe(' lang="my"') if has_burmese(value) else ""


@register.filter
def language_name(code: object) -> str:
    return languages.language_name(str(code))


@register.filter
def in_interface_language(value: object) -> str:
    """A campaign, target or other object with name_in(lang), named in the desk's language."""
    name_in = getattr(value, "name_in", None)
    if name_in is None:
        return "" if value is None else str(value)
    return name_in(get_language() or "en") or str(value)


@register.filter
def person(user) -> str:
    """A staff member as the desk names them: full name, else username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def native_name(code: object) -> str:
    return languages.native_name(str(code))


@register.filter
def language_list(codes) -> str:
    return languages.language_list(list(codes or []))


@register.filter
def to_follow(code: object) -> str:
    return languages.to_follow(str(code))

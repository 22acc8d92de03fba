"""Template helpers of the public pages: the language switcher."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from publishing.rendering import language_name

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in every configured language."""
    request = context.get("request")
    path = request.path if request else "/"
    current = get_language()
    return [
        {
            "code": code,
            "name": language_name(code),
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]

"""{% load mirrors %}{% mirror_urls as urls %}: the mirrors' public addresses (MIRROR_URLS),
for the public footer and the release emails: where to read us when this site is blocked."""

from __future__ import annotations

from django import template

from channels.config import mirror_urls as configured_mirror_urls

register = template.Library()


@register.simple_tag
def mirror_urls() -> list[str]:
    return configured_mirror_urls()

"""The signing key's fingerprint for the public footer (publishing/signing.py); no query."""

from __future__ import annotations

import logging

from django import template
from django.core.exceptions import ImproperlyConfigured

from publishing import signing

register = template.Library()
log = logging.getLogger(__name__)


@register.simple_tag
def signing_key() -> dict | None:
    try:
        key = signing.current_key()
    except (ImproperlyConfigured, OSError, ValueError):
        # A broken key must not take every public page down; signing itself reports it.
        log.exception("the signing key cannot be read")
        return None
    return {"key_id": key.key_id, "grouped": signing.grouped(key.key_id)}

"""{% can "capability" as allowed %}: templates ask the one policy (accounts/policy.py)."""

from __future__ import annotations

from django import template

from accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, capability: str) -> bool:
    user = context.get("user")
    return user is not None and policy.can(user, capability)

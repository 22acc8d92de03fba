"""The client's address for the login lockout (django-axes), by the same rule as DRF's throttle.

NUM_PROXIES=0: the connecting address; X-Forwarded-For is ignored, since any client can send
it. NUM_PROXIES=N: the Nth address from the right of X-Forwarded-For, the one the outermost of
our N proxies saw (entries further left are the client's own claims).
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]

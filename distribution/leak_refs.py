"""Leak tracing: a short per-recipient reference in every message of an embargoed release.

A reference such as "K7QD-3MX9-PA" is the delivery's id put through a keyed permutation of
50-bit numbers (a Feistel network whose round function is HMAC-SHA256 under LEAK_REF_KEY),
written in Crockford's base32. Without the key it says nothing (not the id, not the order of
sending, not the send); with the key it turns back into the delivery's id, so nothing needs
storing per recipient and finding a delivery is one primary-key lookup. A mistyped reference
turns into a number far beyond any id: "no such copy", never someone else's.

Only a message whose variant was rendered under a running embargo carries one
(messages.render_variant sets "leak_ref"); a reference that decodes to a delivery whose
message carried none is not a match.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass

from django.conf import settings

from accounts.policy import require
from distribution.models import Delivery
from statements.models import StatementEvent

log = logging.getLogger(__name__)

# Crockford's base32: no I, L, O, U, so a reference read off paper or a photo survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: n for n, ch in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
LENGTH = 10  # characters: 50 bits
_HALF = 25
_HALF_MASK = (1 << _HALF) - 1
_ROUNDS = 8
TRACE_ACTION = "leak_traced"

# A reference as printed (4-4-2, hyphens), or with the hyphens lost or turned into spaces.
_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})[- ]?([0-9A-Za-z]{4})[- ]?([0-9A-Za-z]{2})(?![0-9A-Za-z])"
)
# However long a pasted text, only this many candidates are looked up.
MAX_CANDIDATES = 2000


def _keys() -> list[bytes]:
    """The key references are made with first, then older ones they may still be read with."""
    if settings.LEAK_REF_KEY:
        return [settings.LEAK_REF_KEY.encode()]
    return [
        f"pressroom.leak_ref:{key}".encode()
        for key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    ]


def _round(key: bytes, number: int, half: int) -> int:
    digest = hmac.digest(key, b"%d:%d" % (number, half), hashlib.sha256)
    return int.from_bytes(digest[:4], "big") & _HALF_MASK


def _permute(value: int, key: bytes) -> int:
    left, right = value >> _HALF, value & _HALF_MASK
    for number in range(_ROUNDS):
        left, right = right, left ^ _round(key, number, right)
    return (left << _HALF) | right


def _unpermute(value: int, key: bytes) -> int:
    left, right = value >> _HALF, value & _HALF_MASK
    for number in reversed(range(_ROUNDS)):
        left, right = right ^ _round(key, number, left), left
    return (left << _HALF) | right


def _format(value: int) -> str:
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def reference_for(delivery_id: int, key: bytes | None = None) -> str:
    """The reference printed in this delivery's message."""
    if not 0 < delivery_id < 1 << (2 * _HALF):
        raise ValueError("delivery id out of range for a reference")
    return _format(_permute(delivery_id, key or _keys()[0]))


def normalise(reference: str) -> str | None:
    """ "k7qd 3mx9 pa", "K7QD3MX9PA" -> "K7QD-3MX9-PA"; None if it cannot be a reference."""
    chars = re.sub(r"[\s-]", "", reference or "").upper()
    if len(chars) != LENGTH or any(ch not in _VALUE for ch in chars):
        return None
    return _format(_number(chars))


def _number(chars: str) -> int:
    value = 0
    for ch in chars:
        value = value << 5 | _VALUE[ch]
    return value


def delivery_ids_for(reference: str) -> list[int]:
    """The delivery ids this reference may stand for: one per key still accepted."""
    normal = normalise(reference)
    if normal is None:
        return []
    value = _number(normal.replace("-", ""))
    return [_unpermute(value, key) for key in _keys()]


def references_in(text: str) -> list[str]:
    """Every distinct string in `text` shaped like a reference, normalised, in order."""
    found: dict[str, None] = {}
    for match in _PATTERN.finditer(text or ""):
        normal = normalise("".join(match.groups()))
        if normal is not None:
            found.setdefault(normal)
            if len(found) >= MAX_CANDIDATES:
                break
    return list(found)


@dataclass(frozen=True)
class Trace:
    reference: str
    delivery: Delivery


def _carried_a_reference(delivery: Delivery) -> bool:
    rendered = delivery.distribution.rendered.get(delivery.variant) or {}
    return bool(rendered.get("leak_ref"))


def find(references: list[str]) -> list[Trace]:
    """The deliveries these references belong to (one query, whatever the number)."""
    wanted: dict[int, str] = {}
    for reference in references:
        for delivery_id in delivery_ids_for(reference):
            wanted.setdefault(delivery_id, reference)
    if not wanted:
        return []
    deliveries = Delivery.objects.select_related("distribution__statement", "contact").filter(
        pk__in=list(wanted)
    )
    return [
        Trace(wanted[d.pk], d)
        for d in sorted(deliveries, key=lambda d: references.index(wanted[d.pk]))
        if _carried_a_reference(d)
    ]


def deliveries_trace(*, text: str, by, via: str) -> list[Trace]:
    """Whose copy a leaked text (or a bare reference) was. Publishers and admins only
    (accounts/policy.py); every lookup that finds a copy is recorded on the statement's
    history, and every lookup at all in the log (who, how many references, how many found)."""
    require(by, "deliveries.trace")
    references = references_in(text)
    traces = find(references)
    for trace in traces:
        delivery = trace.delivery
        StatementEvent.record(
            delivery.distribution.statement,
            by=by,
            action=TRACE_ACTION,
            reference=trace.reference,
            delivery=delivery.pk,
            distribution=delivery.distribution_id,
            contact=delivery.contact_id,
            via=via,
        )
    log.info(
        "leak trace by user %s via %s: %d reference(s) looked up, %d found",
        getattr(by, "pk", None),
        via,
        len(references),
        len(traces),
    )
    return traces


def trace_json(trace: Trace) -> dict:
    delivery = trace.delivery
    return {
        "reference": trace.reference,
        "id": delivery.pk,
        "distribution": delivery.distribution_id,
        "statement": delivery.distribution.statement.slug,
        "contact": delivery.contact_id,
        # The address it was sent to (erasure blanks it with the contact).
        "email": delivery.address,
        "name": delivery.contact.name if delivery.contact else "",
        "state": delivery.state,
        "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
    }

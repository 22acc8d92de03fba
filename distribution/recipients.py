"""Who a distribution goes to: the audience, each contact's language variant, the snapshot.

The snapshot is one Delivery row per contact (a contact on several lists is one row), taken
when the send starts so later edits to a contact do not change what was sent. It is part of
"start to last message", so on PostgreSQL the rows go in with COPY rather than INSERTs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from contacts.models import Contact, MediaList, Segment, Suppression, address_hash
from contacts.segments import segment_contacts
from distribution import messages
from distribution.models import Delivery, Distribution
from statements.models import Statement

CHUNK = 1000
_FIELDS = ("pk", "email", "languages", "status", "embargo_trusted")
_COLUMNS = (
    "distribution_id",
    "contact_id",
    "address",
    "languages",
    "variant",
    "state",
    "skip_reason",
    "attempts",
    "last_error",
    "message_id",
    "updated_at",
)


def audience(
    *,
    statement: Statement,
    kind: str,
    media_lists: list[MediaList],
    segments: list[Segment] = (),
):
    """Contacts a send of this kind reaches, before any are skipped: everyone on the lists
    and everyone the segments select now (a contact in several is one)."""
    if kind == Distribution.Kind.RELEASE:
        chosen = Q(memberships__media_list__in=media_lists)
        for segment in segments:
            chosen |= Q(pk__in=segment_contacts(segment).values("pk"))
        return Contact.objects.filter(chosen).distinct()
    # Corrections and retractions go to everyone who received the original release.
    received = Delivery.objects.filter(
        distribution__statement=statement,
        distribution__kind=Distribution.Kind.RELEASE,
        state=Delivery.State.SENT,
        contact__isnull=False,
    ).values("contact_id")
    return Contact.objects.filter(pk__in=received)


class _Variants:
    """Each contact's language variant; worked out once per distinct language list."""

    def __init__(self, statement: Statement) -> None:
        # Only readable languages (never an incomplete or deferred translation); a contact
        # with none of them gets the fallback (messages.fallback_language).
        self.available = messages.available_languages(statement)
        self.fallback = messages.fallback_language(statement)
        self._seen: dict[tuple, str] = {}

    def __call__(self, languages: list[str]) -> str:
        key = tuple(languages or ())
        if key not in self._seen:
            self._seen[key] = messages.variant_for(list(key), self.available, self.fallback)
        return self._seen[key]


def _skip_reason(status: str, is_suppressed: bool) -> str:
    if status != Contact.Status.ACTIVE:
        return status
    return "suppressed" if is_suppressed else ""


def _chunks(contacts) -> Iterator[list[tuple]]:
    rows = contacts.order_by("pk").values_list(*_FIELDS).iterator(chunk_size=CHUNK)
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _suppressed(chunk: list[tuple]) -> list[bool]:
    """For each contact of the chunk, whether its address is on the suppression list."""
    hashes = [address_hash(row[1]) for row in chunk]
    found = set(
        Suppression.objects.filter(address_hash__in=hashes).values_list("address_hash", flat=True)
    )
    return [h in found for h in hashes]


def preview(*, statement: Statement, contacts, embargoed: bool = False) -> dict:
    """What a send would do, for the desk's confirmation step: counts by language variant,
    and, for an embargoed release, how many recipients are not themselves marked as trusted
    with embargoed material (the rule is per list; this is a warning for the publisher)."""
    variant_of = _Variants(statement)
    by_variant: dict[str, int] = {}
    skipped = not_trusted = 0
    for chunk in _chunks(contacts):
        for (_pk, _email, languages, status, trusted), suppressed in zip(
            chunk, _suppressed(chunk), strict=True
        ):
            if status == Contact.Status.ERASED:
                continue
            if _skip_reason(status, suppressed):
                skipped += 1
                continue
            variant = variant_of(languages)
            by_variant[variant] = by_variant.get(variant, 0) + 1
            not_trusted += not trusted
    return {
        "by_variant": by_variant,
        "recipients": sum(by_variant.values()),
        "skipped": skipped,
        "not_embargo_trusted": not_trusted if embargoed else 0,
    }


def snapshot(distribution: Distribution, contacts) -> int:
    """One delivery per contact (erased contacts none); returns how many were written."""
    variant_of = _Variants(distribution.statement)
    now = timezone.now()
    written = 0
    for chunk in _chunks(contacts):
        rows = []
        for (pk, email, languages, status, _trusted), suppressed in zip(
            chunk, _suppressed(chunk), strict=True
        ):
            if status == Contact.Status.ERASED:
                continue
            reason = _skip_reason(status, suppressed)
            state = Delivery.State.SKIPPED if reason else Delivery.State.PENDING
            rows.append(
                (
                    distribution.pk,
                    pk,
                    email,
                    languages or [],
                    variant_of(languages),
                    state,
                    reason,
                    0,
                    "",
                    "",
                    now,
                )
            )
        _write(rows)
        written += len(rows)
    return written


def _write(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        # psycopg 3's COPY: a tenth of the time of a multi-row INSERT built by the ORM.
        sql = f"COPY distribution_delivery ({', '.join(_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(_copy_row(row))
        return
    Delivery.objects.bulk_create(Delivery(**dict(zip(_COLUMNS, row, strict=True))) for row in rows)


def _copy_row(row: tuple) -> Iterable:
    # jsonb goes in as its text; COPY parses it.
    return (*row[:3], json.dumps(row[3]), *row[4:])

"""Exports of the journalists' data: contacts as CSV or JSON, and everything held about one
contact (a data-subject export). Every export is written to the audit log (DataAccessEvent)
before its first row leaves; the console command and the desk both come here.

The CSV is the import's own format (CONTRACT.md "Contact CSV") plus `status`, so what an export
writes `import_contacts` reads back. It starts with a UTF-8 byte order mark: Excel opens a
UTF-8 CSV without one as the local code page and garbles Burmese; Python's "utf-8-sig" (the
importer), LibreOffice and Google Sheets skip it. A cell that a spreadsheet would run as a
formula (starting with = + - @, tab or CR) is written with a leading apostrophe.

Rows are streamed from the database in chunks (`iterator`), never held all at once.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from contacts.importer import COLUMNS, IGNORED_COLUMNS
from contacts.models import Contact, DataAccessEvent, MediaList, Suppression, address_hash

# What the importer reads, and the status, which it accepts and ignores: an export imports back.
CSV_COLUMNS = (*COLUMNS, *IGNORED_COLUMNS)
FORMATS = ("csv", "json")
BOM = "\ufeff"
CHUNK = 2000
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet will show it without running it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# --- The audit log -------------------------------------------------------------------------


@dataclass(frozen=True)
class Requester:
    """Who asks for an export: a desk user, or the console (user None)."""

    user: object | None = None

    @property
    def via(self) -> str:
        return DataAccessEvent.Via.CONSOLE if self.user is None else DataAccessEvent.Via.DESK

    @property
    def name(self) -> str:
        return "console" if self.user is None else self.user.get_username()


CONSOLE = Requester()


def record_export(
    *,
    requester: Requester,
    kind: str,
    fmt: str,
    scope: str,
    filters: dict | None = None,
    contact: Contact | None = None,
    row_count: int = 0,
) -> DataAccessEvent:
    """Write the audit entry (committed at once, whatever happens to the export after)."""
    return DataAccessEvent.objects.create(
        kind=kind,
        format=fmt,
        via=requester.via,
        actor=requester.user,
        actor_name=requester.name[:150],
        scope=scope[:500],
        filters=filters or {},
        contact=contact,
        row_count=row_count,
    )


def _completed(event: DataAccessEvent, rows: int) -> None:
    DataAccessEvent.objects.filter(pk=event.pk).update(row_count=rows, completed_at=timezone.now())


# --- Contacts as CSV and JSON ----------------------------------------------------------------


class _Line:
    """A file-like object whose write returns what was written (csv.writer into a stream)."""

    def write(self, value: str) -> str:
        return value


def _rows(contacts: QuerySet[Contact]) -> Iterator[Contact]:
    lists = Prefetch("lists", queryset=MediaList.objects.only("slug").order_by("slug"))
    yield from contacts.order_by("pk").prefetch_related(lists).iterator(chunk_size=CHUNK)


def contact_record(contact: Contact) -> dict:
    """One contact as the export gives it (the JSON form; the CSV flattens lists)."""
    return {
        "email": contact.email,
        "name": contact.name,
        "outlet": contact.outlet,
        "beat": contact.beat,
        "country": contact.country,
        "languages": list(contact.languages or []),
        "lists": [m.slug for m in contact.lists.all()],
        "embargo_trusted": contact.embargo_trusted,
        "consent_basis": contact.consent_basis,
        "consent_date": contact.consent_date.isoformat() if contact.consent_date else "",
        "status": contact.status,
    }


def _csv_cells(record: dict) -> list[str]:
    flat = {
        **record,
        "languages": ";".join(record["languages"]),
        "lists": ";".join(record["lists"]),
        "embargo_trusted": "yes" if record["embargo_trusted"] else "no",
    }
    return [safe_cell(str(flat[column])) for column in CSV_COLUMNS]


def csv_chunks(contacts: QuerySet[Contact], *, counter: list[int]) -> Iterator[str]:
    """The CSV, a line at a time; counter[0] counts the rows written."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(CSV_COLUMNS)
    for contact in _rows(contacts):
        yield writer.writerow(_csv_cells(contact_record(contact)))
        counter[0] += 1


def json_chunks(contacts: QuerySet[Contact], *, scope: dict, counter: list[int]) -> Iterator[str]:
    """{"exported_at", "filters", "contacts": [...]}, a contact at a time."""
    head = {"exported_at": timezone.now().isoformat(), "filters": scope}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "contacts": ['
    for contact in _rows(contacts):
        prefix = ",\n" if counter[0] else "\n"
        yield prefix + json.dumps(contact_record(contact), ensure_ascii=False)
        counter[0] += 1
    yield "\n]}\n"


class ContactExport:
    """A recorded export: iterate it for its text; `rows` counts the contacts written."""

    def __init__(self, event: DataAccessEvent, chunks: Iterable[str], counter: list[int]):
        self.event = event
        self._chunks = chunks
        self._counter = counter

    @property
    def rows(self) -> int:
        return self._counter[0]

    def __iter__(self) -> Iterator[str]:
        yield from self._chunks
        _completed(self.event, self.rows)


def export_contacts(
    *,
    contacts: QuerySet[Contact],
    fmt: str,
    requester: Requester,
    scope: str,
    filters: dict | None = None,
) -> ContactExport:
    """Record the export, then stream it. The audit entry is written now, with the count the
    query gives; the stream corrects it to the rows written and notes when it finished."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; one of {', '.join(FORMATS)}.")
    event = record_export(
        requester=requester,
        kind=DataAccessEvent.Kind.CONTACTS,
        fmt=fmt,
        scope=scope,
        filters=filters,
        row_count=contacts.count(),
    )
    counter = [0]
    chunks = (
        csv_chunks(contacts, counter=counter)
        if fmt == "csv"
        else json_chunks(contacts, scope=filters or {}, counter=counter)
    )
    return ContactExport(event, chunks, counter)


# --- Everything held about one contact ---------------------------------------------------------


def _value(obj: models.Model, field: models.Field) -> object:
    value = field.value_from_object(obj)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def model_row(obj: models.Model) -> dict:
    """Every stored column of a row (a foreign key as its id), as stored."""
    return {field.attname: _value(obj, field) for field in obj._meta.concrete_fields}


def related_accessors() -> list[tuple[str, str]]:
    """(accessor, model label) for every table that refers to a contact: taken from the model
    graph, so a table added later is exported without anyone remembering to add it here."""
    found = []
    for rel in Contact._meta.related_objects:
        found.append((rel.get_accessor_name(), rel.related_model._meta.label))
    return sorted(found)


def _related_rows(contact: Contact) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for rel in Contact._meta.related_objects:
        accessor = rel.get_accessor_name()
        label = rel.related_model._meta.label
        if rel.one_to_one:
            found = rel.related_model._default_manager.filter(**{rel.field.name: contact})
        else:
            found = getattr(contact, accessor).all()
        rows[label] = [model_row(obj) for obj in found.order_by("pk")]
    return rows


# Reverse accessors named as strings, so contacts/ imports nothing of distribution/ (the
# layout's arrows point the other way); present only when that app declares them.
_DELIVERY_FIELDS = {
    "distribution_id": "send",
    "distribution__kind": "kind",
    "distribution__statement_id": "statement_id",
    "distribution__statement__slug": "statement",
    "address": "address",
    "variant": "language_version",
    "state": "state",
    "skip_reason": "skip_reason",
    "attempts": "attempts",
    "last_error": "error",
    "message_id": "message_id",
    "sent_at": "sent_at",
    "updated_at": "updated_at",
}


def _deliveries(contact: Contact) -> list[dict]:
    if "deliveries" not in dict(related_accessors()):
        return []
    rows = contact.deliveries.order_by("pk").values(*_DELIVERY_FIELDS)
    return [{_DELIVERY_FIELDS[key]: value for key, value in row.items()} for row in rows]


def _events(contact: Contact, suppression: Suppression | None, deliveries: list[dict]) -> list:
    """Unsubscribes, bounces and complaints, with dates, from where each is recorded."""
    events = []
    if contact.status != Contact.Status.ACTIVE and contact.status_changed_at:
        events.append(
            {"event": contact.status, "at": contact.status_changed_at, "source": "status"}
        )
    if suppression is not None:
        events.append(
            {"event": suppression.reason, "at": suppression.created_at, "source": "suppression"}
        )
    for delivery in deliveries:
        if delivery["state"] == "bounced":
            events.append(
                {
                    "event": "bounced",
                    "at": delivery["updated_at"],
                    "source": f"send {delivery['send']}",
                    "error": delivery["error"],
                }
            )
    return sorted(
        events, key=lambda e: e["at"] or datetime.datetime.min.replace(tzinfo=datetime.UTC)
    )


def _admin_history(contact: Contact) -> list[dict]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).select_related("user")
    return [
        {
            "at": entry.action_time,
            "by": entry.user.get_username() if entry.user_id else "",
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "what": entry.object_repr,
            "change": entry.get_change_message(),
        }
        for entry in entries.order_by("action_time")
    ]


def subject_data(contact: Contact) -> dict:
    """Everything held about one contact, as data."""
    suppression = Suppression.objects.filter(address_hash=address_hash(contact.email)).first()
    deliveries = _deliveries(contact)
    memberships = contact.memberships.select_related("media_list").order_by("media_list__slug")
    return {
        "exported_at": timezone.now(),
        "contact": model_row(contact),
        "lists": [
            {"slug": m.media_list.slug, "name": m.media_list.name, "added_at": m.added_at}
            for m in memberships
        ],
        "consent": {"basis": contact.consent_basis, "date": contact.consent_date},
        "suppression": {
            "suppressed": suppression is not None,
            "reason": suppression.reason if suppression else "",
            "since": suppression.created_at if suppression else None,
        },
        "deliveries": deliveries,
        "events": _events(contact, suppression, deliveries),
        "admin_history": _admin_history(contact),
        # Every row of every table that refers to the contact, as stored.
        "related": _related_rows(contact),
    }


def export_subject(*, contact: Contact, requester: Requester) -> str:
    """Record, then build the data-subject export as JSON text (the record is part of it)."""
    event = record_export(
        requester=requester,
        kind=DataAccessEvent.Kind.SUBJECT,
        fmt="json",
        scope=f"contact {contact.pk}",
        contact=contact,
        row_count=1,
    )
    text = json.dumps(subject_data(contact), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    _completed(event, 1)
    return text

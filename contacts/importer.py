"""Contact CSV import at scale (CONTRACT.md "Contact CSV"): `import_contacts` and the desk's
import both call `import_contacts_csv`.

- Streaming: the file is read row by row with the csv module; rows are checked one at a time
  and written in batches (BATCH_SIZE): per batch one query finds the existing contacts by
  lower(email) (served by the unique index on Lower(email)), one the suppressed addresses by
  keyed hash, one the existing memberships; then bulk_create / bulk_update, and memberships in
  bulk ignoring those already there. The number of queries grows with batches, never with rows.
- Atomic as a whole: the import is one transaction. A file-level error found part-way (not
  UTF-8, broken CSV quoting, a concurrent write to the same address) imports nothing at all;
  a bad row is rejected on its own and imports nothing from that row.
- One row per address per file: a later row with the same address (whatever its case) is
  rejected as a duplicate naming the first row's line; the first row is the one imported.
- A new contact needs consent_basis and consent_date; for an existing contact an empty cell
  leaves the stored value as it is (any column, consent included), and the row's lists are
  added to its lists (never removed).
- A suppressed address (unsubscribed, bounced, complained, erased) is never added back: its
  row is rejected, whether or not a contact still has the address.
- export_contacts' CSV imports back: its `status` column is accepted and ignored (an import
  never changes a status) and its apostrophe before a formula-like cell is taken off.
- Dry run: the same checks and the same report, nothing written (the writes are skipped and
  the transaction is rolled back as well).

The report names rows by line number (the header is line 1), never by address: the contact
list is sensitive personal data.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from typing import TextIO

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from config.errors import RuleBroken
from contacts.models import Contact, MediaList, Membership, Suppression, address_hash

# Same cleaning as every other write (services.py): address rules, Zawgyi conversion and the
# refusal of uncertain Burmese, country, languages and consent checks.
from contacts.services import _clean_email, _clean_fields

COLUMNS = (
    "email",
    "name",
    "outlet",
    "beat",
    "country",
    "languages",
    "lists",
    "embargo_trusted",
    "consent_basis",
    "consent_date",
)
# Written by export_contacts and accepted here so an export imports back; never read: a status
# changes only by unsubscribe, bounce, complaint or erasure, never by an import.
IGNORED_COLUMNS = ("status",)
BATCH_SIZE = 2_000
# Rows per UPDATE statement (PostgreSQL: UPDATE ... FROM VALUES; elsewhere bulk_update, which
# writes a CASE per field per row, so smaller statements keep it linear).
_UPDATE_CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_YES = {"yes": True, "y": True, "true": True, "1": True}
_NO = {"no": False, "n": False, "false": False, "0": False}
_TEXT_COLUMNS = ("name", "outlet", "beat", "country", "consent_basis")
_FIELDS = (
    "name",
    "outlet",
    "beat",
    "country",
    "languages",
    "embargo_trusted",
    "consent_basis",
    "consent_date",
)


class ImportFileError(RuleBroken):
    """The file as a whole cannot be imported (header, encoding, CSV syntax): nothing was."""


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (line, reason) and (line, field, converted text), in line order.
    rejected: list[tuple[int, str]] = field(default_factory=list)
    converted: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def converted_rows(self) -> int:
        return len({line for line, _, _ in self.converted})

    def lines(self) -> list[str]:
        """The report as text, one line per rejected row and per converted field."""
        out = [f"line {line}: rejected: {reason}" for line, reason in self.rejected]
        # Converted text is shown so that someone who reads Burmese can check it.
        out += [
            f"line {line}: {name} converted from Zawgyi to Unicode: {text}"
            for line, name, text in self.converted
        ]
        out.append(
            f"{self.unchanged} unchanged, {self.converted_rows} with text converted from Zawgyi."
        )
        rejected = len(self.rejected)
        out.append(f"{self.created} created, {self.updated} updated, {rejected} rejected.")
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        return out


@dataclass
class _Row:
    line: int
    email: str
    key: str  # the address in lower case: one contact per address whatever its case
    values: dict  # only the cells the row gives, cleaned
    lists: list[MediaList]
    converted: list[tuple[int, str, str]]


def open_csv(path) -> TextIO:
    """The file as text for import_contacts_csv (a BOM from a spreadsheet is dropped)."""
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115


def import_contacts_csv(
    handle: TextIO,
    *,
    extra_list: str | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import a Contact CSV from a text stream; raise ImportFileError for a file-level error."""
    report = ImportReport(dry_run=dry_run)
    reader = csv.reader(handle)
    try:
        columns = _check_header(next(reader, None))
        lists_by_slug = MediaList.objects.in_bulk(field_name="slug")
        if extra_list and extra_list not in lists_by_slug:
            raise ImportFileError(f"Unknown media list {extra_list!r} (--list).")
        first_line: dict[str, int] = {}
        try:
            with transaction.atomic():
                batch: list[_Row] = []
                line = reader.line_num + 1
                for cells in reader:
                    row_line, line = line, reader.line_num + 1
                    if not any(cell.strip() for cell in cells):
                        continue  # a blank line is not a row
                    report.rows += 1
                    try:
                        batch.append(
                            _parse_row(
                                row_line, cells, columns, lists_by_slug, extra_list, first_line
                            )
                        )
                    except RuleBroken as err:
                        report.rejected.append((row_line, err.message))
                    if len(batch) >= batch_size:
                        _import_batch(batch, report, dry_run=dry_run)
                        batch = []
                if batch:
                    _import_batch(batch, report, dry_run=dry_run)
                if dry_run:
                    transaction.set_rollback(True)
        except IntegrityError as err:
            raise ImportFileError(
                "Another change to the same contacts happened during the import; nothing was "
                "imported. Run the import again."
            ) from err
    except UnicodeDecodeError as err:
        raise ImportFileError(
            f"Line {reader.line_num + 1}: the file is not UTF-8; nothing was imported."
        ) from err
    except csv.Error as err:
        raise ImportFileError(
            f"Line {reader.line_num}: not valid CSV ({err}); nothing was imported."
        ) from err
    report.rejected.sort()
    report.converted.sort()
    return report


def _check_header(header: list[str] | None) -> list[str]:
    known = ", ".join(COLUMNS)
    if not header:
        raise ImportFileError(f"The file is empty: it needs a header row ({known}).")
    columns = [name.strip() for name in header]
    unknown = [name for name in columns if name not in COLUMNS + IGNORED_COLUMNS]
    if unknown:
        raise ImportFileError(f"Unknown column(s): {', '.join(unknown)}. Known columns: {known}.")
    twice = sorted({name for name in columns if columns.count(name) > 1})
    if twice:
        raise ImportFileError(f"Column(s) given twice: {', '.join(twice)}.")
    if "email" not in columns:
        raise ImportFileError("The header row has no 'email' column (required).")
    return columns


def _unescape_formula(cell: str) -> str:
    """Undo export_contacts' guard against spreadsheet formulas (a leading apostrophe before
    = + - @, tab or CR), so what an export writes imports back as it was."""
    if cell[:1] == "'" and cell[1:2] in _FORMULA_START:
        return cell[1:]
    return cell


def _parse_row(
    line: int,
    cells: list[str],
    columns: list[str],
    lists_by_slug: dict[str, MediaList],
    extra_list: str | None,
    first_line: dict[str, int],
) -> _Row:
    """Check one row without the database: the cleaned values of the cells it gives."""
    if len(cells) > len(columns):
        raise RuleBroken("more fields than columns in the header")
    row = dict(zip(columns, map(_unescape_formula, cells), strict=False))
    email = (row.get("email") or "").strip()
    if not email:
        raise RuleBroken("email is empty.")
    email = _clean_email(email)
    key = email.lower()
    if key in first_line:
        raise RuleBroken(
            f"the same address as line {first_line[key]} (whatever its case); that row is the "
            "one imported."
        )
    first_line[key] = line

    fields: dict = {}
    for name in _TEXT_COLUMNS:
        if (row.get(name) or "").strip():
            fields[name] = row[name].strip()
    if (row.get("languages") or "").strip():
        fields["languages"] = [code.strip() for code in row["languages"].split(";") if code.strip()]
    trusted = (row.get("embargo_trusted") or "").strip().lower()
    if trusted:
        if trusted not in _YES and trusted not in _NO:
            raise RuleBroken("embargo_trusted must be yes or no.")
        fields["embargo_trusted"] = trusted in _YES
    consent_date = (row.get("consent_date") or "").strip()
    if consent_date:
        try:
            fields["consent_date"] = datetime.date.fromisoformat(consent_date)
        except ValueError as err:
            raise RuleBroken("consent_date must be an ISO date (YYYY-MM-DD).") from err
        if fields["consent_date"] > timezone.localdate():
            raise RuleBroken("consent_date is in the future.")
    notices: list[dict] = []
    values = _clean_fields(fields, notices)

    slugs = [slug.strip() for slug in (row.get("lists") or "").split(";") if slug.strip()]
    if extra_list and extra_list not in slugs:
        slugs.append(extra_list)
    missing = [slug for slug in slugs if slug not in lists_by_slug]
    if missing:
        raise RuleBroken(f"Unknown media list(s): {', '.join(missing)}.")
    return _Row(
        line=line,
        email=email,
        key=key,
        values=values,
        lists=[lists_by_slug[slug] for slug in dict.fromkeys(slugs)],
        converted=[(line, n["field"], n["text"]) for n in notices],
    )


def _import_batch(batch: list[_Row], report: ImportReport, *, dry_run: bool) -> None:
    """Decide each row of a batch against the database (3 queries), then write in bulk."""
    hashes = {address_hash(row.email): row.key for row in batch}
    suppressed = {
        hashes[h]
        for h in Suppression.objects.filter(address_hash__in=list(hashes)).values_list(
            "address_hash", flat=True
        )
    }
    existing = {
        contact.email_lower: contact
        for contact in Contact.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=[row.key for row in batch]
        )
    }
    member = set(
        Membership.objects.filter(
            contact_id__in=[contact.pk for contact in existing.values()]
        ).values_list("contact_id", "media_list_id")
    )

    now = timezone.now()
    to_create: list[tuple[Contact, list[MediaList]]] = []
    to_update: list[Contact] = []
    changed_fields: set[str] = set()
    memberships: list[Membership] = []
    for row in batch:
        contact = existing.get(row.key)
        if row.key in suppressed:
            # Someone unsubscribed, bounced or asked to be erased: never add them back.
            report.rejected.append(
                (row.line, "This address is on the suppression list and cannot be added.")
            )
            continue
        if contact is None:
            if not (row.values.get("consent_basis") and row.values.get("consent_date")):
                report.rejected.append(
                    (row.line, "A new contact needs consent_basis and consent_date.")
                )
                continue
            to_create.append(
                (Contact(email=row.email, **{"languages": ["en"], **row.values}), row.lists)
            )
            report.created += 1
        else:
            changed = [name for name, new in row.values.items() if getattr(contact, name) != new]
            for name in changed:
                setattr(contact, name, row.values[name])
            new_lists = [m for m in row.lists if (contact.pk, m.pk) not in member]
            memberships += [Membership(contact=contact, media_list=m) for m in new_lists]
            if changed:
                contact.updated_at = now
                changed_fields.update(changed)
                to_update.append(contact)
            if changed or new_lists:
                report.updated += 1
            else:
                report.unchanged += 1
        report.converted += row.converted

    if dry_run:
        return
    _insert_contacts([contact for contact, _ in to_create])
    memberships += [
        Membership(contact=contact, media_list=m) for contact, lists in to_create for m in lists
    ]
    if to_update:
        _update_contacts(to_update, [*sorted(changed_fields), "updated_at"])
    if memberships:
        # Ignore conflicts: a membership added meanwhile is the same membership.
        Membership.objects.bulk_create(memberships, ignore_conflicts=True)


def _insert_contacts(contacts: list[Contact]) -> None:
    """Insert new contacts and give each its primary key.

    On PostgreSQL through COPY, then one query for the new ids by lower(email): bulk_create
    compiles an INSERT with every value as a parameter, the largest cost of an import."""
    if connection.vendor != "postgresql" or not contacts:
        Contact.objects.bulk_create(contacts)
        return
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(Contact._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        # pre_save as bulk_create does it: created_at and updated_at are set here.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for contact in contacts:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(contact, True), connection) for f in fields]
                )
        by_key = {contact.email.lower(): contact for contact in contacts}
        cursor.execute(
            f"SELECT {quote('id')}, lower({quote('email')}) FROM {table} "  # noqa: S608
            f"WHERE lower({quote('email')}) = ANY(%s)",
            [list(by_key)],
        )
        for pk, key in cursor.fetchall():
            if key in by_key:
                by_key[key].pk = pk
    for contact in contacts:
        if contact.pk is None:  # PostgreSQL's lower() and Python's differ on this address
            contact.pk = Contact.objects.values_list("pk", flat=True).get(email=contact.email)
        contact._state.adding = False


def _update_contacts(contacts: list[Contact], names: list[str]) -> None:
    """Write the named fields of these contacts, a few statements for the lot.

    On PostgreSQL one UPDATE ... FROM (VALUES ...) per chunk: Django's bulk_update builds a
    CASE WHEN per row and field, which costs more than the whole rest of an import."""
    if connection.vendor != "postgresql":
        Contact.objects.bulk_update(contacts, names, batch_size=_UPDATE_CHUNK)
        return
    fields = [Contact._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields]
    assignments = ", ".join(f"{column} = v.{column}" for column in columns)
    # Each value cast to its column's type: VALUES alone would make them all text.
    row_sql = "(%s, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    pk = quote(Contact._meta.pk.column)
    for start in range(0, len(contacts), _UPDATE_CHUNK):
        chunk = contacts[start : start + _UPDATE_CHUNK]
        params: list = []
        for contact in chunk:
            params.append(contact.pk)
            params += [f.get_db_prep_save(getattr(contact, f.attname), connection) for f in fields]
        values = ", ".join([row_sql] * len(chunk))
        # Names come from the model, values are parameters.
        sql = (
            f"UPDATE {quote(Contact._meta.db_table)} AS c SET {assignments} "  # noqa: S608
            f"FROM (VALUES {values}) AS v({pk}, {', '.join(columns)}) WHERE c.{pk} = v.{pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

"""import_contacts FILE.csv [--list SLUG]: CONTRACT.md "Contact CSV".

Each row is imported on its own (a bad row imports nothing from that row, the others go in);
the report names every rejected row by its line number and why, never by its address.
An address that is already a contact is updated and added to the lists given.
"""

from __future__ import annotations

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.errors import RuleBroken
from contacts import services
from contacts.models import Contact

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
_YES = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "": False,
}


def _row_fields(row: dict, extra_list: str | None) -> dict:
    fields: dict = {}
    for key in ("name", "outlet", "beat", "country", "consent_basis"):
        if row.get(key):
            fields[key] = row[key].strip()
    if row.get("languages"):
        fields["languages"] = [code.strip() for code in row["languages"].split(";") if code.strip()]
    trusted = (row.get("embargo_trusted") or "").strip().lower()
    if trusted not in _YES:
        raise RuleBroken("embargo_trusted must be yes or no.")
    if row.get("embargo_trusted") is not None:
        fields["embargo_trusted"] = _YES[trusted]
    if row.get("consent_date"):
        try:
            fields["consent_date"] = datetime.date.fromisoformat(row["consent_date"].strip())
        except ValueError as err:
            raise RuleBroken("consent_date must be an ISO date (YYYY-MM-DD).") from err
    lists = [slug.strip() for slug in (row.get("lists") or "").split(";") if slug.strip()]
    if extra_list and extra_list not in lists:
        lists.append(extra_list)
    fields["media_lists"] = lists
    return fields


class Command(BaseCommand):
    help = "Import media contacts from a UTF-8 CSV with a header row; prints a per-row report."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--list", dest="list_slug", help="also add every contact to this list")

    def handle(self, *args, file: str, list_slug: str | None = None, **options):
        try:
            handle = open(file, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as err:
            raise CommandError(f"Cannot read {file}: {err.strerror}") from err
        with handle:
            try:
                reader = csv.DictReader(handle)
                header = [name.strip() for name in (reader.fieldnames or [])]
            except UnicodeDecodeError as err:
                raise CommandError("The file is not UTF-8.") from err
            unknown = [name for name in header if name not in COLUMNS]
            if unknown:
                raise CommandError(
                    f"Unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}."
                )
            if "email" not in header:
                raise CommandError("The header row has no 'email' column (required).")
            reader.fieldnames = header
            created = updated = 0
            rejected: list[tuple[int, str]] = []
            converted: list[tuple[int, dict]] = []
            try:
                for row in reader:
                    line = reader.line_num
                    if None in row:
                        rejected.append((line, "more fields than columns in the header"))
                        continue
                    notices: list[dict] = []
                    try:
                        was_created = self._import_row(row, list_slug, notices)
                    except RuleBroken as err:
                        rejected.append((line, err.message))
                        continue
                    converted += [(line, notice) for notice in notices]
                    created += was_created
                    updated += not was_created
            except UnicodeDecodeError as err:
                raise CommandError("The file is not UTF-8.") from err
            except csv.Error as err:
                raise CommandError(f"Line {reader.line_num}: not valid CSV ({err}).") from err

        for line, reason in rejected:
            self.stdout.write(f"line {line}: rejected: {reason}")
        # Converted text is shown so that someone who reads Burmese can check it.
        for line, notice in converted:
            self.stdout.write(
                f"line {line}: {notice['field']} converted from Zawgyi to Unicode: {notice['text']}"
            )
        self.stdout.write(f"{created} created, {updated} updated, {len(rejected)} rejected.")

    def _import_row(self, row: dict, list_slug: str | None, notices: list[dict]) -> bool:
        email = (row.get("email") or "").strip()
        if not email:
            raise RuleBroken("email is empty.")
        fields = _row_fields(row, list_slug)
        # One transaction per row: a row that fails half-way leaves nothing behind.
        with transaction.atomic():
            existing = Contact.objects.filter(email__iexact=email).first()
            if existing is None:
                services.contact_create(email=email, notices=notices, **fields)
                return True
            services.contact_update(
                contact_id=existing.pk, add_lists=True, notices=notices, **fields
            )
            return False

"""import_contacts FILE.csv [--list SLUG] [--dry-run]: CONTRACT.md "Contact CSV".

The work is contacts/importer.py (streaming, batched, one transaction for the whole file): a
bad row is rejected on its own and imports nothing from that row; the report names every
rejected row by its line number and why, never by its address. An address that is already a
contact is updated and added to the lists given. --dry-run checks and reports, writes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from contacts.importer import BATCH_SIZE, ImportFileError, import_contacts_csv, open_csv


class Command(BaseCommand):
    help = "Import media contacts from a UTF-8 CSV with a header row; prints a per-row report."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--list", dest="list_slug", help="also add every contact to this list")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and print the report, but write nothing",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="rows written per batch"
        )

    def handle(
        self,
        *args,
        file: str,
        list_slug: str | None = None,
        dry_run: bool = False,
        batch_size: int = BATCH_SIZE,
        **options,
    ):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            handle = open_csv(file)
        except OSError as err:
            raise CommandError(f"Cannot read {file}: {err.strerror}") from err
        with handle:
            try:
                report = import_contacts_csv(
                    handle, extra_list=list_slug, dry_run=dry_run, batch_size=batch_size
                )
            except ImportFileError as err:
                raise CommandError(err.message) from err
        for line in report.lines():
            self.stdout.write(line)

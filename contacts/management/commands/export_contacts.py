"""export_contacts FILE.csv [--list SLUG] [--segment SLUG] [--format csv|json] [filters]:
CONTRACT.md "Contacts: export and bounces".

Writes the Contact CSV columns plus `status` (or the same as JSON); `-` as FILE writes to
stdout. Recorded in the export audit log as done at the console.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from config.errors import RuleBroken
from contacts import export
from contacts.models import Segment
from contacts.segments import ContactFilter, clean_filter, contacts_matching, segment_filter


def selection(
    *, list_slug: str | None, segment_slug: str | None, **filters
) -> tuple[ContactFilter, str]:
    """The filter the options describe, and the scope in words for the audit log."""
    lists = list(filters.pop("lists", None) or [])
    if list_slug:
        lists.append(list_slug)
    spec = clean_filter(lists=lists, **filters)
    if segment_slug:
        segment = Segment.objects.filter(slug=segment_slug).first()
        if segment is None:
            raise RuleBroken(f"Unknown segment {segment_slug!r}.")
        if spec.as_dict():
            raise RuleBroken("Give either --segment or filters, not both.")
        return segment_filter(segment), f"segment {segment.slug}"
    return spec, spec.describe()


class Command(BaseCommand):
    help = "Export contacts (a list, a segment or a filter) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write; - for standard output")
        parser.add_argument("--list", dest="list_slug", help="only contacts on this list")
        parser.add_argument("--segment", dest="segment_slug", help="a saved segment")
        parser.add_argument("--format", dest="fmt", choices=export.FORMATS, default="csv")
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2 code")
        parser.add_argument("--beat", default="")
        parser.add_argument("--outlet", default="")
        parser.add_argument("--language", default="", help="a language code (en, my)")
        parser.add_argument(
            "--status", action="append", default=[], help="active, unsubscribed, ... (repeatable)"
        )

    def handle(self, *args, file: str, fmt: str, **options):
        try:
            spec, scope = selection(
                list_slug=options["list_slug"],
                segment_slug=options["segment_slug"],
                country=options["country"],
                beat=options["beat"],
                outlet=options["outlet"],
                language=options["language"],
                statuses=options["status"],
            )
        except RuleBroken as err:
            raise CommandError(err.message) from err
        if file == "-":
            self._write(spec, scope, fmt, lambda chunk: self.stdout.write(chunk, ending=""))
            return
        try:
            handle = open(file, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as err:
            raise CommandError(f"Cannot write {file}: {err.strerror}") from err
        with handle:
            written = self._write(spec, scope, fmt, handle.write)
        self.stderr.write(f"{written} contacts written to {file}.")

    def _write(self, spec: ContactFilter, scope: str, fmt: str, write) -> int:
        exported = export.export_contacts(
            contacts=contacts_matching(spec),
            fmt=fmt,
            requester=export.CONSOLE,
            scope=scope,
            filters=spec.as_dict(),
        )
        for chunk in exported:
            write(chunk)
        return exported.rows

"""export_contact_data EMAIL [--output FILE]: everything held about one contact, as JSON
(a data-subject access request). Recorded in the export audit log as done at the console."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from contacts import export
from contacts.models import Contact


class Command(BaseCommand):
    help = "Write everything held about one contact (found by address) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", help="write here instead of standard output")

    def handle(self, *args, email: str, output: str | None = None, **options):
        contact = Contact.objects.filter(email__iexact=email.strip()).first()
        if contact is None:
            # An erased contact keeps no address: there is nothing left to find by it.
            raise CommandError("No contact has this address.")
        text = export.export_subject(contact=contact, requester=export.CONSOLE)
        if not output:
            self.stdout.write(text)
            return
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as err:
            raise CommandError(f"Cannot write {output}: {err.strerror}") from err
        self.stderr.write(f"Written to {output}.")

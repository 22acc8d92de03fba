"""python manage.py process_bounces [PATH]: apply delivery status notifications (RFC 3464) and
complaint reports (RFC 5965) read from a file (one message or mbox), a Maildir, or an IMAP
mailbox (imap[s]://user:pass@host:port/MAILBOX; BOUNCE_IMAP_URL when PATH is left out)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from distribution.bounces import SourceError, process_source


class Command(BaseCommand):
    help = (
        "Read bounce (RFC 3464) and complaint (RFC 5965) reports from a file, an mbox, a "
        "Maildir or an IMAP URL, and mark the deliveries and contacts they are about."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="a file, an mbox, a Maildir folder or imap[s]://user:pass@host:port/MAILBOX "
            "(default: BOUNCE_IMAP_URL)",
        )
        parser.add_argument(
            "--include-seen",
            action="store_true",
            help="Maildir and IMAP: read messages already marked seen as well",
        )

    def handle(self, *args, **options):
        source = options["path"] or settings.BOUNCE_IMAP_URL
        if not source:
            raise CommandError("Give a file, a Maildir or an IMAP URL, or set BOUNCE_IMAP_URL.")
        try:
            summary = process_source(source, include_seen=options["include_seen"])
        except SourceError as err:
            raise CommandError(str(err)) from err
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write(summary.line())

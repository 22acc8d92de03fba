"""manage.py add_staff USERNAME --role ROLE [--email E] [--token]"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.roles import ROLES
from accounts.staff import staff_token, staff_upsert
from config.errors import RuleBroken


class Command(BaseCommand):
    help = "Create or update a staff user with a role; password from STAFF_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--email")
        parser.add_argument("--token", action="store_true", help="Print an API token last.")

    def handle(self, *args, username, role, email, token, **options):
        password = os.environ.get("STAFF_PASSWORD") or None
        if password is None and sys.stdin.isatty():
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The passwords differ.")
        try:
            user, created = staff_upsert(
                username=username, role=role, email=email, password=password
            )
        except RuleBroken as err:
            raise CommandError(err.message) from err
        self.stdout.write(f"{'Created' if created else 'Updated'} {username} as {role}.")
        if token:
            self.stdout.write(staff_token(user=user))

"""manage.py seed_demo: load the demo data (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from statements.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo campaign, releases, contacts and staff users (safe to run again)."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(f"Demo releases: {', '.join(result['releases'])}")
        self.stdout.write("Demo staff users (password below), one per role:")
        for role, username in result["users"].items():
            self.stdout.write(f"  {role:<10} {username}")
        self.stdout.write(f"Demo password: {result['password']}")

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatementsConfig(AppConfig):
    name = "statements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from statements.staff import sync_role_permissions

        # Runs after every migrate, so the admin role also covers models added later.
        post_migrate.connect(sync_role_permissions, sender=self, dispatch_uid="sync-roles")
        # Connects release_changed to the PDF renderer (statements/tasks_outputs.py).
        from statements import tasks_outputs  # noqa: F401

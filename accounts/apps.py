from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import accounts.schema  # noqa: F401 (registers the OpenAPI security schemes)
        from accounts.staff import sync_role_permissions

        # Runs after every migrate, once every app's permissions exist (after the last app),
        # so the admin role also covers models added later.
        last_app = list(apps.get_app_configs())[-1]
        post_migrate.connect(sync_role_permissions, sender=last_app, dispatch_uid="sync-roles")

from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the organisation's per-request cache to the request signals.
        from statements import organisation  # noqa: F401

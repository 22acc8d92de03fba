from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects release_changed to the PDF renderer and the public version (tasks.py).
        from publishing import tasks  # noqa: F401
        from publishing.cache import connect_version_signals

        connect_version_signals()

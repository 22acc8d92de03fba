from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects release_changed to the PDF renderer (publishing/tasks.py).
        from publishing import tasks  # noqa: F401

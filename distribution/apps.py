from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from distribution import webhooks  # noqa: F401 - connects the anymail tracking receiver

import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class DistributionConfig(AppConfig):
    name = "distribution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from distribution import webhooks  # noqa: F401 - connects the anymail tracking receiver
        from statements.signals import release_changed

        release_changed.connect(_stop_sends_when_retracted, dispatch_uid="distribution-retracted")


def _stop_sends_when_retracted(sender, statement_id: int, action: str = "", **kwargs) -> None:
    """Sent after the retraction commits: its sends in progress stop at once."""
    if action != "retracted":
        return
    from distribution.services import distributions_stop_for_retraction

    try:
        distributions_stop_for_retraction(statement_id=statement_id)
    except Exception:
        # The retraction stands either way; workers check before each message and the
        # periodic tick stops what is left.
        log.exception("distribution: could not stop the sends of statement %s", statement_id)

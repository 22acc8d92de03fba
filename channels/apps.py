import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


class ChannelsConfig(AppConfig):
    name = "channels"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Telegram channels and mirrors"

    def ready(self) -> None:
        from channels import checks  # noqa: F401 - registers the start-up checks
        from statements.signals import release_changed

        release_changed.connect(_release_changed, dispatch_uid="channels-release-changed")


def _release_changed(sender, statement_id: int, action: str = "", **kwargs) -> None:
    """After a publication, correction, retraction (or embargo lift, follow-up translation)
    commits: write the Telegram posts and the mirror pushes it calls for, then queue them.
    A failure here never undoes the publication; the periodic sweep catches up."""
    from channels import services

    try:
        services.on_release_changed(statement_id=statement_id, action=action)
    except Exception:
        log.exception("channels: could not record the posts of statement %s", statement_id)

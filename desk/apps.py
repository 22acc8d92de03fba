from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"

    def ready(self) -> None:
        from desk import notifications
        from distribution.signals import distribution_finished
        from statements.signals import statement_transitioned

        # Both signals are sent inside the event's transaction: the rows commit with it.
        statement_transitioned.connect(
            notifications.on_statement_transitioned, dispatch_uid="desk-notifications"
        )
        distribution_finished.connect(
            notifications.on_distribution_finished, dispatch_uid="desk-notifications"
        )

from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the organisation's per-request cache to the request signals.
        from statements import ledger, organisation  # noqa: F401
        from statements.signals import release_changed, statement_transitioned

        # The ask ledger: a published release records the asks it made or repeated.
        statement_transitioned.connect(
            ledger.on_statement_transitioned, dispatch_uid="statements-ledger-transitioned"
        )
        release_changed.connect(ledger.on_release_changed, dispatch_uid="statements-ledger-release")

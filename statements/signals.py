"""Signals the workflow sends after commit, for outputs (PDFs, caches) and distribution.

release_changed(sender=Statement, statement_id=int, action=str) where action is one of
"published", "corrected", "retracted", "embargo_lifted", "translation_published".

statement_transitioned(sender=Statement, statement_id=int, action=str, by_id=int | None,
comment=str) after every workflow transition, with the audit event's action ("submit",
"returned_to_review", "request_changes", "approve", "approved", "schedule", "unschedule",
"publish", "correct", "retract", "set_embargo", "embargo_lifted", "overdue"). Unlike
release_changed it is sent INSIDE the transition's transaction, so what receivers write (the
desk's notifications) commits or rolls back with the transition: nothing is lost to a crash
between commit and an after-commit hook. Receivers queue their own I/O with on_commit.
"""

from django.dispatch import Signal

release_changed = Signal()
statement_transitioned = Signal()

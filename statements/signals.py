"""Signals the workflow sends after commit, for outputs (PDFs, caches) and distribution.

release_changed(sender=Statement, statement_id=int, action=str) where action is one of
"published", "corrected", "retracted", "embargo_lifted", "translation_published".
"""

from django.dispatch import Signal

release_changed = Signal()

"""Outputs made when a release changes: its PDFs, rendered by a worker after commit."""

from __future__ import annotations

import logging

from celery import shared_task
from django.dispatch import receiver

from config import background
from statements.signals import release_changed

log = logging.getLogger(__name__)


@shared_task(name="statements.render_release_pdfs", acks_late=True)
def render_release_pdfs(statement_id: int) -> int:
    from publishing.pdf import refresh_release_pdfs

    return len(refresh_release_pdfs(statement_id=statement_id))


@receiver(release_changed, dispatch_uid="statements-outputs-pdf")
def _release_changed(sender, statement_id: int, action: str = "", **kwargs) -> None:
    # The workflow sends this after commit, so the worker sees the committed state. If the
    # broker is down the publication stands: a missing PDF is made on its first request.
    try:
        if background.enabled():
            # The embedded default: after the response, not in it (about 3 s of rendering).
            background.submit(lambda: render_release_pdfs.apply(args=(statement_id,)), "pdfs")
        else:
            render_release_pdfs.delay(statement_id)
    except Exception:
        log.exception("could not queue the PDFs of statement %s (%s)", statement_id, action)


@receiver(release_changed, dispatch_uid="publishing-sign-release")
def _sign_release(sender, statement_id: int, action: str = "", **kwargs) -> None:
    # Each publication, correction, retraction and follow-up translation is signed as the
    # next version of each language's canonical text (publishing/signing.py), right after
    # commit; if this fails, the text is signed on its first request.
    from publishing.signing import sign_release

    try:
        sign_release(statement_id=statement_id)
    except Exception:
        log.exception("could not sign statement %s (%s)", statement_id, action)


@receiver(release_changed, dispatch_uid="publishing-public-version")
def _public_version_moves(sender, statement_id: int, action: str = "", **kwargs) -> None:
    # The saves already moved it in their transaction; this covers what they may not have seen
    # (the ledger's bulk updates of ask records run in receivers before this one).
    from publishing.visibility import bump_public_version

    bump_public_version()

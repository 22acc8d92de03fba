"""The edit lock: one person edits a statement at a time, others are told who and since when.

A lock is a row (statements.models.EditLock) claimed when someone starts editing, renewed by the
editor page's heartbeat, and stale LOCK_TTL after the last renewal (a closed tab frees it by
itself). Anyone may take over deliberately; the former holder's next save is then refused here,
and a save based on an older revision is refused by statement_edit(based_on_revision=...).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import RuleBroken
from statements.models import EditLock, Statement

LOCK_TTL = datetime.timedelta(minutes=3)
HEARTBEAT_SECONDS = 60  # the editor's JS renews this often, well inside LOCK_TTL


@dataclass(frozen=True)
class LockState:
    held: bool  # True when the caller holds the lock (or nobody does)
    holder: str = ""  # the other person's name when not held
    since: datetime.datetime | None = None


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def live_lock(statement_id: int, now: datetime.datetime | None = None) -> EditLock | None:
    now = now or timezone.now()
    return (
        EditLock.objects.select_related("user")
        .filter(statement_id=statement_id, renewed_at__gt=now - LOCK_TTL)
        .first()
    )


def lock_state(statement_id: int, by) -> LockState:
    """What `by` sees: free or their own (held), or someone else's live lock."""
    lock = live_lock(statement_id)
    if lock is None or lock.user_id == by.pk:
        return LockState(held=True, since=lock.since if lock else None)
    return LockState(held=False, holder=_display_name(lock.user), since=lock.since)


def lock_claim(*, statement_id: int, by, take_over: bool = False) -> LockState:
    """Claim or renew the lock; refused (held=False) while another person's lock is live,
    unless `take_over`."""
    now = timezone.now()
    with transaction.atomic():
        if not Statement.objects.filter(pk=statement_id).exists():
            raise RuleBroken("No such statement.")
        lock = EditLock.objects.select_for_update().filter(statement_id=statement_id).first()
        if lock is None:
            try:
                with transaction.atomic():
                    lock = EditLock.objects.create(
                        statement_id=statement_id, user=by, since=now, renewed_at=now
                    )
            except IntegrityError:  # someone claimed it in the same instant
                return lock_state(statement_id, by)
            return LockState(held=True, since=lock.since)
        live = lock.renewed_at > now - LOCK_TTL
        if lock.user_id != by.pk and live and not take_over:
            return LockState(held=False, holder=_display_name(lock.user), since=lock.since)
        if lock.user_id != by.pk or not live:
            lock.user, lock.since = by, now
        lock.renewed_at = now
        lock.save()
    return LockState(held=True, since=lock.since)


def lock_release(*, statement_id: int, by) -> None:
    EditLock.objects.filter(statement_id=statement_id, user=by).delete()


def check_may_save(*, statement_id: int, by) -> None:
    """A save while someone else holds a live lock is refused, naming them."""
    state = lock_state(statement_id, by)
    if not state.held:
        raise RuleBroken(
            _(
                "%(holder)s is editing this statement since %(time)s UTC. Your changes were "
                "not saved: take over editing first, or ask them to finish."
            )
            % {"holder": state.holder, "time": f"{state.since:%H:%M}"},
            holder=state.holder,
        )

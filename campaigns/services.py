"""Writes to campaigns' reference data that enforce a rule."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from campaigns.models import Ask, AskStatusChange, Role, RoleHolding, Target
from config.errors import RuleBroken


def role_holding_add(
    *, role: Role, holder: Target, starts_on: datetime.date, ends_on: datetime.date | None = None
) -> RoleHolding:
    holding = RoleHolding(role=role, holder=holder, starts_on=starts_on, ends_on=ends_on)
    if ends_on is not None and ends_on <= starts_on:
        raise RuleBroken("A role holding must end after it starts.")
    if holding.overlapping().exists():
        raise RuleBroken(f"{holder} would overlap another holder of {role}.")
    try:
        with transaction.atomic():
            holding.save()
    except IntegrityError as err:  # a concurrent writer got there first
        raise RuleBroken(f"{holder} would overlap another holder of {role}.") from err
    return holding


def ask_set_status(
    *, ask: Ask, status: str, on: datetime.date, note: str = "", by=None
) -> AskStatusChange:
    if status not in Ask.Status.values:
        raise RuleBroken(f"Unknown ask status {status!r}.")
    with transaction.atomic():
        ask = Ask.objects.select_for_update().get(pk=ask.pk)
        change = AskStatusChange.objects.create(
            ask=ask, status=status, changed_on=on, note=note, changed_by=by
        )
        latest = ask.status_changes.order_by("-changed_on", "-id").first()
        # A back-dated entry fills the history without overriding a newer status.
        ask.status = latest.status
        ask.save(update_fields=["status"])
    return change

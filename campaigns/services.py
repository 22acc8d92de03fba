"""Writes to campaigns' reference data that enforce a rule."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from burmese.text import clean_localised
from campaigns.models import Ask, AskStatusChange, Campaign, Role, RoleHolding, Target
from config.errors import RuleBroken
from config.languages import language_codes


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


def _new_ask_slug(text: dict) -> str:
    # Ask slugs are looked up without their campaign (statements link asks by slug): keep them
    # unique across campaigns.
    base = (slugify(text.get("en", ""))[:60].strip("-")) or "ask"
    slug, n = base, 2
    while Ask.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def ask_propose(
    *,
    campaign: Campaign,
    text: dict[str, str],
    targets: list[Target] = (),
    roles: list[Role] = (),
    by=None,
    confirm_encoding: bool = False,
) -> tuple[Ask, list[dict]]:
    """A new open ask of `campaign`, proposed from a statement: text per language (Burmese
    checked for Zawgyi), addressed to `targets`/`roles`. Returns it and the Zawgyi notices."""
    text = {lang: (value or "").strip() for lang, value in (text or {}).items()}
    text = {lang: value for lang, value in text.items() if value}
    unknown = set(text) - set(language_codes())
    if unknown:
        raise RuleBroken(_("Unknown language for the new ask."), languages=sorted(unknown))
    if not text:
        raise RuleBroken(_("A new ask needs its text in at least one language."))
    text, notices = clean_localised(text, field="ask", confirm=confirm_encoding)
    with transaction.atomic():
        ask = Ask.objects.create(campaign=campaign, slug=_new_ask_slug(text), text=text)
        ask.targets.set(targets)
        ask.roles.set(roles)
        AskStatusChange.objects.create(
            ask=ask,
            status=Ask.Status.OPEN,
            changed_on=timezone.now().date(),
            note="Proposed in a statement.",
            changed_by=by if getattr(by, "pk", None) else None,
        )
    return ask, notices

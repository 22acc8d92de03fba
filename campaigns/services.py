"""Every write to campaigns' reference data and the ask ledger: the desk, the staff API, the
admin, the demo and statements.ledger call these, so each rule holds everywhere.

Rights are checked by the callers (API views and desk views name a capability that
accounts/policy.py decides; statements.ledger calls accounts.policy.require): campaigns sits
below accounts in the layout and cannot ask the policy itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from burmese.text import clean_localised
from campaigns.models import Ask, AskStatusChange, Campaign, Role, RoleHolding, Target
from config.errors import RuleBroken
from config.languages import language_codes

# --- shared checks ------------------------------------------------------------------------


def _check_slug(slug: object, *, what: str) -> str:
    if not isinstance(slug, str) or not slug or slugify(slug) != slug or not slug.isascii():
        raise RuleBroken(
            f"A {what} slug is lower-case ASCII letters, digits and hyphens.", slug=str(slug)
        )
    if len(slug) > 80:
        raise RuleBroken(f"A {what} slug has at most 80 characters.", slug=slug)
    return slug


def _clean_localised(
    value: object, *, field: str, required: bool, confirm_encoding: bool = False
) -> tuple[dict[str, str], list[dict]]:
    """Text per language: known languages only, Burmese checked for Zawgyi, blanks dropped."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RuleBroken(f"{field} is an object of text keyed by language code.", field=field)
    text = {lang: v.strip() for lang, v in value.items() if v.strip()}
    unknown = set(text) - set(language_codes())
    if unknown:
        raise RuleBroken(
            f"{field}: unknown language(s) {sorted(unknown)}; configured: {language_codes()}.",
            field=field,
        )
    if required and not text:
        raise RuleBroken(f"{field} needs text in at least one language.", field=field)
    return clean_localised(text, field=field, confirm=confirm_encoding)


def _check_url(url: str, *, field: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as err:
        raise RuleBroken(f"{field} must be an http(s) link.", field=field) from err
    if len(url) > 500:
        raise RuleBroken(f"{field} has at most 500 characters.", field=field)
    return url


def _targets_by_slug(slugs: Iterable[str]) -> list[Target]:
    slugs = list(slugs or [])
    if not all(isinstance(s, str) for s in slugs):
        raise RuleBroken("targets is a list of target slugs.", field="targets")
    found = list(Target.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {t.slug for t in found})
    if missing:
        raise RuleBroken(f"Unknown targets: {missing}.", field="targets", missing=missing)
    return found


def _roles_by_slug(slugs: Iterable[str]) -> list[Role]:
    slugs = list(slugs or [])
    if not all(isinstance(s, str) for s in slugs):
        raise RuleBroken("roles is a list of role slugs.", field="roles")
    found = list(Role.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {r.slug for r in found})
    if missing:
        raise RuleBroken(f"Unknown roles: {missing}.", field="roles", missing=missing)
    return found


def _user(by):
    return by if getattr(by, "pk", None) else None


# --- campaigns, targets, roles --------------------------------------------------------------


def campaign_save(
    *,
    slug: str,
    name: dict[str, str],
    description: dict[str, str] | None = None,
    status: str = Campaign.Status.ACTIVE,
    campaign: Campaign | None = None,
    confirm_encoding: bool = False,
) -> tuple[Campaign, list[dict]]:
    """Create a campaign (campaign=None) or update `campaign`. Returns it and Zawgyi notices."""
    slug = _check_slug(slug, what="campaign")
    if status not in Campaign.Status.values:
        raise RuleBroken(f"Unknown campaign status {status!r}.", field="status")
    name, notices = _clean_localised(
        name, field="name", required=True, confirm_encoding=confirm_encoding
    )
    description, more = _clean_localised(
        description, field="description", required=False, confirm_encoding=confirm_encoding
    )
    if Campaign.objects.filter(slug=slug).exclude(pk=getattr(campaign, "pk", None)).exists():
        raise RuleBroken(f"A campaign with the slug {slug!r} exists.", field="slug")
    campaign = campaign or Campaign()
    campaign.slug, campaign.name, campaign.description, campaign.status = (
        slug,
        name,
        description,
        status,
    )
    campaign.save()
    return campaign, notices + more


def target_save(
    *,
    slug: str,
    name: dict[str, str],
    kind: str,
    country: str = "",
    parent: Target | None = None,
    target: Target | None = None,
    confirm_encoding: bool = False,
) -> tuple[Target, list[dict]]:
    """Create a target (target=None) or update `target`. Returns it and Zawgyi notices."""
    slug = _check_slug(slug, what="target")
    if kind not in Target.Kind.values:
        raise RuleBroken(f"Unknown target kind {kind!r}; one of {Target.Kind.values}.")
    country = (country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha() or not country.isascii()):
        raise RuleBroken("country is an ISO 3166 alpha-2 code such as MY.", field="country")
    name, notices = _clean_localised(
        name, field="name", required=True, confirm_encoding=confirm_encoding
    )
    if Target.objects.filter(slug=slug).exclude(pk=getattr(target, "pk", None)).exists():
        raise RuleBroken(f"A target with the slug {slug!r} exists.", field="slug")
    # A target may not be its own ancestor.
    ancestor = parent
    while ancestor is not None:
        if target is not None and ancestor.pk == target.pk:
            raise RuleBroken("A target cannot be part of itself.", field="parent")
        ancestor = ancestor.parent
    target = target or Target()
    target.slug, target.name, target.kind, target.country, target.parent = (
        slug,
        name,
        kind,
        country,
        parent,
    )
    target.save()
    return target, notices


def role_save(
    *,
    slug: str,
    name: dict[str, str],
    organisation: Target | None = None,
    role: Role | None = None,
    confirm_encoding: bool = False,
) -> tuple[Role, list[dict]]:
    """Create a role (role=None) or update `role`. Returns it and Zawgyi notices."""
    slug = _check_slug(slug, what="role")
    name, notices = _clean_localised(
        name, field="name", required=True, confirm_encoding=confirm_encoding
    )
    if Role.objects.filter(slug=slug).exclude(pk=getattr(role, "pk", None)).exists():
        raise RuleBroken(f"A role with the slug {slug!r} exists.", field="slug")
    role = role or Role()
    role.slug, role.name, role.organisation = slug, name, organisation
    role.save()
    return role, notices


def role_holding_add(
    *, role: Role, holder: Target, starts_on: datetime.date, ends_on: datetime.date | None = None
) -> RoleHolding:
    holding = RoleHolding(role=role, holder=holder, starts_on=starts_on, ends_on=ends_on)
    if ends_on is not None and ends_on <= starts_on:
        raise RuleBroken("A role holding must end after it starts.")
    _refuse_overlap(holding)
    try:
        with transaction.atomic():
            holding.save()
    except IntegrityError as err:  # a concurrent writer got there first
        _refuse_overlap(holding)  # names the holding now in the way
        raise RuleBroken(f"{holder} would overlap another holder of {role}.") from err
    return holding


def _period(holding: RoleHolding) -> str:
    end = holding.ends_on.isoformat() if holding.ends_on else "open-ended"
    return f"{holding.starts_on.isoformat()} to {end}"


def _refuse_overlap(holding: RoleHolding) -> None:
    """Refuse a holding that overlaps another of its role, saying which one is in the way."""
    other = holding.overlapping().select_related("holder").order_by("starts_on").first()
    if other is not None:
        raise RuleBroken(
            f"{holding.holder} ({_period(holding)}) would overlap {other.holder}'s holding of "
            f"{holding.role} ({_period(other)}): change or end that holding first.",
            field="starts_on",
            overlaps=other.pk,
        )


def role_holding_change(
    *, holding: RoleHolding, starts_on: datetime.date, ends_on: datetime.date | None = None
) -> RoleHolding:
    """Move a holding's dates, never onto another holder's period."""
    if ends_on is not None and ends_on <= starts_on:
        raise RuleBroken("A role holding must end after it starts.")
    holding.starts_on, holding.ends_on = starts_on, ends_on
    _refuse_overlap(holding)
    try:
        with transaction.atomic():
            holding.save(update_fields=["starts_on", "ends_on"])
    except IntegrityError as err:
        raise RuleBroken(
            f"{holding.holder} would overlap another holder of {holding.role}."
        ) from err
    return holding


def role_holding_remove(*, holding: RoleHolding) -> None:
    holding.delete()


# --- asks -----------------------------------------------------------------------------------


def _unique_ask_slug(slug: str, *, ask: Ask | None = None) -> None:
    # Ask slugs are looked up without their campaign (statements link asks by slug): keep them
    # unique across campaigns.
    if Ask.objects.filter(slug=slug).exclude(pk=getattr(ask, "pk", None)).exists():
        raise RuleBroken(f"An ask with the slug {slug!r} exists.", field="slug")


def _new_ask_slug(text: dict) -> str:
    base = (slugify(text.get("en", ""))[:60].strip("-")) or "ask"
    slug, n = base, 2
    while Ask.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def ask_history_begin(*, ask: Ask, by=None, note: str = "") -> AskStatusChange:
    """A new ask's first entry: open since the day it was written down (the admin calls this
    for an ask it adds)."""
    return _record_creation(ask, by=by, note=note)


def _record_creation(ask: Ask, *, by, note: str) -> AskStatusChange:
    # The history starts with the ask: open since the day it was written down.
    return AskStatusChange.objects.create(
        ask=ask,
        status=Ask.Status.OPEN,
        changed_on=timezone.localdate(),
        note=note,
        changed_by=_user(by),
    )


def ask_create(
    *,
    campaign: Campaign | str,
    slug: str,
    text: dict[str, str],
    targets: Iterable[str] = (),
    roles: Iterable[str] = (),
    by=None,
    confirm_encoding: bool = False,
) -> tuple[Ask, list[dict]]:
    """A new open ask of `campaign` (object or slug), addressed to target and role slugs.
    Returns it and the Zawgyi notices."""
    if isinstance(campaign, str):
        campaign_obj = Campaign.objects.filter(slug=campaign).first()
        if campaign_obj is None:
            raise RuleBroken(f"Unknown campaign {campaign!r}.", field="campaign")
        campaign = campaign_obj
    slug = _check_slug(slug, what="ask")
    text, notices = _clean_localised(
        text, field="text", required=True, confirm_encoding=confirm_encoding
    )
    target_objs, role_objs = _targets_by_slug(targets), _roles_by_slug(roles)
    with transaction.atomic():
        _unique_ask_slug(slug)
        ask = Ask.objects.create(campaign=campaign, slug=slug, text=text)
        ask.targets.set(target_objs)
        ask.roles.set(role_objs)
        _record_creation(ask, by=by, note="")
    return ask, notices


def ask_update(
    *,
    ask: Ask,
    text: dict[str, str] | None = None,
    targets: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    confirm_encoding: bool = False,
) -> tuple[Ask, list[dict]]:
    """Change an ask's text, targets or roles (what is given). Its status changes only through
    ask_set_status, with a date and a source."""
    notices: list[dict] = []
    with transaction.atomic():
        if text is not None:
            ask.text, notices = _clean_localised(
                text, field="text", required=True, confirm_encoding=confirm_encoding
            )
            ask.save(update_fields=["text"])
        if targets is not None:
            ask.targets.set(_targets_by_slug(targets))
        if roles is not None:
            ask.roles.set(_roles_by_slug(roles))
    return ask, notices


def ask_set_status(
    *,
    ask: Ask,
    status: str,
    on: datetime.date,
    source_url: str = "",
    note: str = "",
    by=None,
    cite_statement: Callable[[AskStatusChange], object] | None = None,
) -> AskStatusChange:
    """Record that `ask` had `status` from `on`, with its source: `source_url` (a link, with an
    optional note) or, through statements.ledger.ask_status_change, one of our statements
    (`cite_statement` attaches it to the new entry in the same transaction). The ask's status
    becomes that of the entry with the latest date (ties: the latest recorded), so a
    back-dated entry is kept in the history without overriding a newer status."""
    if status not in Ask.Status.values:
        raise RuleBroken(
            f"Unknown ask status {status!r}; one of {Ask.Status.values}.", field="status"
        )
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise RuleBroken("A status change needs its date (on: YYYY-MM-DD).", field="on")
    if on > timezone.localdate() + datetime.timedelta(days=1):  # a day's grace for time zones
        raise RuleBroken("A status change cannot be dated in the future.", field="on")
    source_url = _check_url(source_url, field="source_url")
    if not source_url and cite_statement is None:
        raise RuleBroken(
            "A status change needs a source: one of our statements (statement) or a link "
            "(source_url, with an optional note).",
            rule="status_change_needs_source",
        )
    note = (note or "").strip()
    with transaction.atomic():
        ask = Ask.objects.select_for_update().get(pk=ask.pk)
        change = AskStatusChange.objects.create(
            ask=ask,
            status=status,
            changed_on=on,
            note=note,
            source_url=source_url,
            changed_by=_user(by),
        )
        if cite_statement is not None:
            cite_statement(change)
        latest = ask.status_changes.order_by(
            *(f"-{name}" for name in AskStatusChange.HISTORY_ORDER)
        ).first()
        if ask.status != latest.status:
            ask.status = latest.status
            ask.save(update_fields=["status"])
    return change


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
        _record_creation(ask, by=by, note="Proposed in a statement.")
    return ask, notices

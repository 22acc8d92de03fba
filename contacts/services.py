"""Every write to contacts and media lists: the API, the desk, import_contacts and the
distribution code call these, so the rules (one contact per address whatever its case, never
write to a suppressed address, erasure keeps only a keyed hash) hold everywhere.

Nothing here logs an address: the contact list is sensitive personal data.
"""

from __future__ import annotations

import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import RuleBroken
from config.languages import validate_languages
from contacts.models import Contact, MediaList, Membership, Suppression, address_hash

_EDITABLE = (
    "name",
    "outlet",
    "beat",
    "country",
    "languages",
    "embargo_trusted",
    "plain_text_only",
    "consent_basis",
    "consent_date",
)


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as err:
        raise RuleBroken("Not a valid email address.", field="email") from err
    # Header safety: the address goes into To: lines.
    if any(ch in email for ch in '\r\n<>,;"') or len(email) > 254:
        raise RuleBroken("Not a valid email address.", field="email")
    return email


# Often Burmese: Zawgyi converted, uncertain text refused with a message naming Zawgyi.
_BURMESE_TEXT = ("name", "outlet", "beat")


def _clean_burmese_text(key: str, value: object, notices: list[dict] | None) -> str:
    from burmese import ZawgyiRefused, clean_burmese, truncate

    try:
        cleaned = clean_burmese((value or "").strip() if isinstance(value, str) else "")
    except ZawgyiRefused as err:
        raise RuleBroken(f"{key}: {err}", field=key, encoding="zawgyi?") from err
    if cleaned.converted and notices is not None:
        notices.append({"field": key, "converted_from": "Zawgyi", "text": cleaned.text})
    # Cut between syllables: a Burmese name sliced mid-syllable reads as another name.
    return truncate(cleaned.text, 200, ellipsis="")


def _clean_fields(fields: dict, notices: list[dict] | None = None) -> dict:
    cleaned = {}
    for key, value in fields.items():
        if key not in _EDITABLE:
            raise RuleBroken(f"Unknown contact field {key!r}.", field=key)
        if key == "languages":
            try:
                validate_languages(value)
            except ValidationError as err:
                raise RuleBroken(err.messages[0], field="languages") from err
        elif key == "country":
            value = (value or "").strip().upper()
            if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
                raise RuleBroken("Country must be an ISO 3166 alpha-2 code.", field="country")
        elif key == "consent_basis":
            value = value or ""
            if value and value not in Contact.ConsentBasis.values:
                raise RuleBroken(
                    f"Consent basis must be one of {', '.join(Contact.ConsentBasis.values)}.",
                    field="consent_basis",
                )
        elif key == "consent_date":
            if isinstance(value, str) and value:
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError as err:
                    raise RuleBroken(
                        "Consent date must be an ISO date.", field="consent_date"
                    ) from err
            value = value or None
        elif key in ("embargo_trusted", "plain_text_only"):
            value = bool(value)
        elif key in _BURMESE_TEXT:
            value = _clean_burmese_text(key, value, notices)
        elif isinstance(value, str) or value is None:
            value = (value or "").strip()[:200]
        cleaned[key] = value
    return cleaned


def _lists_by_slug(slugs: list[str]) -> list[MediaList]:
    found = {m.slug: m for m in MediaList.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise RuleBroken(f"Unknown media list(s): {', '.join(missing)}.", field="media_lists")
    return [found[s] for s in slugs]


def contact_create(
    *,
    email: str,
    languages: list[str] | None = None,
    media_lists: list[str] | None = None,
    notices: list[dict] | None = None,
    **fields: object,
) -> Contact:
    """Create a contact; `notices`, if given, receives a note of each Zawgyi conversion."""
    email = _clean_email(email)
    cleaned = _clean_fields(
        {"languages": ["en"] if languages is None else languages, **fields}, notices
    )
    lists = _lists_by_slug(media_lists or [])
    if Suppression.covers(email):
        # Someone unsubscribed, bounced or asked to be erased: never add them back silently.
        raise RuleBroken(
            "This address is on the suppression list and cannot be added.", field="email"
        )
    if Contact.objects.filter(email__iexact=email).exists():
        raise RuleBroken("A contact with this address already exists.", field="email")
    try:
        with transaction.atomic():
            contact = Contact.objects.create(email=email, **cleaned)
            for media_list in lists:
                Membership.objects.create(contact=contact, media_list=media_list)
    except IntegrityError as err:  # a concurrent create of the same address
        raise RuleBroken("A contact with this address already exists.", field="email") from err
    return contact


def contact_update(
    *,
    contact_id: int,
    media_lists: list[str] | None = None,
    add_lists: bool = False,
    notices: list[dict] | None = None,
    **fields: object,
) -> Contact:
    """Change a contact's fields; media_lists replaces the lists (or adds with add_lists).
    `notices`, if given, receives a note of each Zawgyi conversion."""
    cleaned = _clean_fields(fields, notices)
    lists = _lists_by_slug(media_lists) if media_lists is not None else None
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if contact.status == Contact.Status.ERASED:
            raise RuleBroken("This contact was erased.")
        for key, value in cleaned.items():
            setattr(contact, key, value)
        contact.save()
        if lists is not None:
            if not add_lists:
                contact.memberships.exclude(media_list__in=lists).delete()
            for media_list in lists:
                Membership.objects.get_or_create(contact=contact, media_list=media_list)
    return contact


def _suppress(email: str, reason: str) -> None:
    Suppression.objects.get_or_create(address_hash=address_hash(email), defaults={"reason": reason})


def _set_status(contact: Contact, status: str) -> None:
    contact.status = status
    contact.status_changed_at = timezone.now()
    contact.save(update_fields=["status", "status_changed_at", "updated_at"])


def contact_unsubscribe(*, contact_id: int) -> Contact:
    """One click, no questions (RFC 8058). Idempotent."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if contact.status == Contact.Status.ACTIVE:
            _set_status(contact, Contact.Status.UNSUBSCRIBED)
        if contact.status != Contact.Status.ERASED:
            _suppress(contact.email, Suppression.Reason.UNSUBSCRIBED)
    return contact


_STATUS_FOR_REASON = {
    Suppression.Reason.BOUNCED: Contact.Status.BOUNCED,
    Suppression.Reason.COMPLAINED: Contact.Status.COMPLAINED,
    Suppression.Reason.UNSUBSCRIBED: Contact.Status.UNSUBSCRIBED,
}


def contact_suppress(*, email: str, reason: str) -> None:
    """Never write to this address again (hard bounce, complaint, staff decision)."""
    if reason not in Suppression.Reason.values:
        raise RuleBroken(f"Unknown suppression reason {reason!r}.")
    with transaction.atomic():
        _suppress(email, reason)
        status = _STATUS_FOR_REASON.get(reason)
        if status:
            for contact in Contact.objects.select_for_update().filter(
                email__iexact=email.strip(), status=Contact.Status.ACTIVE
            ):
                _set_status(contact, status)


def contact_erase(*, contact_id: int) -> None:
    """Erasure on request: personal data goes, a keyed hash stays so we never re-add them.

    Everywhere the address or the name was kept: the contact, its delivery rows (the address
    they went to, and the last error, since SMTP replies quote the address), and the admin's
    history (which names the object it changed). The admin's delete comes here too."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if contact.status == Contact.Status.ERASED:
            return
        _suppress(contact.email, Suppression.Reason.ERASED)
        contact.memberships.all().delete()
        contact.email = f"erased-{contact.pk}@erased.invalid"
        for field in ("name", "outlet", "beat", "country", "consent_basis"):
            setattr(contact, field, "")
        contact.consent_date = None
        contact.languages = []
        contact.embargo_trusted = False
        contact.status = Contact.Status.ERASED
        contact.status_changed_at = timezone.now()
        contact.save()
        contact.deliveries.update(address=contact.email, last_error="")
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
        ).update(object_repr=str(contact))


def media_list_create(
    *, slug: str, name: str, embargo_trusted: bool = False, description: str = ""
) -> MediaList:
    slug = (slug or "").strip()
    try:
        validate_slug(slug)
    except ValidationError as err:
        raise RuleBroken(
            "A list slug uses letters, digits, hyphens and underscores.", field="slug"
        ) from err
    if not (name or "").strip():
        raise RuleBroken("A media list needs a name.", field="name")
    if MediaList.objects.filter(slug=slug).exists():
        raise RuleBroken(f"A media list {slug!r} already exists.", field="slug")
    try:
        return MediaList.objects.create(
            slug=slug,
            name=name.strip()[:200],
            embargo_trusted=bool(embargo_trusted),
            description=description or "",
        )
    except IntegrityError as err:
        raise RuleBroken(f"A media list {slug!r} already exists.", field="slug") from err

"""Segments: saved filters over the contacts, and the one function that applies a filter.

`contacts_matching` is the filter behind both a segment and a filtered export, so the count a
publisher sees beside a segment, the rows an export writes and the contacts a send reaches are
the same query. Writes to segments go through segment_create / segment_update / segment_delete
(the desk calls them after the access policy said yes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import RuleBroken
from config.languages import language_codes
from contacts.models import Contact, MediaList, Segment


@dataclass(frozen=True)
class ContactFilter:
    """What a segment or an export selects. Empty values do not filter."""

    country: str = ""
    beat: str = ""
    outlet: str = ""
    language: str = ""
    lists: tuple[str, ...] = ()  # media list slugs: contacts on any of them
    embargo_trusted: bool | None = None
    statuses: tuple[str, ...] = field(default=())  # empty: every status but erased

    def as_dict(self) -> dict:
        """The non-empty criteria, for the audit log and the desk."""
        values = {
            "country": self.country,
            "beat": self.beat,
            "outlet": self.outlet,
            "language": self.language,
            "lists": list(self.lists),
            "embargo_trusted": self.embargo_trusted,
            "statuses": list(self.statuses),
        }
        return {k: v for k, v in values.items() if v not in ("", [], None)}

    def describe(self) -> str:
        """One line for the audit log: "lists press; country MM"."""
        parts = []
        for key, value in self.as_dict().items():
            shown = ",".join(value) if isinstance(value, list) else str(value)
            parts.append(f"{key} {shown}")
        return "; ".join(parts) or "every contact"


def clean_filter(
    *,
    country: str = "",
    beat: str = "",
    outlet: str = "",
    language: str = "",
    lists: list[str] | tuple[str, ...] = (),
    embargo_trusted: bool | None = None,
    statuses: list[str] | tuple[str, ...] = (),
) -> ContactFilter:
    """Check and normalise filter values typed by a person; RuleBroken says which is wrong."""
    country = (country or "").strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise RuleBroken(_("Country must be a two-letter code, such as MM."), field="country")
    language = (language or "").strip()
    if language and language not in language_codes():
        raise RuleBroken(_("Choose a language from the list."), field="language")
    slugs = tuple(dict.fromkeys(s.strip() for s in lists if s and s.strip()))
    if slugs:
        found = set(MediaList.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        missing = [s for s in slugs if s not in found]
        if missing:
            raise RuleBroken(
                _("Unknown media list(s): %(lists)s.") % {"lists": ", ".join(missing)},
                field="lists",
            )
    wrong = [s for s in statuses if s not in Contact.Status.values]
    if wrong:
        raise RuleBroken(
            _("Unknown status %(status)s; one of %(known)s.")
            % {"status": wrong[0], "known": ", ".join(Contact.Status.values)},
            field="status",
        )
    return ContactFilter(
        country=country,
        beat=(beat or "").strip()[:200],
        outlet=(outlet or "").strip()[:200],
        language=language,
        lists=slugs,
        embargo_trusted=embargo_trusted,
        statuses=tuple(dict.fromkeys(statuses)),
    )


def _reads(language: str) -> Q:
    # languages is a short JSON list (["my", "en"]); a key lookup per position works on
    # SQLite and PostgreSQL alike, where `contains` does not.
    q = Q()
    for position in range(len(language_codes())):
        q |= Q(**{f"languages__{position}": language})
    return q


def contacts_matching(spec: ContactFilter) -> QuerySet[Contact]:
    """The contacts a filter selects, erased ones never (they hold nothing to export or send)."""
    contacts = Contact.objects.exclude(status=Contact.Status.ERASED)
    if spec.statuses:
        contacts = contacts.filter(status__in=spec.statuses)
    if spec.country:
        contacts = contacts.filter(country=spec.country)
    if spec.beat:
        contacts = contacts.filter(beat__iexact=spec.beat)
    if spec.outlet:
        contacts = contacts.filter(outlet__iexact=spec.outlet)
    if spec.language:
        contacts = contacts.filter(_reads(spec.language))
    if spec.embargo_trusted is not None:
        contacts = contacts.filter(embargo_trusted=spec.embargo_trusted)
    if spec.lists:
        # A subquery, not a join: a contact on two of the lists is still one row.
        on_lists = Contact.objects.filter(memberships__media_list__slug__in=spec.lists)
        contacts = contacts.filter(pk__in=on_lists.values("pk"))
    return contacts


def segment_filter(segment: Segment) -> ContactFilter:
    return ContactFilter(
        country=segment.country,
        beat=segment.beat,
        outlet=segment.outlet,
        language=segment.language,
        lists=tuple(m.slug for m in segment.lists.all()),
        embargo_trusted=segment.embargo_trusted,
    )


def segment_contacts(segment: Segment) -> QuerySet[Contact]:
    """Every contact the segment selects, whatever their status (a send skips the inactive
    ones with a reason, as it does for lists)."""
    return contacts_matching(segment_filter(segment))


def segment_count(segment: Segment) -> int:
    """The live count shown beside a segment: active contacts it reaches now."""
    return segment_contacts(segment).filter(status=Contact.Status.ACTIVE).count()


def segments_by_slug(slugs: list[str]) -> list[Segment]:
    found = {s.slug: s for s in Segment.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise RuleBroken(
            _("Unknown segment(s): %(segments)s.") % {"segments": ", ".join(missing)},
            segments=missing,
        )
    return [found[s] for s in dict.fromkeys(slugs)]


def _check_name(slug: str, name: str) -> tuple[str, str]:
    slug = (slug or "").strip()
    try:
        validate_slug(slug)
    except ValidationError as err:
        raise RuleBroken(
            _("A segment's short name uses letters, digits, hyphens and underscores."),
            field="slug",
        ) from err
    name = (name or "").strip()
    if not name:
        raise RuleBroken(_("A segment needs a name."), field="name")
    return slug[:80], name[:200]


def _save(segment: Segment, spec: ContactFilter) -> Segment:
    segment.country = spec.country
    segment.beat = spec.beat
    segment.outlet = spec.outlet
    segment.language = spec.language
    segment.embargo_trusted = spec.embargo_trusted
    segment.save()
    segment.lists.set(MediaList.objects.filter(slug__in=spec.lists))
    return segment


def segment_create(*, slug: str, name: str, spec: ContactFilter, by=None) -> Segment:
    slug, name = _check_name(slug, name)
    if spec.statuses:
        raise RuleBroken(_("A segment does not filter by status: a send skips inactive contacts."))
    if Segment.objects.filter(slug=slug).exists():
        raise RuleBroken(_("A segment %(slug)s already exists.") % {"slug": slug}, field="slug")
    try:
        with transaction.atomic():
            return _save(Segment(slug=slug, name=name, created_by=by), spec)
    except IntegrityError as err:  # a concurrent create of the same slug
        raise RuleBroken(
            _("A segment %(slug)s already exists.") % {"slug": slug}, field="slug"
        ) from err


def segment_update(*, segment_id: int, name: str, spec: ContactFilter) -> Segment:
    """Change a segment's name and filter. Sends already started keep the contacts they
    snapshotted; only later sends see the new filter."""
    if spec.statuses:
        raise RuleBroken(_("A segment does not filter by status: a send skips inactive contacts."))
    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(pk=segment_id)
        _slug, segment.name = _check_name(segment.slug, name)
        return _save(segment, spec)


def segment_delete(*, segment_id: int) -> None:
    """Finished sends that used the segment keep their recipients (the snapshot); they just
    no longer name it. A send not finished yet still needs it (its rules are checked again
    when it resumes or its time comes), so the segment stays until that send ends."""
    with transaction.atomic():
        segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
        if segment is None:
            return
        # By the reverse accessor's name: contacts/ imports nothing of distribution/.
        sends = getattr(segment, "distributions", None)
        if sends is not None and sends.filter(finished_at__isnull=True).exists():
            raise RuleBroken(
                _("A send that has not finished uses this segment; delete it after that send.")
            )
        segment.delete()

"""Campaigns, the targets our asks are addressed to, the roles targets hold over time, and asks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from config.languages import pick, validate_localised


class LocalisedField(models.JSONField):
    """Text in several languages: {"en": "...", "my": "..."}. Languages are keys, not columns."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("validators", [validate_localised])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        if kwargs.get("default") is dict:
            kwargs.pop("default")
        return name, path, args, kwargs


class Campaign(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    slug = models.SlugField(max_length=80, unique=True)
    name = LocalisedField()
    description = LocalisedField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return pick(self.name, "en") or self.slug

    def name_in(self, language: str) -> str:
        return pick(self.name, language)


class Target(models.Model):
    """Someone an ask is addressed to: organisation, government, body, company or person."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Intergovernmental organisation"
        GOVERNMENT = "government", "Government"
        BODY = "body", "Body or agency"
        COMPANY = "company", "Company"
        PERSON = "person", "Person"
        ARMED_GROUP = "armed_group", "Military or armed group"

    slug = models.SlugField(max_length=80, unique=True)
    name = LocalisedField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 alpha-2 code, upper case; blank if none."
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="target_country_iso_alpha2",
            ),
        ]

    def __str__(self) -> str:
        return pick(self.name, "en") or self.slug

    def name_in(self, language: str) -> str:
        return pick(self.name, language)


class Role(models.Model):
    """A position targets hold in turn: "ASEAN Chair", "ASEAN Country Coordinator for Russia"."""

    slug = models.SlugField(max_length=80, unique=True)
    name = LocalisedField()
    organisation = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.PROTECT, related_name="roles"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return pick(self.name, "en") or self.slug

    def holder_on(self, day: datetime.date) -> Target | None:
        """The target holding this role on `day`, or None if nobody held it."""
        holding = (
            self.holdings.filter(starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
            .select_related("holder")
            .first()
        )
        return holding.holder if holding else None


class RoleHolding(models.Model):
    """`holder` held `role` from `starts_on` up to, not including, `ends_on` (open if null).

    Two holdings of one role never overlap: a database constraint enforces it (an exclusion
    constraint on PostgreSQL, triggers on SQLite; see migration 0002).
    """

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="holdings")
    holder = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="role_holdings")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Exclusive; empty while it lasts.")

    class Meta:
        ordering = ["role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="roleholding_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = self.ends_on.isoformat() if self.ends_on else "…"
        return f"{self.role}: {self.holder} {self.starts_on.isoformat()}–{end}"

    def overlapping(self) -> models.QuerySet[RoleHolding]:
        others = RoleHolding.objects.filter(role_id=self.role_id).exclude(pk=self.pk)
        if self.ends_on:
            others = others.filter(starts_on__lt=self.ends_on)
        return others.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=self.starts_on))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role_id and self.starts_on and self.overlapping().exists():
            raise ValidationError("This period overlaps another holder of the same role.")


class Ask(models.Model):
    """A demand addressed to one or more targets, with its status over time."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("ask status", "Open")
        PARTLY_MET = "partly_met", pgettext_lazy("ask status", "Partly met")
        MET = "met", pgettext_lazy("ask status", "Met")
        REJECTED = "rejected", pgettext_lazy("ask status", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("ask status", "Withdrawn")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="asks")
    slug = models.SlugField(max_length=80)
    text = LocalisedField()
    targets = models.ManyToManyField(Target, related_name="asks", blank=True)
    roles = models.ManyToManyField(Role, related_name="asks", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "slug"], name="ask_unique_slug_per_campaign"
            )
        ]

    def __str__(self) -> str:
        from burmese import truncate

        # An ask may exist only in Burmese: never cut it inside a syllable.
        return truncate(pick(self.text, "en"), 80) or self.slug

    def text_in(self, language: str) -> str:
        return pick(self.text, language)


class AskStatusChange(models.Model):
    """The dated history of an ask's status. Written only by campaigns.services.ask_set_status
    (and statements.ledger.ask_status_change, which cites one of our statements): every change
    has a date (`changed_on`, the API's `on`) and a source, a link (`source_url`) or a statement
    of ours (statements.AskStatusSource, reached as `statement_source`). The ask's current status
    is the entry with the latest date, ties broken by creation: a back-dated entry fills the
    history without overriding a newer status."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=16, choices=Ask.Status.choices)
    changed_on = models.DateField()
    note = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Newest last; the current status is the last of this order.
    HISTORY_ORDER = ("changed_on", "created_at", "id")

    class Meta:
        ordering = ["ask", "changed_on", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ask}: {self.status} on {self.changed_on.isoformat()}"

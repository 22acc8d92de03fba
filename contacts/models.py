"""Media contacts, media lists and the suppression list.

Contacts are sensitive personal data: journalists who cover Myanmar can be targeted for it.
Nothing here logs addresses; erasure keeps only a keyed hash in the suppression list.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


def address_hash(email: str) -> str:
    """Keyed hash of a normalised address: lets us refuse an address without storing it."""
    key = settings.SUPPRESSION_KEY.encode("utf-8")
    return hmac.new(key, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


class MediaList(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Only lists marked so may receive a release while it is still under embargo.
    embargo_trusted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        ERASED = "erased", "Erased"

    class ConsentBasis(models.TextChoices):
        CONSENT = "consent", "Consent"
        LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest"
        CONTRACT = "contract", "Contract"

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    beat = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2.")
    # Preferred languages, first is preferred: ["en"], ["my"], ["my", "en"].
    languages = models.JSONField(default=list)
    embargo_trusted = models.BooleanField(default=False)
    # Plain text only: no HTML part, for journalists whose mail is read on monitored devices.
    plain_text_only = models.BooleanField(default=False)
    consent_basis = models.CharField(max_length=24, choices=ConsentBasis.choices, blank=True)
    consent_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    lists = models.ManyToManyField(MediaList, through="Membership", related_name="contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="contact_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name or f"contact #{self.pk}"

    @property
    def wants_both(self) -> bool:
        return len(self.languages) > 1


class Membership(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    media_list = models.ForeignKey(MediaList, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "media_list"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.media_list_id}"


class Suppression(models.Model):
    """An address we must never write to again; outlives the contact's erasure."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Complaint"
        ERASED = "erased", "Erased on request"
        MANUAL = "manual", "Added by staff"

    address_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}… ({self.reason})"

    @classmethod
    def covers(cls, email: str) -> bool:
        return cls.objects.filter(address_hash=address_hash(email)).exists()


class Segment(models.Model):
    """A saved filter over the contacts (contacts/segments.py applies it): a send audience
    beside the media lists, and a way to export. Empty fields do not filter."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2.")
    beat = models.CharField(max_length=200, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    # One configured language code: contacts who read it (first choice or not).
    language = models.CharField(max_length=8, blank=True)
    # Contacts on any of these lists; none chosen: every list and none.
    lists = models.ManyToManyField(MediaList, blank=True, related_name="segments")
    # None: anyone; True: only contacts trusted with embargoed material; False: only the others.
    embargo_trusted = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name


class DataAccessEvent(models.Model):
    """The audit log of exports: who took which contacts' data out, when, and how many rows.
    Written before the first row leaves (contacts/export.py), so an export that fails half-way
    is still on record. It holds a contact's id, never an address."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts export"
        SUBJECT = "subject", "Data-subject export"

    class Via(models.TextChoices):
        CONSOLE = "console", "Console"
        DESK = "desk", "Desk"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=8)  # csv | json
    via = models.CharField(max_length=8, choices=Via.choices)
    # Null with via=console: the person at the server's console is not a desk user.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account goes: "console" or the username at the time.
    actor_name = models.CharField(max_length=150)
    # What was exported, in words ("list press; country MM"), and the same as data.
    scope = models.CharField(max_length=500, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="data_access"
    )
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} export {self.pk} ({self.row_count} rows)"

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

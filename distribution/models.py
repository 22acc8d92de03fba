"""A distribution (one send of a statement to media lists) and its per-recipient deliveries.

The database is the truth about who still needs a message: Celery tasks only say "look again".
Rules live in distribution/services.py, sending in distribution/sending.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.models import Contact, MediaList, Segment
from statements.models import Statement


class Distribution(models.Model):
    class Kind(models.TextChoices):
        RELEASE = "release", "Release"
        CORRECTION = "correction", "Correction"
        RETRACTION = "retraction", "Retraction"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATES = (State.QUEUED, State.SENDING)
    # States a send can still leave from: a retraction stops all of them.
    UNFINISHED_STATES = (State.QUEUED, State.SENDING, State.PAUSED)

    class CancelReason(models.TextChoices):
        CANCELLED = "cancelled", "Cancelled by staff"
        RETRACTED = "retracted", "Statement retracted"

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="distributions")
    media_lists = models.ManyToManyField(MediaList, blank=True, related_name="distributions")
    # Saved filters (contacts/segments.py) as an audience beside the lists; the contacts they
    # selected are frozen into the deliveries when the send is created.
    segments = models.ManyToManyField(Segment, blank=True, related_name="distributions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RELEASE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    send_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # A send whose time passed while nothing ran waits for a person: sending a release late
    # can break an embargo agreement with journalists.
    needs_confirmation = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why a cancelled send stopped; its pending deliveries are skipped with this reason.
    cancel_reason = models.CharField(max_length=16, choices=CancelReason.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Each language variant rendered once: {"en": {"subject", "text", "html"}, "en+my": ...}.
    rendered = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "send_at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.statement_id} ({self.state})"

    @classmethod
    def stop_reason_sql(cls, distribution_id_param: str) -> str:
        """SQL for one value: '' while distribution N may keep sending; otherwise why not:
        'paused', 'cancelled' or 'retracted' (its statement was retracted, even if the
        receiver has not cancelled the send yet). NULL if the distribution is gone.
        Cheap enough for a worker to ask before every message (two primary-key lookups)."""
        return f"""(SELECT CASE
                     WHEN s.state = '{Statement.State.RETRACTED}'
                      AND d.kind <> '{cls.Kind.RETRACTION}' THEN '{cls.CancelReason.RETRACTED}'
                     WHEN d.state = '{cls.State.SENDING}' THEN ''
                     WHEN d.state = '{cls.State.CANCELLED}'
                      THEN COALESCE(NULLIF(d.cancel_reason, ''), '{cls.CancelReason.CANCELLED}')
                     ELSE 'paused'
                   END
              FROM {cls._meta.db_table} d
              JOIN {Statement._meta.db_table} s ON s.id = d.statement_id
             WHERE d.id = {distribution_id_param})"""  # noqa: S608 (constants and a placeholder)


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped"

    # No index of its own: one_delivery_per_contact starts with it. Every index is written
    # again when a delivery is marked sent, the hottest write of a send.
    distribution = models.ForeignKey(
        Distribution, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # SET_NULL: erasing a contact must not erase the record that a release went out.
    contact = models.ForeignKey(
        Contact, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # Snapshots at send time: later edits to the contact do not change what was sent.
    address = models.EmailField(max_length=254)
    languages = models.JSONField(default=list)
    variant = models.CharField(max_length=40)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)  # indexed below, exact match
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "contact"], name="one_delivery_per_contact"
            ),
            models.CheckConstraint(
                condition=~Q(state="skipped") | ~Q(skip_reason=""),
                name="delivery_skipped_has_reason",
            ),
        ]
        # Partial indexes: a claim walks only the pending rows of one distribution in id order
        # (LIMIT 50 stops early), the tick only the leased ones; and marking a delivery sent
        # adds nothing to either.
        indexes = [
            models.Index(
                fields=["distribution", "id"],
                condition=Q(state="pending"),
                name="delivery_pending_claim",
            ),
            models.Index(
                fields=["lease_expires_at"], condition=Q(state="sending"), name="delivery_leased"
            ),
            # Bounces and webhooks find a delivery by its Message-ID, never by a prefix: no
            # second (LIKE) index as db_index=True would make.
            models.Index(fields=["message_id"], name="delivery_message_id"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.distribution_id} ({self.state})"

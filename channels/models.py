"""Telegram posts and mirror pushes: outbox rows, claimed by tasks with a lease.

A TelegramPost is one channel's copy of one version of a release ("published",
"correction-2", "retracted"): the unique constraint makes a replayed signal or a second worker
harmless. Telegram has no idempotency key, so a post is sent at most once: a row whose worker
died after asking Telegram (request_started_at set, lease expired) becomes "uncertain" and
waits for a person, who looks at the channel and says "it was posted" or "post again".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from statements.models import Statement


class TelegramPost(models.Model):
    class Kind(models.TextChoices):
        RELEASE = "release", _("Release")
        CORRECTION = "correction", _("Correction")
        RETRACTION = "retraction", _("Retraction")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Posted")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Not known if posted")
        CANCELLED = "cancelled", _("Not posted")

    OPEN_STATES = (State.PENDING, State.SENDING)

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="telegram_posts"
    )
    channel = models.CharField(max_length=100)
    language = models.CharField(max_length=8)
    version = models.CharField(max_length=40)  # "published", "correction-N", "retracted"
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The claim: who holds the row (a token only its worker knows) and until when.
    claim = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Set just before a request leaves, cleared when its answer is recorded: a lease that
    # expires with it set means nobody knows whether Telegram posted.
    request_started_at = models.DateTimeField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    document_message_id = models.BigIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "channel", "version"], name="one_post_per_channel_version"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="pending"), name="telegram_due"
            ),
            models.Index(
                fields=["lease_expires_at"], condition=Q(state="sending"), name="telegram_leased"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.statement_id} {self.version} ({self.state})"


class MirrorPush(models.Model):
    """One push of the static export to one mirror target. Requests while a row is pending
    join it (one pending row per target), so a burst of publications makes one rebuild."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Pushing")
        OK = "ok", _("Done")
        ERROR = "error", _("Failed")

    target = models.CharField(max_length=500)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    requests = models.PositiveIntegerField(default=1)  # changes this push covers
    requested_at = models.DateTimeField()  # the first change it covers
    claim = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the export's snapshot time
    finished_at = models.DateTimeField(null=True, blank=True)
    files = models.PositiveIntegerField(default=0)
    uploaded = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=Q(state="pending"), name="one_pending_push_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"push to {self.target} ({self.state})"

"""Staff notifications: one row per recipient and event, shown in the desk inbox and emailed.

The row is also the email's outbox entry: it is written in the same transaction as the event
(desk/notifications.py), claimed by a task with a lease, and marked emailed only after the
SMTP server accepted it, so a lost task or a dead worker loses nothing and a row is emailed
once (a duplicate only for a message in flight at a crash).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.models import Distribution
from statements.models import Statement


class Notification(models.Model):
    class Kind(models.TextChoices):
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved and ready to publish")
        PUBLICATION_OVERDUE = "publication_overdue", _("Scheduled publication overdue")
        SEND_FINISHED = "send_finished", _("Send finished")
        SEND_FAILED = "send_failed", _("Send failed")
        EMBARGO_LIFTED = "embargo_lifted", _("Embargo lifted")

    class Email(models.TextChoices):
        NONE = "none", _("Not emailed")  # turned off, or no address
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    distribution = models.ForeignKey(
        Distribution, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the event said: a reviewer's comment, an overdue publication's error, send counts.
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # False when the recipient turned this kind off for the inbox but not for email.
    in_inbox = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email outbox.
    email_state = models.CharField(max_length=8, choices=Email.choices, default=Email.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker's lease, and after a temporary failure the earliest next attempt.
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "in_inbox", "read_at"]),
            models.Index(fields=["email_state", "email_claimed_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreferences(models.Model):
    """A person's choices, per channel: {kind: on?} for the kinds they changed; any other kind
    follows the default (desk/notifications.py DEFAULTS). No row: every default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    inbox = models.JSONField(default=dict, blank=True)
    email = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"

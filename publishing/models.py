"""Signatures of what the public site serves (publishing/signing.py makes them).

Only public keys and signatures are kept here: the private key lives in the environment or a
file (settings.SIGNING_KEY / SIGNING_KEY_FILE), never in the database.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class SigningKey(models.Model):
    """A public key the site has signed with; kept after rotation so old signatures verify."""

    key_id = models.CharField(max_length=32, unique=True)
    public_key = models.CharField(max_length=64, help_text="Raw Ed25519 public key, base64.")
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "key_id"]

    def __str__(self) -> str:
        return self.key_id


class ReleaseSignature(models.Model):
    """One signed version of a release in one language: its canonical text (kind "text", the
    exact bytes served at /<lang>/releases/<slug>.txt) or a PDF made of that version."""

    class Kind(models.TextChoices):
        TEXT = "text", "Canonical text"
        PDF = "pdf", "PDF"

    statement = models.ForeignKey(
        "statements.Statement", on_delete=models.CASCADE, related_name="signatures"
    )
    language = models.CharField(max_length=8)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    # 1 at publication, +1 for each later change of the public text (a correction, a
    # retraction notice); a PDF carries the version of the text it was made from.
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16)  # published | corrected | retracted
    key_id = models.CharField(max_length=32)
    # The public half of the key that signed (so the key stays published whatever happens to
    # the key settings later).
    public_key = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=128, help_text="Ed25519 signature, base64.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the signed bytes.")
    canonical_text = models.TextField(blank=True, help_text="The signed text (kind text).")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["statement", "language", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language", "version"],
                condition=Q(kind="text"),
                name="signature_one_text_per_version",
            ),
            models.UniqueConstraint(
                fields=["statement", "language", "content_hash"],
                condition=Q(kind="pdf"),
                name="signature_one_row_per_pdf",
            ),
        ]
        indexes = [models.Index(fields=["content_hash"])]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.language} {self.kind} v{self.version}"


class PublicVersion(models.Model):
    """One row: the version of everything public that pages, feeds and the public API are
    cached under (publishing/cache.py). `token` is new after any write that may change what a
    reader gets, in that write's transaction; `next_change` is when the public set next changes
    with no write at all (a publication time or embargo end reached), NULL when not yet worked
    out. publishing/visibility.py reads and moves it (`public_version`)."""

    token = models.CharField(max_length=32)
    next_change = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.token

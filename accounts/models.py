"""API tokens, hashed at rest (django-rest-knox keeps only a digest and a short lookup prefix)."""

from __future__ import annotations

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A staff member's API token: named, expiring, revocable (deleted) and rotatable."""

    name = models.CharField(max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user} · {self.name or 'API token'}"

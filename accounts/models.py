"""API tokens, hashed at rest (django-rest-knox keeps only a digest and a short lookup prefix)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from config.languages import validate_language


class ApiToken(AbstractAuthToken):
    """A staff member's API token: named, expiring, revocable (deleted) and rotatable."""

    name = models.CharField(max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user} · {self.name or 'API token'}"


class InterfacePreference(models.Model):
    """The language a staff member reads the desk in (any configured language)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interface_preference"
    )
    language = models.CharField(max_length=8, validators=[validate_language])

    class Meta:
        verbose_name = _("interface language")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"

"""API tokens in the admin: see who holds which, revoke (delete) any; never make one here (the
plaintext would land in the admin's messages and history)."""

from __future__ import annotations

from django.contrib import admin

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created", "expiry", "last_used_at")
    list_filter = ("user",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "created", "expiry", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

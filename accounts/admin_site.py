"""The Django admin behind the desk login, and behind the one access policy (accounts/policy.py):
admins only, with a verified second factor where one is required."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class PressroomAdminSite(admin.AdminSite):
    site_header = "Pressroom administration"

    def has_permission(self, request) -> bool:
        from accounts.policy import can

        return request.user.is_active and can(request.user, "admin.use")

    def login(self, request, extra_context=None):
        # One login page for staff, with the second factor; never a weaker one here.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('desk-login')}?{urlencode({'next': next_url})}")


class PressroomAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PressroomAdminSite"

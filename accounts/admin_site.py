"""The Django admin behind the desk login, and behind the one access policy (accounts/policy.py):
admins only, with a verified second factor where one is required.

A logged-in member of staff without the admin role is told so (the policy's refusal, who they are
logged in as, a link to the desk), never sent round to a login form again.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache

# The roles as people read them (accounts/roles.py holds the codes).
ROLE_NAMES = {
    "author": gettext_lazy("author"),
    "editor": gettext_lazy("editor"),
    "publisher": gettext_lazy("publisher"),
    "admin": gettext_lazy("admin"),
}


class PressroomAdminSite(admin.AdminSite):
    site_header = "Pressroom administration"

    def has_permission(self, request) -> bool:
        from accounts.policy import can

        return request.user.is_active and can(request.user, "admin.use")

    def _refused(self, request) -> bool:
        """Logged in, and no login could let this person in: the role lacks the admin right.
        (An admin who has not yet given a second factor is sent to log in with it instead.)"""
        from accounts.policy import CAPABILITIES, role_of

        user = request.user
        if not user.is_authenticated or self.has_permission(request):
            return False
        return role_of(user) not in CAPABILITIES["admin.use"].roles

    def refusal_page(self, request):
        from accounts.policy import refusal, role_of

        role = role_of(request.user)
        context = {
            **self.each_context(request),
            # Nothing of the admin's contents for someone it refuses: no app list, no sidebar.
            "available_apps": [],
            "is_nav_sidebar_enabled": False,
            "title": gettext("You cannot use the Django admin"),
            "reason": gettext(reason) if (reason := refusal(request.user, "admin.use")) else "",
            "username": request.user.get_username(),
            "role_name": ROLE_NAMES.get(role, gettext("no staff role")),
            "desk_url": reverse("desk"),
        }
        return TemplateResponse(request, "admin/refused.html", context, status=403)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if self._refused(request):
                return self.refusal_page(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(never_cache(inner), view)

    def login(self, request, extra_context=None):
        if self._refused(request):
            return self.refusal_page(request)
        # One login page for staff, with the second factor; never a weaker one here.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('desk-login')}?{urlencode({'next': next_url})}")


class PressroomAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PressroomAdminSite"

"""Cache-Control: no-store on every staff response, whoever the view is.

Desk and admin pages and the staff API show unpublished and embargoed text and journalists'
addresses: no browser or shared cache may keep them. One middleware, so a new staff view cannot
forget it: /desk/ and /admin/ by path, API views by their permission class (the public API keeps
its own caching headers).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

STAFF_PREFIXES = ("/desk/", "/admin/")


class StaffNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(STAFF_PREFIXES) or getattr(request, "staff_view", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts.policy import StaffApiPermission

        view_class = getattr(view_func, "cls", None)
        permissions = getattr(view_class, "permission_classes", ()) or ()
        if any(isinstance(p, type) and issubclass(p, StaffApiPermission) for p in permissions):
            request.staff_view = True
        return None


DESK_PREFIX = "/desk/"


class DeskLanguageMiddleware:
    """The desk speaks each staff member's chosen language (accounts.InterfacePreference);
    without a choice, the one LocaleMiddleware took from the browser. The public site keeps
    its /en/ and /my/ prefixes: only /desk/ paths are touched. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(DESK_PREFIX):
            language = chosen_language(request.user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


def chosen_language(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    from accounts.models import InterfacePreference
    from config.languages import language_codes

    language = (
        InterfacePreference.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return language if language in language_codes() else None

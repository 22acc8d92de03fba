"""The desk's language chooser: each staff member reads the desk in English or Burmese."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import InterfacePreference
from accounts.policy import desk_view
from config.languages import language_codes


@desk_view
@require_POST
def choose_language(request):
    language = request.POST.get("language", "")
    back = request.POST.get("next") or ""
    if not (
        back.startswith("/desk/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = "/desk/"
    if language not in language_codes():
        messages.error(request, _("Choose one of the languages listed."))
        return redirect(back)
    InterfacePreference.objects.update_or_create(user=request.user, defaults={"language": language})
    translation.activate(language)
    return redirect(back)

"""The desk's organisation settings: name per language, logo, address, website and default
boilerplate, as printed on PDFs and emails. Admins only (accounts/policy.py); the form and the
save are statements/organisation.py's, shared with the admin."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.policy import desk_view
from config.errors import RuleBroken
from statements.organisation import (
    OrganisationForm,
    current_organisation,
    logo_data_uri,
    organisation_update,
)


@desk_view(capability="organisation.change")
def organisation_settings(request) -> HttpResponse:
    organisation = current_organisation()
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, instance=organisation)
        try:
            valid = form.is_valid()
        except RuleBroken as err:  # never a 500 for odd input
            form.add_error(None, err.message)
            valid = False
        if valid:
            organisation_update(form=form)
            for notice in form.burmese_notices:
                messages.warning(
                    request,
                    _("%(field)s: converted from Zawgyi to Unicode. Check the result: %(text)s")
                    % {"field": notice["field"], "text": notice["text"]},
                )
            messages.success(request, _("Organisation settings saved."))
            return redirect("desk-organisation")
        status = 400
    else:
        form = OrganisationForm(instance=organisation)
        status = 200
    return render(
        request,
        "desk/organisation.html",
        {"form": form, "organisation": organisation, "logo_uri": logo_data_uri(organisation)},
        status=status,
    )

"""The organisation that publishes: one selector for every reader (PDF letterhead, emails,
desk), cached for the length of one request, and the one form that changes it (desk and admin).

The cache lives only inside a request: a Celery worker or a command reads the row each time,
so an edit made in the desk is seen by the next message or PDF made anywhere.
"""

from __future__ import annotations

import base64
import logging
import os

from asgiref.local import Local
from django import forms
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from burmese.forms import BurmeseAdminForm
from config.languages import language_codes, pick
from statements.models import LOGO_MAX_BYTES, Boilerplate, Organisation

log = logging.getLogger(__name__)

DEFAULT_NAME = {"en": "Pressroom"}
_request = Local()


def current_organisation() -> Organisation:
    """The organisation row (with its default boilerplate); an unsaved stand-in if the row is
    missing, so a letterhead never fails a page, a PDF or a send."""
    cached = getattr(_request, "organisation", None)
    if cached is not None:
        return cached
    organisation = (
        Organisation.objects.select_related("default_boilerplate")
        .filter(pk=Organisation.SINGLETON_PK)
        .first()
    ) or Organisation(pk=Organisation.SINGLETON_PK, name=dict(DEFAULT_NAME))
    if getattr(_request, "active", False):
        _request.organisation = organisation
    return organisation


def _request_started(**_kwargs) -> None:
    _request.active = True
    _request.organisation = None


def _request_finished(**_kwargs) -> None:
    _request.active = False
    _request.organisation = None


def _forget(**_kwargs) -> None:
    _request.organisation = None


request_started.connect(_request_started, dispatch_uid="organisation-request-started")
request_finished.connect(_request_finished, dispatch_uid="organisation-request-finished")
post_save.connect(_forget, sender=Organisation, dispatch_uid="organisation-saved")
post_save.connect(_forget, sender=Boilerplate, dispatch_uid="organisation-boilerplate-saved")
post_delete.connect(_forget, sender=Boilerplate, dispatch_uid="organisation-boilerplate-gone")


def letterhead(language: str) -> dict:
    """What a letterhead shows in `language`: plain data, so it can be part of a PDF's hash."""
    organisation = current_organisation()
    names = organisation.name or {}
    return {
        "name": organisation.name_in(language),
        # The language the name is shown in (another when it has none in this one).
        "name_language": next(
            (code for code in (language, "en", *names) if names.get(code)), language
        ),
        "address": organisation.address_in(language),
        "website": organisation.website,
        # A new upload gets a new name (the storage never overwrites), so the name stands
        # for the picture in a PDF's hash.
        "logo": organisation.logo.name if organisation.logo else "",
    }


def logo_path(organisation: Organisation | None = None) -> str:
    """The logo's file path in MEDIA_ROOT, or '' when there is none (or its file is gone)."""
    organisation = organisation or current_organisation()
    if not organisation.logo:
        return ""
    try:
        path = organisation.logo.path
    except (ValueError, NotImplementedError):
        return ""
    return path if os.path.exists(path) else ""


def logo_data_uri(organisation: Organisation | None = None) -> str:
    """The logo inline (data: URI, which the CSP allows) for the desk's preview: MEDIA is not
    served by the app, and the logo is at most LOGO_MAX_BYTES."""
    path = logo_path(organisation)
    if not path:
        return ""
    with open(path, "rb") as handle:
        data = handle.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        return ""
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def default_media_contact(language: str) -> str:
    boilerplate = current_organisation().default_boilerplate
    return pick(boilerplate.media_contact, language) if boilerplate else ""


# --- The form: desk and admin ---------------------------------------------------------------


class _OrganisationFormBase(BurmeseAdminForm):
    """Name and address per configured language (name_<code>, address_<code>), the logo
    (checked by statements.models.validate_logo), website and default boilerplate."""

    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = ["logo", "website", "default_boilerplate"]
        labels = {
            "logo": _("Logo"),
            "website": _("Website"),
            "default_boilerplate": _("Default About us and media contact"),
        }
        help_texts = {
            "logo": _("Optional. A PNG or JPEG image, at most 1 MB and 4000 pixels a side."),
            "default_boilerplate": _("Used for releases that do not choose their own."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for code in language_codes():
            language = gettext(names.get(code, code))
            name, address = self.fields[f"name_{code}"], self.fields[f"address_{code}"]
            name.label = gettext("Name in %(language)s") % {"language": language}
            address.label = gettext("Address in %(language)s") % {"language": language}
            for field in (name, address):
                field.widget.attrs["lang"] = code  # Burmese gets the Myanmar font
            name.initial = (self.instance.name or {}).get(code, "")
            address.initial = (self.instance.address or {}).get(code, "")
        self.fields["default_boilerplate"].queryset = Boilerplate.objects.order_by("slug")

    def _post_clean(self):
        # The localised fields are set before the model validates them.
        for field in ("name", "address"):
            values = {
                code: self.cleaned_data.get(f"{field}_{code}", "").strip()
                for code in language_codes()
                if f"{field}_{code}" in self.cleaned_data
            }
            setattr(self.instance, field, {code: text for code, text in values.items() if text})
        super()._post_clean()


def _language_fields() -> dict[str, forms.Field]:
    """Labels are set per request in __init__ (in the reader's language)."""
    fields: dict[str, forms.Field] = {}
    for code in language_codes():
        fields[f"name_{code}"] = forms.CharField(
            max_length=200, required=code == settings.LANGUAGE_CODE
        )
        fields[f"address_{code}"] = forms.CharField(
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    return fields


OrganisationForm = type(
    "OrganisationForm",
    (_OrganisationFormBase,),
    {
        **_language_fields(),
        "burmese_text": tuple(f"{f}_{c}" for c in language_codes() for f in ("name", "address")),
        "field_order": [
            *(f"name_{c}" for c in language_codes()),
            *(f"address_{c}" for c in language_codes()),
            "logo",
            "website",
            "default_boilerplate",
            "confirm_encoding",
        ],
        "__module__": __name__,
    },
)


def organisation_update(*, form: forms.ModelForm) -> Organisation:
    """Save a valid OrganisationForm; the old logo file goes once the new row is committed."""
    old_logo = (
        Organisation.objects.filter(pk=Organisation.SINGLETON_PK)
        .values_list("logo", flat=True)
        .first()
    )
    with transaction.atomic():
        organisation = form.save()
    if old_logo and old_logo != organisation.logo.name:
        try:
            organisation.logo.storage.delete(old_logo)
        except OSError:
            log.warning("old logo file not removed: %s", old_logo)
    _forget()
    return organisation

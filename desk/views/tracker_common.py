"""What the campaign tracker's desk pages share: text per language as one field per configured
language, refusals by capability for a page's writes, and how a service's refusal or Zawgyi
notice is shown. The rules themselves are campaigns/services.py's and statements/ledger.py's;
who may write is accounts/policy.py's."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import refusal
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes, language_name


def localised_fields(
    form: forms.Form,
    name: str,
    label,
    *,
    initial: dict | None = None,
    required: bool = False,
    textarea: bool = False,
    max_length: int = 2000,
) -> None:
    """Add `<name>_<code>` per configured language, labelled "Name (Burmese)"; the Burmese
    field is tagged lang="my" so the Myanmar font applies while typing."""
    initial = initial or {}
    for code in language_codes():
        attrs = {"lang": code}
        widget = forms.Textarea(attrs={**attrs, "rows": 3}) if textarea else forms.TextInput(attrs)
        form.fields[f"{name}_{code}"] = forms.CharField(
            label=_("%(field)s (%(language)s)") % {"field": label, "language": language_name(code)},
            required=False,
            max_length=max_length,
            initial=initial.get(code, ""),
            widget=widget,
        )
    form.localised_required = {**getattr(form, "localised_required", {}), name: required}


def localised_value(data: dict, name: str) -> dict[str, str]:
    """The {language: text} of `<name>_<code>` fields, blanks dropped."""
    values = {code: (data.get(f"{name}_{code}") or "").strip() for code in language_codes()}
    return {code: text for code, text in values.items() if text}


class ConfirmEncodingField(forms.BooleanField):
    """Shown after a Zawgyi refusal: the writer confirms their Burmese is right as typed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "label",
            gettext_lazy("My Burmese text is right as typed (it is Unicode, not Zawgyi)"),
        )
        super().__init__(**kwargs)


def apply_refusal(form: forms.Form, err: RuleBroken | NotAllowed) -> None:
    """Show a service's refusal on the form (a Zawgyi doubt also offers the confirmation)."""
    form.add_error(None, err.message)
    if getattr(err, "extra", {}).get("encoding"):
        form.offer_confirm_encoding = True


def announce_notices(request, notices: list[dict]) -> None:
    for notice in notices:
        messages.warning(
            request,
            _("%(field)s: converted from Zawgyi to Unicode. Check the result: %(text)s")
            % {"field": notice["field"], "text": notice["text"]},
        )


def save_form(request, form: forms.Form, success: str, **save_kwargs):
    """Validate and save through the form's service call. The saved object, with the Zawgyi
    conversions announced and `success` shown; None, with the refusal on the form, if the
    form or the service refused it."""
    if not form.is_valid():
        return None
    try:
        saved, notices = form.save(**save_kwargs)
    except RuleBroken as err:
        apply_refusal(form, err)
        return None
    announce_notices(request, notices)
    messages.success(request, success)
    return saved


def refused(request, capability: str) -> HttpResponse | None:
    """The 403 page when the user lacks `capability` (asked of accounts/policy.py), else None."""
    reason = refusal(request.user, capability)
    if reason is None:
        return None
    return render(request, "desk/not_allowed.html", {"message": _(reason)}, status=403)


def parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None

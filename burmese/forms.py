"""Admin forms that clean Burmese like every other way text enters (burmese/text.py).

The admin edits reference data directly (campaigns, targets, roles, asks, boilerplate,
contacts), so its forms run the same Zawgyi check, conversion and normalisation as the desk
and the API: converted text is saved as Unicode and the admin is told so; uncertain text is
refused with a message naming Zawgyi unless "keep as typed" is ticked.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages

from burmese.text import clean_localised, clean_text
from config.errors import RuleBroken


class BurmeseAdminForm(forms.ModelForm):
    """Subclasses name their LocalisedField fields and their plain text fields."""

    burmese_localised: tuple[str, ...] = ()
    burmese_text: tuple[str, ...] = ()

    confirm_encoding = forms.BooleanField(
        required=False,
        label="Keep Burmese text the Zawgyi check is unsure of, as typed",
        help_text="Tick only after checking that the text reads correctly in a Unicode font.",
    )

    def clean(self):
        cleaned = super().clean()
        confirm = bool(cleaned.get("confirm_encoding"))
        self.burmese_notices: list[dict] = []
        for name in (*self.burmese_localised, *self.burmese_text):
            value = cleaned.get(name)
            if name not in cleaned or value is None:
                continue
            try:
                if name in self.burmese_localised:
                    if not isinstance(value, dict):
                        continue  # the field's own validator refuses it
                    value, notices = clean_localised(value, field=name, confirm=confirm)
                else:
                    value, notice = clean_text(str(value), field=name, confirm=confirm)
                    notices = [notice] if notice else []
            except RuleBroken as err:
                self.add_error(name, err.message)
                continue
            cleaned[name] = value
            self.burmese_notices += notices
        return cleaned


class BurmeseNoticesAdminMixin:
    """Tells the admin which fields were converted from Zawgyi, showing the result."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for notice in getattr(form, "burmese_notices", []):
            messages.warning(
                request,
                f"{notice['field']}: converted from Zawgyi to Unicode. "
                f"Check the result: {notice['text']}",
            )

"""Forms of the staff desk. They shape input only; the workflow service decides the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings

from burmese.text import sorted_by_text
from campaigns.models import Campaign
from statements.models import Statement

QUOTE_SEPARATOR = "----"


def quotes_to_text(quotes: list[dict]) -> str:
    return f"\n{QUOTE_SEPARATOR}\n".join(
        f"{q.get('speaker', '')}\n{q.get('text', '')}" for q in quotes or []
    )


def text_to_quotes(text: str) -> list[dict]:
    """First line of each block is the speaker, the rest the quote."""
    quotes = []
    for block in text.replace("\r\n", "\n").split(f"\n{QUOTE_SEPARATOR}\n"):
        block = block.strip()
        if block:
            speaker, _, body = block.partition("\n")
            quotes.append({"speaker": speaker.strip(), "text": body.strip()})
    return quotes


class TranslationFields:
    """Per-language fields named <lang>-title, <lang>-summary, ... added to a form."""

    FIELDS = ("title", "summary", "body", "quotes", "more_information")

    @staticmethod
    def add(form: forms.Form, language: str, entry: dict | None) -> None:
        entry = entry or {}
        attrs = {"lang": language, "dir": "ltr", "class": f"text-{language}"}
        form.fields[f"{language}-title"] = forms.CharField(
            label="Title",
            required=False,
            max_length=300,
            initial=entry.get("title", ""),
            widget=forms.TextInput(attrs=attrs),
        )
        form.fields[f"{language}-summary"] = forms.CharField(
            label="Summary",
            required=False,
            initial=entry.get("summary", ""),
            widget=forms.Textarea(attrs=attrs | {"rows": 3}),
        )
        form.fields[f"{language}-body"] = forms.CharField(
            label="Body (Markdown)",
            required=False,
            initial=entry.get("body", ""),
            widget=forms.Textarea(attrs=attrs | {"rows": 14}),
        )
        form.fields[f"{language}-quotes"] = forms.CharField(
            label=f"Quotes (speaker on the first line; blocks separated by {QUOTE_SEPARATOR})",
            required=False,
            initial=quotes_to_text(entry.get("quotes", [])),
            widget=forms.Textarea(attrs=attrs | {"rows": 5}),
        )
        form.fields[f"{language}-more_information"] = forms.CharField(
            label="More information (Markdown links)",
            required=False,
            initial=entry.get("more_information", ""),
            widget=forms.Textarea(attrs=attrs | {"rows": 3}),
        )
        form.fields[f"{language}-complete"] = forms.BooleanField(
            label="Translation complete",
            required=False,
            initial=entry.get("marked_complete", True) if entry else True,
        )

        form.fields[f"{language}-current"] = forms.BooleanField(
            label="Checked against the current source text", required=False
        )

    @staticmethod
    def collect(cleaned: dict, language: str, *, only_if_given: bool) -> dict | None:
        values = {name: cleaned.get(f"{language}-{name}", "") for name in TranslationFields.FIELDS}
        if only_if_given and not any(values.values()):
            return None
        values["quotes"] = text_to_quotes(values["quotes"])
        values["complete"] = bool(cleaned.get(f"{language}-complete"))
        values["current"] = bool(cleaned.get(f"{language}-current"))
        return values


class MinuteDateTimeField(forms.DateTimeField):
    """A datetime-local input keeps minutes: an unchanged embargo with seconds in the
    database (set through the API) must not count as a change when the text is saved."""

    def has_changed(self, initial, data) -> bool:
        try:
            data = self.to_python(data)
            initial = self.to_python(initial) if isinstance(initial, str) else initial
        except forms.ValidationError:
            return True

        def minute(value):
            return value.replace(second=0, microsecond=0) if value else None

        return minute(initial) != minute(data)


class StatementForm(forms.Form):
    embargo_until = MinuteDateTimeField(
        required=False,
        label="Embargo until (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Stays invisible to the public until then, even once published.",
    )
    confirm_encoding = forms.BooleanField(
        required=False, label="Keep Burmese text the Zawgyi check is unsure of, as typed"
    )

    def __init__(
        self,
        *args,
        content: dict | None = None,
        creating: bool = False,
        embargo_locked: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if embargo_locked:
            self.fields["embargo_until"].disabled = True
            self.fields[
                "embargo_until"
            ].help_text = "Published: only a publisher changes the embargo, with “Change embargo”."
        if creating:
            self.fields["campaign"] = forms.ModelChoiceField(
                Campaign.objects.filter(status="active"), to_field_name="slug"
            )
            # Shown by name, so sorted by name in Burmese dictionary order (Burmese names
            # sort by syllable, Latin ones case-insensitively), not by slug.
            self.fields["campaign"].choices = [("", "---------")] + [
                (c.slug, str(c)) for c in sorted_by_text(self.fields["campaign"].queryset, text=str)
            ]
            self.fields["slug"] = forms.CharField(
                required=False, help_text="ASCII; made from the English title when empty."
            )
            self.fields["kind"] = forms.ChoiceField(choices=Statement.Kind.choices)
        self.languages = [code for code, _ in settings.LANGUAGES]
        for language in self.languages:
            TranslationFields.add(self, language, (content or {}).get(language))

    def embargo_changed(self) -> bool:
        return "embargo_until" in self.changed_data

    def translations(self, *, only_given: bool) -> dict:
        out = {}
        for language in self.languages:
            values = TranslationFields.collect(
                self.cleaned_data, language, only_if_given=only_given
            )
            if values is not None:
                out[language] = values
        return out

    def language_fields(self):
        names = (*TranslationFields.FIELDS, "complete", "current")
        return [(code, [self[f"{code}-{n}"] for n in names]) for code in self.languages]

"""Forms of the staff desk. They shape input only; the workflow service decides the rules
(statements/transitions.py field_editable says which fields a user may change now)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from burmese.text import sorted_by_text
from campaigns.models import Ask, Campaign, Role, RoleHolding, Target
from config.languages import language_choices, language_codes, language_name, pick
from statements import transitions
from statements.models import Boilerplate, Statement
from statements.organisation import current_organisation

TEXT_FIELDS = ("title", "summary", "body", "more_information")
FIELD_NAMES = {
    "title": _("title"),
    "summary": _("summary"),
    "body": _("body"),
    "quotes": _("quotes"),
    "more_information": _("more information"),
    "speaker": _("speaker"),
    "text": _("text"),
}
# "translations.my.title", "translations.my.quotes[1].speaker", "ask.my"
_WHERE = re.compile(
    r"\btranslations\.(?P<lang>[a-z]{2,8})\.(?P<field>\w+)(?:\[(?P<i>\d+)\]\.(?P<part>\w+))?"
    r"|\bask\.(?P<ask_lang>[a-z]{2,8})\b"
)


def _label_of(match: re.Match) -> str:
    if match["ask_lang"]:
        return gettext("%(language)s text of the new ask") % {
            "language": language_name(match["ask_lang"])
        }
    language, field = language_name(match["lang"]), str(FIELD_NAMES.get(match["field"], ""))
    if match["i"] is not None:
        return gettext("%(language)s quote %(n)s, %(part)s") % {
            "language": language,
            "n": int(match["i"]) + 1,
            "part": FIELD_NAMES.get(match["part"], match["part"]),
        }
    return f"{language} {field or match['field']}"


def humanise(message: str) -> str:
    """A service's message with every field path in it spelt as people say it."""
    return _WHERE.sub(_label_of, message)


def release_day(statement: Statement | None) -> datetime.date:
    """The date role holders are named for: publication, else schedule, else embargo, else
    today (what the release will most likely carry)."""
    moment = None
    if statement is not None:
        moment = statement.published_at or statement.scheduled_at or statement.embargo_until
    return (moment or timezone.now()).astimezone(datetime.UTC).date()


def _years(holding: RoleHolding) -> str:
    first = holding.starts_on.year
    if holding.ends_on is None:
        return gettext("since %(year)s") % {"year": first}
    last = (holding.ends_on - datetime.timedelta(days=1)).year
    return str(first) if last == first else f"{first}–{last}"


def holdings_on(day: datetime.date) -> list[RoleHolding]:
    return list(
        RoleHolding.objects.filter(starts_on__lte=day)
        .exclude(ends_on__lte=day)
        .select_related("role", "holder")
    )


class LabelledMultipleChoice(forms.ModelMultipleChoiceField):
    """Checkboxes whose labels come from a dict (slug -> label) made once for all options."""

    def __init__(self, *args, labels: dict | None = None, **kwargs):
        self.labels = labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.labels.get(obj.slug) or str(obj)


class AskCheckboxes(forms.CheckboxSelectMultiple):
    """Each ask's checkbox carries its campaign, so the new-statement page shows only the
    chosen campaign's asks (static/desk/editor.js)."""

    campaigns: dict = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-campaign"] = self.campaigns.get(str(value), "")
        return option


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


# Fields of the statement itself that statement_edit takes, in the order the form shows them.
STATEMENT_FIELDS = (
    "kind",
    "required_languages",
    "targets",
    "roles",
    "asks",
    "boilerplate",
)


class StatementForm(forms.Form):
    """The whole release: the statement's fields, a new ask to propose, and per language the
    text, structured quotes (repeated <lang>-quote-speaker / <lang>-quote-text inputs, added
    and removed by static/desk/editor.js) and "more information"."""

    embargo_until = MinuteDateTimeField(
        required=False,
        label=_("Embargo until (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Stays invisible to the public until then, even once published."),
    )
    confirm_encoding = forms.BooleanField(
        required=False, label=_("Keep Burmese text the Zawgyi check is unsure of, as typed")
    )
    # The revision the editor was opened on: a save on an older one is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data=None,
        *,
        statement: Statement | None = None,
        user=None,
        content: dict | None = None,
        creating: bool = False,
        embargo_locked: bool = False,
        initial: dict | None = None,
    ):
        initial = dict(initial or {})
        if statement is not None:
            initial.setdefault("kind", statement.kind)
            initial.setdefault("required_languages", list(statement.required_languages))
            initial.setdefault("targets", [t.slug for t in statement.targets.all()])
            initial.setdefault("roles", [r.slug for r in statement.roles.all()])
            initial.setdefault("asks", [a.slug for a in statement.asks.all()])
            initial.setdefault(
                "boilerplate", statement.boilerplate.slug if statement.boilerplate else ""
            )
        else:
            initial.setdefault("required_languages", language_codes())
            # What statement_create would take anyway: shown chosen, so nobody is surprised.
            default = current_organisation().default_boilerplate
            initial.setdefault("boilerplate", default.slug if default else "")
        super().__init__(data, initial=initial)
        self.statement, self.creating = statement, creating
        self.day = release_day(statement)
        self._add_statement_fields(user)
        if embargo_locked:
            self.fields["embargo_until"].disabled = True
            self.fields["embargo_until"].help_text = _(
                "Published: only a publisher changes the embargo, with “Change embargo”."
            )
        self.languages = language_codes()
        self.source_language = statement.source_language if statement else "en"
        required = set(statement.required_languages if statement else self.languages)
        content = content or {}
        self.quote_rows: dict[str, list[dict]] = {}
        for language in self.languages:
            self._add_language(language, content.get(language), language in required)

    # --- building ---------------------------------------------------------------------------

    def _add_statement_fields(self, user) -> None:
        statement = self.statement
        if self.creating:
            self.fields["campaign"] = forms.ModelChoiceField(
                Campaign.objects.filter(status="active"),
                to_field_name="slug",
                label=_("Campaign"),
            )
            # Shown by name, so sorted by name in Burmese dictionary order (Burmese names
            # sort by syllable, Latin ones case-insensitively), not by slug.
            self.fields["campaign"].choices = [("", "---------")] + [
                (c.slug, str(c)) for c in sorted_by_text(self.fields["campaign"].queryset, text=str)
            ]
            self.fields["slug"] = forms.CharField(
                required=False,
                label=_("Web address (slug)"),
                help_text=_("ASCII; made from the English title when empty."),
            )
        self.fields["kind"] = forms.ChoiceField(
            choices=Statement.Kind.choices, label=_("Kind"), initial=Statement.Kind.PRESS_RELEASE
        )
        self.fields["required_languages"] = forms.MultipleChoiceField(
            choices=language_choices(),
            widget=forms.CheckboxSelectMultiple,
            label=_("Languages it needs before approval"),
            required=False,  # checked in clean(): absent from a text-only post, kept as is
        )
        holdings = holdings_on(self.day)
        held_by: dict[str, list[str]] = {}
        holder_of: dict[str, str] = {}
        for h in holdings:
            held_by.setdefault(h.holder.slug, []).append(f"{h.role} ({_years(h)})")
            holder_of[h.role.slug] = f"{h.role} — {h.holder} ({_years(h)})"
        target_labels = {
            slug: " — ".join([str(t)] + roles)
            for t in Target.objects.all()
            for slug, roles in [(t.slug, held_by.get(t.slug, []))]
        }
        nobody = gettext("nobody on the release date")
        role_labels = {
            r.slug: holder_of.get(r.slug) or f"{r} — {nobody}" for r in Role.objects.all()
        }
        self.fields["targets"] = LabelledMultipleChoice(
            Target.objects.order_by("slug"),
            to_field_name="slug",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            labels=target_labels,
            label=_("Addressed to (targets)"),
        )
        self.fields["roles"] = LabelledMultipleChoice(
            Role.objects.order_by("slug"),
            to_field_name="slug",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            labels=role_labels,
            label=_("Roles addressed (the holder on the release date is named)"),
        )
        asks = Ask.objects.select_related("campaign").order_by("campaign__slug", "slug")
        asks = (
            asks.filter(campaign=statement.campaign)
            if statement
            else asks.filter(campaign__status="active")
        )
        widget = AskCheckboxes()
        widget.campaigns = {a.slug: a.campaign.slug for a in asks}
        self.fields["asks"] = LabelledMultipleChoice(
            asks,
            to_field_name="slug",
            required=False,
            widget=widget,
            labels={a.slug: f"{a} ({a.get_status_display()})" for a in asks},
            label=_("Our asks"),
        )
        self.fields["boilerplate"] = forms.ModelChoiceField(
            Boilerplate.objects.order_by("slug"),
            to_field_name="slug",
            required=False,
            empty_label=_("None"),
            label=_("About us and media contact"),
        )
        self.fields["boilerplate"].label_from_instance = lambda b: (
            f"{b.slug}: {pick(b.about, 'en')[:80]}"
        )
        # Proposing a new ask: its text per language and whom it addresses.
        for code, name in language_choices():
            self.fields[f"new_ask-{code}"] = forms.CharField(
                required=False,
                label=gettext("New ask in %(language)s") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 2, "lang": code, "class": "grow"}),
            )
        self.fields["new_ask_targets"] = LabelledMultipleChoice(
            Target.objects.order_by("slug"),
            to_field_name="slug",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            labels=target_labels,
            label=_("The new ask is addressed to"),
        )
        # A post without the editor's marker (a client sending only the text) leaves the
        # statement's own fields as they are, rather than reading absent checkboxes as "none".
        partial = self.is_bound and not self.data.get("statement_fields") and not self.creating
        for name in STATEMENT_FIELDS:
            if partial or not transitions.field_editable(statement, user, name):
                self.fields[name].disabled = True
        if self.fields["asks"].disabled:
            for name in self.new_ask_field_names():
                self.fields[name].disabled = True

    def _add_language(self, language: str, entry: dict | None, required: bool) -> None:
        entry = entry or {}
        attrs = {"lang": language, "dir": "ltr", "class": f"text-{language}"}
        needed = {"aria-required": "true"} if required else {}
        name = language_name(language)
        self.fields[f"{language}-title"] = forms.CharField(
            label=_("Title"),
            # The source title names the statement (and its web address): always needed.
            required=language == self.source_language,
            max_length=300,
            initial=entry.get("title", ""),
            widget=forms.Textarea(
                attrs=attrs | needed | {"rows": 2, "class": f"text-{language} grow title"}
            ),
            error_messages={
                "required": gettext("Give the %(language)s title.") % {"language": name}
            },
        )
        self.fields[f"{language}-summary"] = forms.CharField(
            label=_("Summary"),
            required=False,
            initial=entry.get("summary", ""),
            widget=forms.Textarea(
                attrs=attrs | needed | {"rows": 3, "class": f"text-{language} grow"}
            ),
        )
        self.fields[f"{language}-body"] = forms.CharField(
            label=_("Body"),
            help_text=_("Markdown: a blank line between paragraphs, **bold**, [link](https://…)."),
            required=False,
            initial=entry.get("body", ""),
            widget=forms.Textarea(attrs=attrs | needed | {"rows": 12}),
        )
        self.fields[f"{language}-more_information"] = forms.CharField(
            label=_("More information"),
            help_text=_("One link per line, as [Report title](https://…)."),
            required=False,
            initial=entry.get("more_information", ""),
            widget=forms.Textarea(attrs=attrs | {"rows": 3, "class": f"text-{language} grow"}),
        )
        has_text = any(entry.get(f) for f in TEXT_FIELDS)
        self.fields[f"{language}-not_ready"] = forms.BooleanField(
            label=_("Not ready yet (a draft translation)"),
            required=False,
            # Never "complete" by default: an untouched checkbox means "judge by the fields".
            initial=has_text and not entry.get("marked_complete", True),
        )
        self.fields[f"{language}-current"] = forms.BooleanField(
            label=_("Checked against the current source text"), required=False
        )
        self.field_required = getattr(self, "field_required", {})
        for field in transitions.REQUIRED_TEXT_FIELDS:
            self.field_required[f"{language}-{field}"] = required
        if self.is_bound and hasattr(self.data, "getlist"):
            speakers = self.data.getlist(f"{language}-quote-speaker")
            texts = self.data.getlist(f"{language}-quote-text")
            rows = [
                {"speaker": s, "text": t}
                for s, t in zip(speakers, texts + [""] * (len(speakers) - len(texts)), strict=False)
            ]
        elif self.is_bound:
            rows = []
        else:
            rows = [
                {"speaker": q.get("speaker", ""), "text": q.get("text", "")}
                for q in entry.get("quotes") or []
                if isinstance(q, dict)
            ]
        self.quote_rows[language] = rows

    def new_ask_field_names(self) -> list[str]:
        return [f"new_ask-{code}" for code in language_codes()] + ["new_ask_targets"]

    # --- checking and reading -----------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        for language in self.languages:
            title = cleaned.get(f"{language}-title")
            if title:  # a title is one line, however long it wraps
                cleaned[f"{language}-title"] = " ".join(title.split())
            for n, row in enumerate(self.quote_rows[language], start=1):
                if row["speaker"].strip() and not row["text"].strip():
                    self.add_error(
                        None,
                        gettext(
                            "%(language)s quote %(n)s has a speaker but no text: add the text "
                            "or remove the quote."
                        )
                        % {"language": language_name(language), "n": n},
                    )
        field = self.fields["required_languages"]
        shown = self.data.get("statement_fields") and not field.disabled
        if shown and not cleaned.get("required_languages"):
            self.add_error("required_languages", gettext("Choose at least one language."))
        campaign = self.statement.campaign if self.statement else cleaned.get("campaign")
        other = [a for a in cleaned.get("asks") or [] if campaign and a.campaign_id != campaign.pk]
        if other:
            self.add_error(
                "asks", gettext("Choose asks of the statement's own campaign (or propose one).")
            )
        return cleaned

    def quotes(self, language: str) -> list[dict]:
        return [
            {"speaker": row["speaker"].strip(), "text": row["text"].strip()}
            for row in self.quote_rows[language]
            if row["text"].strip()
        ]

    def translations(self, *, only_given: bool) -> dict:
        out = {}
        for language in self.languages:
            values = {name: self.cleaned_data.get(f"{language}-{name}", "") for name in TEXT_FIELDS}
            values["quotes"] = self.quotes(language)
            if only_given and not any(values.values()):
                continue
            values["complete"] = not self.cleaned_data.get(f"{language}-not_ready")
            values["current"] = bool(self.cleaned_data.get(f"{language}-current"))
            out[language] = values
        return out

    def embargo_changed(self) -> bool:
        return "embargo_until" in self.changed_data

    def statement_values(self, *, only_changed: bool) -> dict:
        """The statement's own fields as statement_edit/statement_create take them."""
        out = {}
        for name in STATEMENT_FIELDS:
            field = self.fields[name]
            if field.disabled or (only_changed and name not in self.changed_data):
                continue
            value = self.cleaned_data.get(name)
            if name in ("targets", "roles", "asks"):
                value = sorted(o.slug for o in value or [])
            elif name == "boilerplate":
                value = value.slug if value else None
            elif name == "required_languages":
                if not value:  # not on the form: the default (every language)
                    continue
                value = list(value)
            out[name] = value
        return out

    def new_ask(self) -> dict | None:
        """The proposed ask's text and targets, or None when nothing was written."""
        if self.fields["new_ask_targets"].disabled:
            return None
        text = {
            code: self.cleaned_data.get(f"new_ask-{code}", "").strip() for code in self.languages
        }
        if not any(text.values()):
            return None
        return {"text": text, "targets": list(self.cleaned_data.get("new_ask_targets") or [])}

    def errors_in_words(self) -> list[str]:
        """Every error, each prefixed with the field as a person names it ("Burmese title")."""
        out = []
        for name, errors in self.errors.items():
            if name == "__all__":
                out += list(errors)
                continue
            language, _sep, field = name.partition("-")
            if field and language in self.languages:
                label = f"{language_name(language)} {str(self.fields[name].label).lower()}"
            else:
                label = str(self.fields[name].label) if name in self.fields else name
            out += [f"{label}: {error}" for error in errors]
        return out

    # --- for templates ----------------------------------------------------------------------

    def language_fields(self):
        names = ("title", "summary", "body", "more_information")
        return [(code, [self[f"{code}-{n}"] for n in names]) for code in self.languages]

    def language_blocks(self) -> list[dict]:
        return [
            {
                "code": code,
                "fields": [self[f"{code}-{n}"] for n in ("title", "summary", "body")],
                "more": self[f"{code}-more_information"],
                "not_ready": self[f"{code}-not_ready"],
                "current": self[f"{code}-current"],
                "quotes": self.quote_rows[code],
                "is_source": code == self.source_language,
                "required": self.field_required.get(f"{code}-title", False),
            }
            for code in self.languages
        ]

    def statement_fields(self):
        return [self[name] for name in STATEMENT_FIELDS]

    def new_ask_fields(self):
        return [self[name] for name in self.new_ask_field_names()]

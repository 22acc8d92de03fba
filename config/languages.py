"""Languages are data: the configured codes live in settings.LANGUAGES, never in the schema."""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, pgettext

# Names in the interface language (gettext); a language the catalogue does not name yet
# falls back to Django's own translated name, never to the code.
_NAMES = {"en": gettext_lazy("English"), "my": gettext_lazy("Burmese")}
# Each language's name in itself: for choosers, where a reader looks for their own.
NATIVE_NAMES = {"en": "English", "my": "မြန်မာ"}


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def validate_language(code: str) -> None:
    if code not in language_codes():
        raise ValidationError(
            f"Unknown language {code!r}; configured: {', '.join(language_codes())}.",
            code="unknown_language",
        )


def validate_languages(codes: object) -> None:
    if not isinstance(codes, list) or not codes:
        raise ValidationError("Give at least one language code as a list.", code="languages")
    for code in codes:
        validate_language(code)
    if len(set(codes)) != len(codes):
        raise ValidationError("A language is listed twice.", code="languages")


def validate_localised(value: object) -> None:
    """A localised text is {"<lang>": "<text>", ...} with configured languages only."""
    if not isinstance(value, dict):
        raise ValidationError("Expected an object keyed by language code.", code="localised")
    for code, text in value.items():
        validate_language(code)
        if not isinstance(text, str):
            raise ValidationError(f"Text for {code!r} must be a string.", code="localised")


def pick(value: dict | None, language: str, *, fallback: str = "en") -> str:
    """The text in `language`, else in the fallback, else any; '' when there is none."""
    if not value:
        return ""
    return value.get(language) or value.get(fallback) or next(iter(value.values()), "")


def language_name(code: str) -> str:
    """The language's name in the active interface language: "Burmese" / "မြန်မာ"."""
    if code in _NAMES:
        return str(_NAMES[code])
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


def native_name(code: str) -> str:
    """The language's name in that language (a chooser lists each in its own)."""
    return NATIVE_NAMES.get(code) or LANG_INFO.get(code, {}).get("name_local") or code


def language_list(codes) -> str:
    """Names joined in the interface language: "English and Burmese", "English, Burmese and
    Thai"; empty for no codes."""
    names = [language_name(code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def language_choices() -> list[tuple[str, str]]:
    """(code, name in the interface language) for every configured language."""
    return [(code, language_name(code)) for code in language_codes()]


def to_follow(code: str) -> str:
    """ "Burmese to follow": a translation deferred by decision."""
    return pgettext("translation deferred", "%(language)s to follow") % {
        "language": language_name(code)
    }

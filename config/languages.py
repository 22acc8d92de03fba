"""Languages are data: the configured codes live in settings.LANGUAGES, never in the schema."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError


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

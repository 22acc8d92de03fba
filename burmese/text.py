"""Django glue of burmese: every text that enters the database passes here (Zawgyi check and
conversion, normalisation), with the field named in the message."""

from __future__ import annotations

from config.errors import RuleBroken


def clean_text(value: str, *, field: str, confirm: bool = False) -> tuple[str, dict | None]:
    """The cleaned text, and a notice when Zawgyi was converted. Refuses uncertain text."""
    from burmese import ZawgyiRefused, clean_burmese

    try:
        cleaned = clean_burmese(value, confirm=confirm)
    except ZawgyiRefused as err:
        raise RuleBroken(f"{field}: {err}", field=field, encoding="zawgyi?") from err
    notice = None
    if cleaned.converted:
        notice = {
            "field": field,
            "converted_from": "Zawgyi",
            "text": cleaned.text,
            "probability": round(cleaned.probability, 3),
        }
    return cleaned.text, notice


def clean_translation_fields(
    language: str, fields: dict, *, confirm: bool = False
) -> tuple[dict, list[dict]]:
    """Clean title, summary, body, more_information and quotes of one translation."""
    cleaned: dict = {}
    notices: list[dict] = []
    for name, value in fields.items():
        where = f"translations.{language}.{name}"
        if name == "quotes":
            if not isinstance(value, list) or not all(isinstance(q, dict) for q in value):
                raise RuleBroken(f"{where} must be a list of {{speaker, text}} objects.")
            quotes = []
            for i, quote in enumerate(value):
                entry = {}
                for key in ("speaker", "text"):
                    text, notice = clean_text(
                        str(quote.get(key, "")), field=f"{where}[{i}].{key}", confirm=confirm
                    )
                    entry[key] = text
                    notices += [notice] if notice else []
                quotes.append(entry)
            cleaned[name] = quotes
            continue
        if not isinstance(value, str):
            raise RuleBroken(f"{where} must be text.")
        text, notice = clean_text(value, field=where, confirm=confirm)
        cleaned[name] = text.strip() if name == "title" else text
        notices += [notice] if notice else []
    return cleaned, notices


def clean_localised(
    values: dict | None, *, field: str, confirm: bool = False
) -> tuple[dict, list[dict]]:
    """Clean every language's text of a LocalisedField value ({"en": "...", "my": "..."}).

    Returns the cleaned dict and the Zawgyi-conversion notices; raises RuleBroken (naming
    Zawgyi) for uncertain text unless ``confirm``. Non-text values are left for the field's
    own validator to refuse.
    """
    cleaned: dict = {}
    notices: list[dict] = []
    for language, value in (values or {}).items():
        if not isinstance(value, str):
            cleaned[language] = value
            continue
        text, notice = clean_text(value, field=f"{field}.{language}", confirm=confirm)
        cleaned[language] = text
        notices += [notice] if notice else []
    return cleaned, notices


def sorted_by_text(items, *, text=str) -> list:
    """Items sorted for display in Burmese dictionary order of ``text(item)``.

    burmese.sort_key (ICU collation for "my") orders Burmese by its syllables, not by code
    point, and Latin case-insensitively after it; sorting on the raw string would not.
    """
    from burmese import sort_key

    return sorted(items, key=lambda item: sort_key(text(item)))

"""Every text that enters a statement passes here: Zawgyi check and conversion, normalisation."""

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
        notice = {"field": field, "converted_from": "Zawgyi", "text": cleaned.text,
                  "probability": round(cleaned.probability, 3)}
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
                    text, notice = clean_text(str(quote.get(key, "")),
                                              field=f"{where}[{i}].{key}", confirm=confirm)
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

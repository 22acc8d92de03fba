"""Burmese text integrity: Zawgyi detection and conversion, normalisation, safe truncation.

Pure Python with no Django dependency, so forms, the API, admin, CSV import and demo data
all clean Burmese the same way::

    from burmese import clean_burmese, ZawgyiRefused

    try:
        cleaned = clean_burmese(form_value)
    except ZawgyiRefused as refusal:
        ...  # ask the person to check the encoding, or resubmit with confirm=True
"""

from __future__ import annotations

from burmese.convert import (
    available_converters,
    default_converter,
    unicode_to_zawgyi,
    zawgyi_to_unicode,
)
from burmese.encoding import (
    UNICODE_BELOW,
    ZAWGYI_ABOVE,
    Cleaned,
    ZawgyiRefused,
    clean_burmese,
    contains_burmese,
    zawgyi_probability,
)
from burmese.normalise import normalise, search_text
from burmese.segment import sort_key, syllables, truncate

__all__ = [
    "UNICODE_BELOW",
    "ZAWGYI_ABOVE",
    "Cleaned",
    "ZawgyiRefused",
    "available_converters",
    "clean_burmese",
    "contains_burmese",
    "default_converter",
    "normalise",
    "search_text",
    "sort_key",
    "syllables",
    "truncate",
    "unicode_to_zawgyi",
    "zawgyi_probability",
    "zawgyi_to_unicode",
]

"""Optional PyICU access, in one place so the rest of the package can fall back without it.

PyICU is a compiled extension (it needs libicu-dev to build), so a machine may lack it. Every
caller asks ``module()`` at call time rather than importing ``icu`` itself: tests replace
``module`` to exercise the pure-Python fallbacks on a machine that does have ICU.
"""

from __future__ import annotations

from types import ModuleType

try:  # pragma: no cover - depends on the machine
    import icu as _icu
except ImportError:  # pragma: no cover - depends on the machine
    _icu = None


def module() -> ModuleType | None:
    """The ``icu`` module, or None when PyICU is not installed."""
    return _icu


def utf16_to_index(text: str) -> list[int] | None:
    """Map ICU's UTF-16 offsets to Python string indices; None when they are the same.

    ICU counts a character outside the Basic Multilingual Plane (an emoji, say) as two code
    units, Python as one. Only texts containing such characters need the table.
    """
    if not text or max(text) <= "\uffff":
        return None
    table: list[int] = []
    for index, char in enumerate(text):
        table.append(index)
        if char > "\uffff":
            table.append(index)  # the low surrogate: no boundary can fall here
    table.append(len(text))
    return table

"""Zawgyi detection and the one cleaning entry point for Burmese input.

Zawgyi is a font hack that reuses Myanmar code points with different meanings, so the
same bytes can be valid-looking text in either encoding. Google's myanmartools model
gives the probability that a text is Zawgyi. Pasted text is:

* converted when that probability is above ``ZAWGYI_ABOVE`` (0.95),
* kept (normalised) when it is below ``UNICODE_BELOW`` (0.05),
* refused in between, so that a person checks it, unless the caller passes
  ``confirm=True`` (the person has looked and says it is right as typed).

Long bodies are judged paragraph by paragraph too, because a statement is often pasted
together from several sources: a Zawgyi quote inside a Unicode body is converted alone,
and a Unicode paragraph inside a Zawgyi paste is not mangled. A paragraph too short to
judge on its own follows the verdict on the whole text.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

from burmese.convert import zawgyi_to_unicode
from burmese.normalise import normalise

ZAWGYI_ABOVE = 0.95
UNICODE_BELOW = 0.05
# Below this many Myanmar letters a paragraph's own probability is noise (myanmartools'
# test data scores the 3-letter Unicode fragment "၏လွ" at 0.99), so it is not trusted.
PARAGRAPH_MIN_LETTERS = 12

_MYANMAR_RE = re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]")
_PARAGRAPH_RE = re.compile(r"[^\r\n]+|[\r\n]+")

_detector = None
_detector_lock = threading.Lock()


class ZawgyiRefused(ValueError):
    """The text may be Zawgyi or Unicode and the model cannot tell which."""

    def __init__(self, probability: float) -> None:
        self.probability = probability
        super().__init__(
            "This Burmese text may be in the Zawgyi encoding rather than Unicode "
            f"(Zawgyi probability {probability:.2f}). Please check the encoding it was "
            "typed in, convert it to Unicode if needed, or confirm that it is correct as typed."
        )

    def __reduce__(self):
        # Rebuild from the probability, not the message, so the exception survives pickling
        # (Celery sends exceptions from CSV-import tasks back that way).
        return (type(self), (self.probability,))


@dataclass(frozen=True)
class Cleaned:
    """Result of ``clean_burmese``: what to store, and what happened to get it."""

    text: str
    converted: bool  # some or all of it was Zawgyi and is now Unicode
    probability: float  # Zawgyi probability of the whole original (0.0 with no Burmese)
    original: str


def contains_burmese(text: str) -> bool:
    """True when the text has any character of the Myanmar script blocks."""
    return bool(_MYANMAR_RE.search(text))


def _get_detector():
    # Loading the model reads a 60 kB table; do it once per process, on first use, so
    # importing this module (e.g. from Django settings) stays free.
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from myanmartools import ZawgyiDetector

                _detector = ZawgyiDetector()
    return _detector


def zawgyi_probability(text: str) -> float:
    """Probability (0..1) that the text is Zawgyi.

    0.0 for text the model has no opinion on: no Burmese, or only Burmese digits and
    punctuation, which are the same in both encodings (myanmartools says -inf there).
    """
    if not contains_burmese(text):
        return 0.0
    probability = _get_detector().get_zawgyi_probability(text)
    return 0.0 if math.isinf(probability) else probability


def _verdict(probability: float) -> str:
    if probability > ZAWGYI_ABOVE:
        return "zawgyi"
    if probability < UNICODE_BELOW:
        return "unicode"
    return "unsure"


def _letters(text: str) -> int:
    return len(_MYANMAR_RE.findall(text))


def clean_burmese(text: str, *, confirm: bool = False) -> Cleaned:
    """Return the text to store: Unicode, normalised, converted from Zawgyi if need be.

    Raises ``ZawgyiRefused`` when the encoding is uncertain and ``confirm`` is false.
    Text without Burmese characters is returned exactly as given.
    """
    if not contains_burmese(text):
        return Cleaned(text=text, converted=False, probability=0.0, original=text)

    probability = zawgyi_probability(text)
    overall = _verdict(probability)
    pieces: list[str] = []
    converted = False
    unsure = False
    for piece in _PARAGRAPH_RE.findall(text):
        if not contains_burmese(piece):
            pieces.append(piece)
            continue
        verdict = overall
        if _letters(piece) >= PARAGRAPH_MIN_LETTERS:
            # A paragraph long enough to judge alone overrides the whole text's verdict when
            # it is confident: a Zawgyi quote in a Unicode body, or the reverse.
            own = overall if piece == text else _verdict(zawgyi_probability(piece))
            if own != "unsure":
                verdict = own
        if verdict == "zawgyi":
            pieces.append(normalise(zawgyi_to_unicode(piece)))
            converted = True
            continue
        as_typed = normalise(piece)
        # No ambiguity when both readings give the same text (e.g. "ကား", spelled the same in
        # both encodings): refusing that would only annoy the person typing.
        if verdict == "unsure" and not confirm:
            unsure = unsure or normalise(zawgyi_to_unicode(piece)) != as_typed
        pieces.append(as_typed)
    if unsure:
        raise ZawgyiRefused(probability)
    return Cleaned(
        text="".join(pieces), converted=converted, probability=probability, original=text
    )

"""Zawgyi detection and ``clean_burmese``: convert, keep, or refuse."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from burmese import (
    Cleaned,
    ZawgyiRefused,
    clean_burmese,
    contains_burmese,
    normalise,
    zawgyi_probability,
)
from burmese import encoding as encoding_module

ROOT = Path(__file__).resolve().parents[2]

UNICODE = "လူ့အခွင့်အရေး အဖွဲ့များက နိုင်ငံရေး အကျဉ်းသားများကို ချက်ချင်း လွှတ်ပေးရန် တောင်းဆိုသည်။"
ZAWGYI = "လူ႔အခြင့္အေရး အဖြဲ႔မ်ားက ႏိုင္ငံေရး အက်ဉ္းသားမ်ားကို ခ်က္ခ်င္း လႊတ္ေပးရန္ ေတာင္းဆိုသည္။"
# A Unicode fragment from myanmartools' test data that the model scores 0.26.
UNCERTAIN = "လူခပ်သိမ်း၏"


def test_zawgyi_paste_is_converted_to_unicode():
    cleaned = clean_burmese(ZAWGYI)
    assert cleaned == Cleaned(
        text=UNICODE, converted=True, probability=cleaned.probability, original=ZAWGYI
    )
    assert cleaned.probability > 0.95


def test_unicode_text_is_kept_and_not_converted():
    cleaned = clean_burmese(UNICODE)
    assert cleaned.text == UNICODE
    assert not cleaned.converted
    assert cleaned.probability < 0.05


def test_uncertain_text_is_refused_unless_confirmed():
    assert 0.05 < zawgyi_probability(UNCERTAIN) < 0.95
    with pytest.raises(ZawgyiRefused) as refusal:
        clean_burmese(UNCERTAIN)
    assert "Zawgyi" in str(refusal.value)
    assert "0.26" in str(refusal.value)
    assert refusal.value.probability == pytest.approx(0.2621, abs=1e-3)
    assert isinstance(refusal.value, ValueError)

    confirmed = clean_burmese(UNCERTAIN, confirm=True)
    assert confirmed.text == UNCERTAIN  # kept as typed, not converted
    assert not confirmed.converted


def test_refusal_survives_pickling():
    refusal = pickle.loads(pickle.dumps(ZawgyiRefused(0.5)))  # noqa: S301 - our own bytes
    assert refusal.probability == 0.5
    assert "Zawgyi probability 0.50" in str(refusal)


def test_confirmed_text_is_still_normalised():
    typed = "သိမ်း ကုိ"  # "ကို" with u typed before i
    assert 0.05 < zawgyi_probability(typed) < 0.95
    assert clean_burmese(typed, confirm=True).text == normalise(typed) == "သိမ်း ကို"


def test_short_text_spelled_the_same_in_both_encodings_is_not_refused():
    # "စား" scores 0.79 but reads the same as Zawgyi or Unicode: nothing to ask about.
    assert 0.05 < zawgyi_probability("စား") < 0.95
    assert clean_burmese("စား").text == "စား"


def test_english_text_is_untouched():
    for text in ["Press release: ASEAN must act.", "Cafe\u0301 decomposed", "", "  \n"]:
        cleaned = clean_burmese(text)
        assert cleaned.text is text
        assert not cleaned.converted
        assert cleaned.probability == 0.0


def test_text_with_only_burmese_digits_is_not_refused():
    assert contains_burmese("၂၀၂၄")
    assert zawgyi_probability("၂၀၂၄") == 0.0  # myanmartools says -inf: no letters
    assert clean_burmese("၂၀၂၄").text == "၂၀၂၄"


def test_contains_burmese():
    assert contains_burmese("ASEAN ၏")
    assert not contains_burmese("ASEAN")


def test_zawgyi_quote_in_a_unicode_body_is_converted_alone():
    body = "\n\n".join([UNICODE, ZAWGYI, "English paragraph.", UNICODE])
    cleaned = clean_burmese(body)
    assert cleaned.converted
    assert cleaned.text == "\n\n".join([UNICODE, UNICODE, "English paragraph.", UNICODE])


def test_unicode_paragraph_in_a_zawgyi_paste_is_not_mangled():
    body = "\n".join([ZAWGYI, ZAWGYI, UNICODE])
    assert clean_burmese(body).text == "\n".join([UNICODE, UNICODE, UNICODE])


def test_short_uncertain_line_follows_the_whole_text():
    # "သိမ္း" alone is a guess; inside a confidently Zawgyi paste it is Zawgyi.
    body = ZAWGYI + "\nသိမ္း"
    assert clean_burmese(body).text == UNICODE + "\nသိမ်း"


def test_zero_width_space_survives_cleaning():
    text = "မြန်မာ\u200bနိုင်ငံ တွင် ထုတ်ပြန်ချက် ထုတ်ပြန်ခဲ့သည်။"
    assert clean_burmese(text).text == text


def test_cleaned_is_frozen():
    cleaned = clean_burmese(UNICODE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cleaned.text = "x"  # type: ignore[misc]


def test_detector_is_loaded_once_and_lazily():
    script = (
        "import sys, burmese\n"
        "from burmese import encoding\n"
        "assert 'django' not in sys.modules\n"
        "assert encoding._detector is None\n"
        "encoding.zawgyi_probability('မြန်မာ')\n"
        "first = encoding._detector\n"
        "encoding.zawgyi_probability('ျမန္မာ')\n"
        "assert first is not None and encoding._detector is first\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)
    assert encoding_module._get_detector() is encoding_module._get_detector()


def test_conversion_falls_back_to_python_myanmar_without_icu(monkeypatch):
    from burmese import _icu, available_converters, default_converter

    monkeypatch.setattr(_icu, "module", lambda: None)
    assert available_converters() == ("python-myanmar",)
    assert default_converter() == "python-myanmar"
    assert clean_burmese(ZAWGYI).text == UNICODE

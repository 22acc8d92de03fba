"""Shared helpers for distribution tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from statements.models import Statement
from tests.factories import StatementFactory, TranslationFactory

EN_TITLE = "ASEAN must stop legitimising the junta"
MY_TITLE = "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်"


def make_statement(
    *,
    slug: str = "asean-must-stop",
    embargo_until=None,
    state: str = Statement.State.PUBLISHED,
    en_title: str = EN_TITLE,
):
    statement = StatementFactory(
        slug=slug,
        state=state,
        published_at=timezone.now() - datetime.timedelta(hours=1),
        embargo_until=embargo_until,
    )
    TranslationFactory(
        statement=statement,
        language="en",
        title=en_title,
        summary="ASEAN is complicit.",
        body="Paragraph **one**.\n\nTwo.",
    )
    TranslationFactory(
        statement=statement,
        language="my",
        title=MY_TITLE,
        summary="အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
        body="ပထမ စာပိုဒ်။",
    )
    return statement

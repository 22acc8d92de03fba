"""Fixtures of the public-output tests: releases in any state, made with factories directly."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from campaigns.models import RoleHolding
from statements.models import Boilerplate, Correction, Statement
from tests.factories import (
    AskFactory,
    CampaignFactory,
    RoleFactory,
    StatementFactory,
    TargetFactory,
    TranslationFactory,
)

_counter = itertools.count(1)
BURMESE_BODY = "စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ပါ။\n\nအာဆီယံ ဥက္ကဋ္ဌ။"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_release(db, media_root):
    """A statement with an English and a Burmese translation, in any state."""

    def make(
        *,
        state: str = Statement.State.PUBLISHED,
        slug: str | None = None,
        title: str | None = None,
        body: str | None = None,
        campaign=None,
        published_at: datetime.datetime | None = None,
        embargo_until: datetime.datetime | None = None,
        languages: tuple[str, ...] = ("en", "my"),
        **fields,
    ) -> Statement:
        n = next(_counter)
        slug = slug or f"release-{n}"
        if published_at is None and state in ("published", "corrected", "retracted"):
            published_at = timezone.now() - datetime.timedelta(hours=n)
        statement = StatementFactory(
            slug=slug,
            state=state,
            published_at=published_at,
            embargo_until=embargo_until,
            campaign=campaign or CampaignFactory(slug="public-campaign"),
            **fields,
        )
        for language in languages:
            TranslationFactory(
                statement=statement,
                language=language,
                title=(title or f"Release title {n}") + ("" if language == "en" else " မြန်မာ"),
                summary=f"Summary {n}." if language == "en" else "အကျဉ်းချုပ်။",
                body=(body or f"Body of release {n}.") if language == "en" else BURMESE_BODY,
            )
        return statement

    return make


@pytest.fixture
def rich_release(make_release):
    """A published release with everything a page shows: targets, a role, asks, boilerplate,
    quotes, more information and a correction."""
    statement = make_release(
        slug="asean-chair-release",
        title="ASEAN Chair keeps cooperating",
        published_at=datetime.datetime(2025, 4, 24, 3, 0, tzinfo=datetime.UTC),
        state=Statement.State.CORRECTED,
        corrected_at=datetime.datetime(2025, 4, 25, 12, 0, tzinfo=datetime.UTC),
        boilerplate=Boilerplate.objects.create(
            slug="about",
            about={"en": "We campaign for **justice**.", "my": "ကျွန်ုပ်တို့ အကြောင်း။"},
            media_contact={"en": "press@example.org", "my": "press@example.org (မီဒီယာ)"},
        ),
    )
    en = statement.translation("en")
    en.quotes = [{"speaker": "Spokesperson", "text": "Stop it <script>alert(1)</script> now."}]
    en.more_information = "- Read [the report](https://example.org/report)"
    en.body = "First paragraph with a [link](https://example.org).\n\n<script>alert('x')</script>"
    en.save()
    malaysia = TargetFactory(
        slug="malaysia-gov", name={"en": "Government of Malaysia", "my": "မလေးရှား အစိုးရ"}
    )
    laos = TargetFactory(slug="laos-gov", name={"en": "Government of Laos"})
    chair = RoleFactory(slug="asean-chair-role")
    RoleHolding.objects.create(
        role=chair,
        holder=laos,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2025, 1, 1),
    )
    RoleHolding.objects.create(
        role=chair,
        holder=malaysia,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2026, 1, 1),
    )
    statement.roles.add(chair)
    statement.targets.add(malaysia)
    statement.asks.add(AskFactory(campaign=statement.campaign, slug="end-cooperation"))
    Correction.objects.create(
        statement=statement,
        number=1,
        notes={"en": "The date of the meeting was corrected.", "my": "အစည်းအဝေးရက်စွဲ ပြင်ဆင်ထားသည်။"},
        published_at=datetime.datetime(2025, 4, 25, 12, 0, tzinfo=datetime.UTC),
    )
    statement.correction_count = 1
    statement.save()
    return statement

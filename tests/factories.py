"""factory_boy factories for the domain models."""

from __future__ import annotations

import datetime

import factory

from campaigns.models import Ask, Campaign, Role, RoleHolding, Target
from contacts.models import Contact, MediaList
from statements.models import Statement, StatementTranslation


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.LazyAttribute(lambda o: {"en": f"Campaign {o.slug}", "my": "လှုပ်ရှားမှု"})


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    slug = factory.Sequence(lambda n: f"target-{n}")
    name = factory.LazyAttribute(lambda o: {"en": f"Target {o.slug}"})
    kind = Target.Kind.GOVERNMENT


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    slug = factory.Sequence(lambda n: f"role-{n}")
    name = {"en": "ASEAN Chair", "my": "အာဆီယံ ဥက္ကဋ္ဌ"}


class RoleHoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleHolding

    role = factory.SubFactory(RoleFactory)
    holder = factory.SubFactory(TargetFactory)
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2026, 1, 1)


class AskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ask

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"ask-{n}")
    text = {"en": "Stop legitimising the junta.", "my": "စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ပါ။"}


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"statement-{n}")
    required_languages = ["en", "my"]


class TranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatementTranslation
        skip_postgeneration_save = True

    statement = factory.SubFactory(StatementFactory)
    language = "en"
    title = factory.Sequence(lambda n: f"Title {n}")
    summary = "A summary."
    body = "A body paragraph.\n\nAnother one."

    @factory.post_generation
    def search_text(obj, create, extracted, **kwargs):
        # The app writes live translations only through the workflow, which refreshes the
        # statement's search text; rows made here directly get the same treatment.
        if create:
            from statements.search import refresh_search_text

            refresh_search_text(obj.statement)


class MediaListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaList

    slug = factory.Sequence(lambda n: f"list-{n}")
    name = factory.Sequence(lambda n: f"List {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    email = factory.Sequence(lambda n: f"journalist{n}@example.org")
    name = factory.Sequence(lambda n: f"Journalist {n}")
    languages = ["en"]

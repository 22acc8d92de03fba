import datetime

import pytest
from django.utils import timezone

from statements import workflow
from tests.factories import CampaignFactory

EN = {
    "title": "ASEAN must stop legitimising the junta",
    "summary": "ASEAN is complicit.",
    "body": "Paragraph one.\n\nParagraph two.",
}
MY = {
    "title": "အာဆီယံသည် စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ရမည်",
    "summary": "အာဆီယံသည် ကြံရာပါ ဖြစ်နေသည်။",
    "body": "ပထမ စာပိုဒ်။\n\nဒုတိယ စာပိုဒ်။",
}


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="asean-complicity")


@pytest.fixture
def staff(make_staff):
    class Staff:
        author = make_staff("author", "author")
        author2 = make_staff("author", "author2")
        editor = make_staff("editor", "editor")
        editor2 = make_staff("editor", "editor2")
        publisher = make_staff("publisher", "publisher")
        admin = make_staff("admin", "admin")

    return Staff


@pytest.fixture
def draft(campaign, staff):
    statement, _ = workflow.statement_create(
        by=staff.author, campaign=campaign.slug, translations={"en": EN, "my": MY}
    )
    return statement


@pytest.fixture
def approved(draft, staff):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    workflow.statement_approve(statement_id=draft.pk, by=staff.editor)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def published(approved, staff):
    workflow.statement_publish(statement_id=approved.pk, by=staff.publisher)
    approved.refresh_from_db()
    return approved


def in_future(minutes: int = 60) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)

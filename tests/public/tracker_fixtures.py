"""A campaign tracker on record, made through the ledger's services (statements/ledger.py): the
ASEAN Chair held by Laos 2024, Malaysia 2025 and the Philippines 2026; an ask made by one public
release and repeated by another, with a sourced history; invitations answered, unanswered and
awaiting. Beside it, statements the public may not see (a draft, one published under a running
embargo, one retracted under its embargo, one retracted after publication) carrying a hidden ask,
a hidden target and hidden invitations, each marked so a leak names itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import RoleHolding
from statements import ledger
from statements.models import Statement
from tests.factories import CampaignFactory, RoleFactory, TargetFactory

UTC = datetime.UTC
HIDDEN_MARKERS = (
    "mark-hidden-target",
    "MARK-HIDDEN-TARGET",
    "MARK-HIDDEN-ASK",
    "mark-hidden-ask",
    "MARK-HIDDEN-RESPONSE",
    "mark-draft",
    "mark-embargoed",
    "mark-embargo-retracted",
    "MARK-TITLE",
)


@dataclass
class Tracker:
    campaign: object
    chair: object
    asean: object
    laos: object
    malaysia: object
    philippines: object
    ask: object
    hidden_ask: object
    hidden_target: object
    first: Statement  # made the ask
    second: Statement  # repeated it
    hidden: dict
    publisher: object
    editor: object


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(3, 0), tzinfo=UTC)


@pytest.fixture
def tracker(make_release, make_staff) -> Tracker:
    editor, publisher = make_staff("editor"), make_staff("publisher")
    campaign = CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    asean = TargetFactory(
        slug="asean", name={"en": "ASEAN", "my": "အာဆီယံ"}, kind="organisation", country=""
    )
    laos = TargetFactory(slug="laos", name={"en": "Laos"}, kind="government", country="LA")
    malaysia = TargetFactory(
        slug="malaysia",
        name={"en": "Government of Malaysia", "my": "မလေးရှား အစိုးရ"},
        kind="government",
        country="MY",
        parent=asean,
    )
    philippines = TargetFactory(
        slug="philippines", name={"en": "The Philippines"}, kind="government", country="PH"
    )
    hidden_target = TargetFactory(
        slug="mark-hidden-target", name={"en": "MARK-HIDDEN-TARGET"}, kind="company"
    )
    chair = RoleFactory(slug="asean-chair", name={"en": "ASEAN Chair", "my": "အာဆီယံ ဥက္ကဋ္ဌ"})
    for holder, start, end in (
        (laos, datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)),
        (malaysia, datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)),
        (philippines, datetime.date(2026, 1, 1), None),
    ):
        RoleHolding.objects.create(role=chair, holder=holder, starts_on=start, ends_on=end)
    ask, _ = campaign_services.ask_create(
        campaign=campaign,
        slug="ban-the-junta",
        text={"en": "Ban the junta from ASEAN meetings.", "my": "စစ်ကောင်စီကို ပိတ်ပင်ပါ။"},
        targets=["asean"],
        roles=["asean-chair"],
        by=editor,
    )
    hidden_ask, _ = campaign_services.ask_create(
        campaign=campaign,
        slug="mark-hidden-ask",
        text={"en": "MARK-HIDDEN-ASK"},
        targets=["mark-hidden-target"],
        by=editor,
    )

    def release(slug, day, **fields):
        statement = make_release(
            slug=slug, campaign=campaign, published_at=_at(day), title=f"Title {slug}", **fields
        )
        statement.asks.add(ask)
        statement.targets.add(malaysia)
        statement.roles.add(chair)
        ledger.ask_records_sync(statement_id=statement.pk)
        return statement

    first = release("first-call", datetime.date(2025, 1, 10))
    second = release("second-call", datetime.date(2025, 6, 1))
    ledger.invitation_create(
        statement_id=first.pk,
        target=malaysia,
        due_on=datetime.date(2025, 2, 1),
        by=publisher,
        now=_at(datetime.date(2025, 1, 10)),
    )
    answered = first.invitations.get()
    ledger.invitation_respond(
        invitation=answered,
        responded_on=datetime.date(2025, 1, 25),
        url="https://example.org/malaysia-reply",
        summary={"en": "Malaysia says it will consider it."},
        by=publisher,
        now=_at(datetime.date(2025, 1, 26)),
    )
    ledger.invitation_create(  # its deadline passed unanswered
        statement_id=second.pk,
        target=malaysia,
        due_on=datetime.date(2025, 6, 15),
        by=publisher,
        now=_at(datetime.date(2025, 6, 1)),
    )
    ledger.invitation_create(  # still running
        statement_id=second.pk,
        target=asean,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        by=publisher,
    )
    ledger.ask_status_change(
        ask=ask,
        status="partly_met",
        on=datetime.date(2025, 3, 1),
        by=editor,
        statement_id=first.pk,
        note="Junta left out of the summit.",
    )
    ledger.ask_status_change(
        ask=ask,
        status="open",
        on=datetime.date(2025, 7, 1),
        by=editor,
        source_url="https://example.org/news",
    )

    # What the public never sees.
    future = timezone.now() + datetime.timedelta(days=2)
    hidden = {
        "draft": make_release(
            slug="mark-draft", campaign=campaign, state=Statement.State.DRAFT, title="MARK-TITLE"
        ),
        "embargoed": make_release(
            slug="mark-embargoed", campaign=campaign, embargo_until=future, title="MARK-TITLE"
        ),
        "embargo-retracted": make_release(
            slug="mark-embargo-retracted",
            campaign=campaign,
            embargo_until=future,
            title="MARK-TITLE",
        ),
    }
    for statement in hidden.values():
        statement.asks.add(ask, hidden_ask)
        statement.targets.add(hidden_target)
        ledger.ask_records_sync(statement_id=statement.pk)
        for target in (hidden_target, malaysia):
            invitation = ledger.invitation_create(
                statement_id=statement.pk,
                target=target,
                due_on=timezone.localdate() + datetime.timedelta(days=3),
                by=publisher,
            )
            ledger.invitation_respond(
                invitation=invitation,
                responded_on=timezone.localdate(),
                url="https://example.org/MARK-HIDDEN-RESPONSE",
                by=publisher,
            )
    # A status change citing a statement that is not public: its slug is never named.
    ledger.ask_status_change(
        ask=ask,
        status="rejected",
        on=datetime.date(2025, 5, 1),
        by=editor,
        statement_id=hidden["draft"].pk,
        note="Rejected at the foreign ministers' meeting.",
    )
    Statement.objects.filter(pk=hidden["embargo-retracted"].pk).update(
        state=Statement.State.RETRACTED, retracted_at=timezone.now(), retraction_reason="X"
    )
    # Retracted after publication: a tombstone, no longer counted.
    retracted = release("retracted-call", datetime.date(2025, 8, 1))
    Statement.objects.filter(pk=retracted.pk).update(
        state=Statement.State.RETRACTED, retracted_at=timezone.now(), retraction_reason="Wrong."
    )
    hidden["retracted"] = retracted
    return Tracker(
        campaign=campaign,
        chair=chair,
        asean=asean,
        laos=laos,
        malaysia=malaysia,
        philippines=philippines,
        ask=ask,
        hidden_ask=hidden_ask,
        hidden_target=hidden_target,
        first=first,
        second=second,
        hidden=hidden,
        publisher=publisher,
        editor=editor,
    )

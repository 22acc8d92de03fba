"""The world of the URL matrix (tests/security/test_url_matrix.py), built once per module.

One statement per condition (each workflow state, published under a running embargo, published
with Burmese deferred, retracted while its embargo was running), made through
statements/workflow.py by a crew that is never one of the callers; every text and slug carries a
marker naming its condition, so a leak says which condition it came from. Callers are staff
sessions verified with a second factor, a password-only session, and API tokens.

The world lives in one transaction rolled back after the module; each test runs in a savepoint
inside it (pytest-django), so what a request changes is undone before the next test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

# Conditions of a statement. No name is a prefix of another, so neither is any marker.
CONDITIONS = (
    "draft",
    "in-review",
    "changes-requested",
    "approved",
    "scheduled",
    "published",
    "corrected",
    "retracted",
    "embargoed",
    "deferred",
    "embargo-retracted",
)
PUBLIC = frozenset({"published", "corrected", "deferred"})  # deferred: its English only
TOMBSTONE = frozenset({"retracted"})  # its own page says it was retracted, and nothing else
HIDDEN = frozenset(CONDITIONS) - PUBLIC - TOMBSTONE  # nothing of these, anywhere public

# Staff sessions verified with a second factor, by role; the password-only session is an admin
# who never proved a second factor (the strongest account a stolen password opens).
SESSION_ROLES = {"author": "author", "editor": "editor", "publisher": "publisher", "admin": "admin"}
TOKEN_ROLES = {"token-author": "author", "token-publisher": "publisher"}
CALLERS = ("anonymous", *SESSION_ROLES, "password-only", *TOKEN_ROLES)

PASSWORD = "a long enough test password 1"
RECIPIENT = "mark-recipient@example.org"
HIDDEN_REFERENCE = (
    "MARK-HIDDEN-CAMPAIGN",
    "mark-hidden-campaign",
    "MARK-HIDDEN-TARGET",
    "mark-hidden-target",
    "MARK-HIDDEN-ASK",
    # The campaign tracker: a target only hidden statements invite, and what hidden
    # invitations and responses say.
    "MARK-HIDDEN-INVITED",
    "mark-hidden-invited",
    "MARK-HIDDEN-RESPONSE",
)
BURMESE = "စစ်ကောင်စီကို တရားဝင်အသိအမှတ်ပြုခြင်း ရပ်တန့်ပါ။"


def markers(cond: str) -> dict[str, str]:
    return {
        "title": f"MARK-TITLE-{cond}",
        "summary": f"MARK-SUM-{cond}",
        "body": f"MARK-BODY-{cond}",
        "slug": f"mark-{cond}",
        "my_title": f"MARK-MYTITLE-{cond}",
        "my_summary": f"MARK-MYSUM-{cond}",
        "my_body": f"MARK-MYBODY-{cond}",
        "reason": f"MARK-REASON-{cond}",
    }


def texts(cond: str) -> dict[str, dict]:
    m = markers(cond)
    return {
        "en": {
            "title": f"{m['title']} release",
            "summary": f"{m['summary']} summary.",
            "body": f"{m['body']} first paragraph.\n\nSecond paragraph.",
        },
        "my": {
            "title": f"{m['my_title']} {BURMESE}",
            "summary": f"{m['my_summary']} {BURMESE}",
            "body": f"{m['my_body']}\n\n{BURMESE}",
        },
    }


@dataclass
class World:
    pks: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # caller -> session key
    tokens: dict[str, str] = field(default_factory=dict)  # caller -> API token
    token_digest: str = ""  # the stored digest of token-author's token
    campaign: dict[str, str] = field(default_factory=dict)  # open / hidden-only -> slug
    target: dict[str, str] = field(default_factory=dict)
    ask: dict[str, int] = field(default_factory=dict)
    contact_pk: int = 0
    distribution_pk: int = 0
    unsubscribe_token: str = ""

    def slug(self, cond: str) -> str:
        return markers(cond)["slug"] if cond in self.pks else "no-such-release"

    def pk(self, cond: str) -> int | str:
        if cond == "malformed":
            return "abc"
        return self.pks.get(cond, 999999)


def _crew():
    from accounts.staff import staff_upsert

    def user(name, role):
        return staff_upsert(
            username=name, role=role, email=f"{name}@example.org", password=PASSWORD
        )[0]

    return {
        "writer": user("crew-writer", "author"),
        "reviewer": user("crew-reviewer", "editor"),
        "releaser": user("crew-releaser", "publisher"),
    }


def _statement(cond: str, crew, *, campaign: str, target: str, ask: str) -> int:
    from statements import workflow

    w, r, p = crew["writer"], crew["reviewer"], crew["releaser"]
    now = timezone.now()
    under_embargo = cond in ("embargoed", "embargo-retracted")
    translations = texts(cond)
    if cond == "deferred":
        translations["my"]["complete"] = False  # Burmese to follow: not ready, not public
    statement, _ = workflow.statement_create(
        by=w,
        campaign=campaign,
        slug=markers(cond)["slug"],
        translations=translations,
        embargo_until=now + datetime.timedelta(hours=6) if under_embargo else None,
        targets=[target],
        asks=[ask],
    )
    pk = statement.pk
    if cond == "draft":
        return pk
    if cond == "deferred":
        workflow.statement_defer_translation(
            statement_id=pk, by=p, languages=["my"], reason="Burmese to follow."
        )
    workflow.statement_submit(statement_id=pk, by=w)
    if cond == "in-review":
        return pk
    if cond == "changes-requested":
        workflow.statement_request_changes(statement_id=pk, by=r, comment="Say who said it.")
        return pk
    workflow.statement_approve(statement_id=pk, by=r)
    if cond == "approved":
        return pk
    if cond == "scheduled":
        workflow.statement_schedule(
            statement_id=pk, by=p, scheduled_at=now + datetime.timedelta(hours=6)
        )
        return pk
    workflow.statement_publish(statement_id=pk, by=p)
    if cond == "corrected":
        changed = texts(cond)
        changed["en"]["body"] = f"{markers(cond)['body']} corrected paragraph."
        # The Burmese was checked against the corrected English (else it is stale).
        workflow.statement_edit(
            statement_id=pk, by=w, translations={"en": changed["en"], "my": {"current": True}}
        )
        workflow.statement_submit(statement_id=pk, by=w)
        workflow.statement_approve(statement_id=pk, by=r)
        workflow.statement_correct(
            statement_id=pk, by=p, notes={"en": "A date was wrong.", "my": "ရက်စွဲ ပြင်ဆင်ပြီး။"}
        )
    if cond in ("retracted", "embargo-retracted"):
        workflow.statement_retract(statement_id=pk, by=p, reason=markers(cond)["reason"])
    return pk


def _tracker_records(world: World, crew, open_target, open_ask) -> None:
    """The campaign tracker's ledger around the statements: a public invitation answered, a
    target only hidden statements invite ("invited-only"), hidden invitations of the open target
    with a marked response, and a status change of the open ask citing a hidden statement."""
    from statements import ledger
    from statements.models import Invitation
    from tests.factories import TargetFactory

    invited_only = TargetFactory(slug="mark-hidden-invited", name={"en": "MARK-HIDDEN-INVITED"})
    world.target["invited-only"] = invited_only.slug
    today = timezone.localdate()
    Invitation.objects.create(  # the corrected release: the matrix invites from "published"
        statement_id=world.pks["corrected"],
        target=open_target,
        due_on=today - datetime.timedelta(days=1),
        responded_on=today - datetime.timedelta(days=2),
        response_url="https://example.org/open-response",
    )
    for cond in HIDDEN:
        for target in (invited_only, open_target):
            Invitation.objects.create(
                statement_id=world.pks[cond],
                target=target,
                due_on=today - datetime.timedelta(days=1),
                responded_on=today - datetime.timedelta(days=2),
                response_url="https://example.org/MARK-HIDDEN-RESPONSE",
                response_summary={"en": "MARK-HIDDEN-RESPONSE"},
            )
    for cond in ("draft", "embargoed", "embargo-retracted"):
        ledger.ask_status_change(
            ask=open_ask,
            status="partly_met",
            on=today - datetime.timedelta(days=3),
            by=crew["reviewer"],
            statement_id=world.pks[cond],
        )


def _verified_session(user) -> str:
    """A session logged in with a password and a TOTP device, as the desk login makes it."""
    import django_otp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _password_only_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_world() -> World:
    from accounts.staff import staff_token, staff_upsert
    from contacts.models import Membership
    from distribution import services as distribution_services
    from distribution.messages import unsubscribe_token
    from tests.conftest import restore_roles
    from tests.factories import (
        AskFactory,
        CampaignFactory,
        ContactFactory,
        MediaListFactory,
        TargetFactory,
    )

    restore_roles()
    world = World()
    crew = _crew()
    open_campaign = CampaignFactory(slug="open-campaign", name={"en": "Open campaign"})
    hidden_campaign = CampaignFactory(
        slug="mark-hidden-campaign",
        name={"en": "MARK-HIDDEN-CAMPAIGN", "my": "MARK-HIDDEN-CAMPAIGN"},
    )
    open_target = TargetFactory(slug="open-target", name={"en": "Open target"})
    hidden_target = TargetFactory(slug="mark-hidden-target", name={"en": "MARK-HIDDEN-TARGET"})
    open_ask = AskFactory(campaign=open_campaign, slug="open-ask", text={"en": "Open ask."})
    hidden_ask = AskFactory(
        campaign=hidden_campaign, slug="hidden-ask", text={"en": "MARK-HIDDEN-ASK"}
    )
    world.campaign = {"open": open_campaign.slug, "hidden-only": hidden_campaign.slug}
    world.target = {"open": open_target.slug, "hidden-only": hidden_target.slug}
    world.ask = {"open": open_ask.pk, "hidden-only": hidden_ask.pk}

    for cond in CONDITIONS:
        # Campaigns, targets and asks referred to only by statements the public may not see
        # are not public either.
        hidden = cond in HIDDEN
        world.pks[cond] = _statement(
            cond,
            crew,
            campaign=(hidden_campaign if hidden else open_campaign).slug,
            target=(hidden_target if hidden else open_target).slug,
            ask=(hidden_ask if hidden else open_ask).slug,
        )

    _tracker_records(world, crew, open_target, open_ask)

    # A send of the published release to one journalist, whose address is sensitive.
    media_list = MediaListFactory(slug="mark-list", name="Mark list")
    contact = ContactFactory(email=RECIPIENT, name="Recipient", languages=["en"])
    Membership.objects.create(contact=contact, media_list=media_list)
    distribution = distribution_services.distribution_start(
        statement_id=world.pks["published"], media_list_slugs=[media_list.slug], by=crew["releaser"]
    )
    world.contact_pk, world.distribution_pk = contact.pk, distribution.pk
    world.unsubscribe_token = unsubscribe_token(contact.pk)

    users = {}
    for caller, role in SESSION_ROLES.items():
        users[caller] = staff_upsert(
            username=f"caller-{role}",
            role=role,
            email=f"caller-{role}@example.org",
            password=PASSWORD,
        )[0]
        world.sessions[caller] = _verified_session(users[caller])
    pw_only = staff_upsert(
        username="caller-password-only", role="admin", email="pw@example.org", password=PASSWORD
    )[0]
    world.sessions["password-only"] = _password_only_session(pw_only)
    for caller, role in TOKEN_ROLES.items():
        world.tokens[caller] = staff_token(user=users[role])
    from accounts.models import ApiToken

    world.token_digest = ApiToken.objects.filter(user=users["author"]).get().digest
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # The crew builds the world through the services without a second factor; the callers
    # then meet production's setting: staff need a verified second factor.
    overrides = override_settings(
        STAFF_2FA_REQUIRED=True, MEDIA_ROOT=tmp_path_factory.mktemp("media")
    )
    overrides.enable()
    try:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with override_settings(STAFF_2FA_REQUIRED=False):
                    built = build_world()
                yield built
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
    finally:
        overrides.disable()

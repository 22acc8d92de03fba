"""The campaign tracker in the desk: campaigns, targets, roles, asks and invitations are read by
every staff role, written through their forms by the roles accounts/policy.py names (403 for
the others), and refused with a clear message (an overlapping holding names the holding in the
way; a status change needs a source)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Ask, Campaign, Role, RoleHolding, Target
from statements.models import AskStatusSource, Invitation, Statement
from tests.factories import (
    AskFactory,
    CampaignFactory,
    RoleFactory,
    RoleHoldingFactory,
    StatementFactory,
    TargetFactory,
    TranslationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MY_NAME = "အာဆီယံ လှုပ်ရှားမှု"


@pytest.fixture
def login(client, make_staff):
    def as_role(role: str):
        client.force_login(make_staff(role))
        return client

    return as_role


def released(campaign, *, days_ago: int = 10, **kwargs) -> Statement:
    statement = StatementFactory(
        campaign=campaign,
        state=Statement.State.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        **kwargs,
    )
    TranslationFactory(statement=statement, language="en", title=f"Release {statement.slug}")
    return statement


# --- reading ----------------------------------------------------------------------------------


def test_every_staff_role_reads_the_tracker_pages_and_the_nav_links_them(login):
    campaign = CampaignFactory(slug="asean", name={"en": "ASEAN", "my": MY_NAME})
    target = TargetFactory(slug="malaysia")
    role = RoleFactory(slug="asean-chair")
    RoleHoldingFactory(role=role, holder=target)
    ask = AskFactory(campaign=campaign, slug="ban-junta")
    ask.targets.add(target)
    statement = released(campaign)
    client = login("author")
    for url in (
        "/desk/campaigns/",
        "/desk/campaigns/asean/",
        "/desk/campaigns/asean/dashboard/",
        "/desk/targets/",
        "/desk/targets/malaysia/",
        "/desk/roles/",
        "/desk/roles/asean-chair/",
        "/desk/asks/",
        f"/desk/asks/{ask.pk}/",
        f"/desk/statements/{statement.pk}/invitations/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
    page = client.get("/desk/campaigns/")
    assert b'href="/desk/campaigns/"' in page.content  # the nav link
    # Burmese names are tagged so the Myanmar font applies.
    assert b'<dd lang="my">' in client.get(f"/desk/asks/{ask.pk}/").content
    # An author reads but is offered no form to write.
    assert b'action="/desk/campaigns/asean/"' not in client.get("/desk/campaigns/asean/").content


def test_the_statement_page_links_to_its_invitations(login):
    statement = released(CampaignFactory())
    page = login("editor").get(f"/desk/statements/{statement.pk}/")
    assert f'href="/desk/statements/{statement.pk}/invitations/"'.encode() in page.content
    assert b"Invite targets to respond" in page.content


# --- campaigns --------------------------------------------------------------------------------


def test_an_editor_creates_and_edits_a_campaign_in_both_languages(login):
    client = login("editor")
    page = client.get("/desk/campaigns/new/")
    assert re.search(
        rb'<input(?=[^>]*name="name_my")(?=[^>]*lang="my")', page.content
    )  # Myanmar font
    assert b"Name (Burmese)" in page.content  # language names, never codes
    response = client.post(
        "/desk/campaigns/new/",
        {
            "slug": "arms-embargo",
            "name_en": "Arms embargo",
            "name_my": "လက်နက် ပိတ်ဆို့ရေး",
            "description_en": "Stop the arms.",
            "status": "active",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/desk/campaigns/arms-embargo/"
    campaign = Campaign.objects.get(slug="arms-embargo")
    assert campaign.name == {"en": "Arms embargo", "my": "လက်နက် ပိတ်ဆို့ရေး"}
    response = client.post(
        "/desk/campaigns/arms-embargo/",
        {"name_en": "Global arms embargo", "status": "archived"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == {"en": "Global arms embargo"}
    assert campaign.status == "archived" and campaign.slug == "arms-embargo"


def test_a_campaign_without_a_name_or_with_a_taken_slug_is_refused_clearly(login):
    CampaignFactory(slug="taken")
    client = login("publisher")
    response = client.post("/desk/campaigns/new/", {"slug": "fresh", "status": "active"})
    assert response.status_code == 400
    assert b"needs text in at least one language" in response.content
    response = client.post(
        "/desk/campaigns/new/", {"slug": "taken", "name_en": "Again", "status": "active"}
    )
    assert response.status_code == 400 and b"exists" in response.content
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/desk/campaigns/new/", {"slug": "x", "name_en": "X", "status": "active"}),
        ("/desk/campaigns/c/", {"name_en": "X", "status": "active"}),
        ("/desk/targets/new/", {"slug": "x", "name_en": "X", "kind": "government"}),
        ("/desk/roles/new/", {"slug": "x", "name_en": "X"}),
        ("/desk/roles/r/holders/", {"holder": "", "starts_on": "2025-01-01"}),
        ("/desk/asks/new/", {"slug": "x", "text_en": "X"}),
    ],
)
def test_an_author_is_refused_every_write_with_403(login, url, data):
    CampaignFactory(slug="c")
    RoleFactory(slug="r")
    before = (Campaign.objects.count(), Target.objects.count(), Role.objects.count())
    response = login("author").post(url, data)
    assert response.status_code == 403
    assert b"Only editors, publishers and admins" in response.content
    assert (Campaign.objects.count(), Target.objects.count(), Role.objects.count()) == before
    assert not Ask.objects.exists() and not RoleHolding.objects.exists()


# --- targets and roles ------------------------------------------------------------------------


def test_an_editor_creates_a_target_with_its_parent_and_sees_its_roles(login):
    asean = TargetFactory(slug="asean", kind=Target.Kind.ORGANISATION)
    client = login("editor")
    response = client.post(
        "/desk/targets/new/",
        {
            "slug": "laos",
            "name_en": "Laos",
            "name_my": "လာအို",
            "kind": "government",
            "country": "la",
            "parent": asean.pk,
        },
    )
    assert response.status_code == 302
    laos = Target.objects.get(slug="laos")
    assert (laos.country, laos.parent, laos.name["my"]) == ("LA", asean, "လာအို")
    chair = RoleFactory(slug="asean-chair")
    RoleHoldingFactory(role=chair, holder=laos, starts_on=D(2024, 1, 1), ends_on=D(2025, 1, 1))
    page = client.get("/desk/targets/laos/")
    assert b"2024-01-01" in page.content and b"/desk/roles/asean-chair/" in page.content
    response = client.post("/desk/targets/laos/", {"name_en": "Lao PDR", "kind": "government"})
    assert response.status_code == 302
    laos.refresh_from_db()
    assert laos.name == {"en": "Lao PDR"} and laos.parent is None


def test_a_bad_country_code_is_refused_and_nothing_is_saved(login):
    response = login("editor").post(
        "/desk/targets/new/", {"slug": "x", "name_en": "X", "kind": "government", "country": "1"}
    )
    assert response.status_code == 400 and b"ISO 3166" in response.content
    assert not Target.objects.exists()


def test_role_holders_over_time_and_an_overlap_is_refused_naming_the_holding(login):
    chair = RoleFactory(slug="asean-chair", name={"en": "ASEAN Chair"})
    laos = TargetFactory(slug="laos", name={"en": "Laos"})
    malaysia = TargetFactory(slug="malaysia", name={"en": "Malaysia"})
    client = login("editor")
    response = client.post(
        "/desk/roles/asean-chair/holders/",
        {"holder": laos.pk, "starts_on": "2024-01-01", "ends_on": "2025-01-01"},
    )
    assert response.status_code == 302
    response = client.post(
        "/desk/roles/asean-chair/holders/",
        {"holder": malaysia.pk, "starts_on": "2024-12-01", "ends_on": "2026-01-01"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "overlaps Laos" in text and "ASEAN Chair" in text
    assert "from 2024-01-01 until 2025-01-01" in text
    assert RoleHolding.objects.filter(role=chair).count() == 1
    response = client.post(
        "/desk/roles/asean-chair/holders/",
        {"holder": malaysia.pk, "starts_on": "2025-01-01", "ends_on": "2026-01-01"},
    )
    assert response.status_code == 302
    page = client.get("/desk/roles/asean-chair/").content.decode()
    assert page.index("Malaysia") < page.index("Laos")  # newest first


def test_a_holding_ending_before_it_starts_is_refused(login):
    RoleFactory(slug="chair")
    target = TargetFactory()
    response = login("admin").post(
        "/desk/roles/chair/holders/",
        {"holder": target.pk, "starts_on": "2025-01-01", "ends_on": "2024-01-01"},
    )
    assert response.status_code == 400 and b"must end after it starts" in response.content
    assert not RoleHolding.objects.exists()


def test_a_role_is_created_and_a_holding_removed(login):
    client = login("editor")
    assert client.post("/desk/roles/new/", {"slug": "chair", "name_en": "Chair"}).status_code == 302
    holding = RoleHoldingFactory(role=Role.objects.get(slug="chair"))
    response = client.post(f"/desk/roles/chair/holders/{holding.pk}/remove/")
    assert response.status_code == 302 and not RoleHolding.objects.exists()


# --- asks -------------------------------------------------------------------------------------


def test_an_editor_creates_an_ask_with_text_per_language_and_targets(login):
    campaign = CampaignFactory(slug="asean")
    target = TargetFactory(slug="malaysia")
    client = login("editor")
    page = client.get("/desk/asks/new/?campaign=asean")
    assert b"Text (Burmese)" in page.content
    response = client.post(
        "/desk/asks/new/",
        {
            "campaign": campaign.pk,
            "slug": "ban-junta",
            "text_en": "Ban the junta from ASEAN meetings.",
            "text_my": "စစ်ကောင်စီကို ပိတ်ပင်ပါ။",
            "targets": [target.pk],
        },
    )
    assert response.status_code == 302
    ask = Ask.objects.get(slug="ban-junta")
    assert list(ask.targets.all()) == [target]
    assert ask.status == "open" and ask.status_changes.count() == 1
    page = client.get(f"/desk/asks/{ask.pk}/").content.decode()
    assert '<dd lang="my">စစ်ကောင်စီကို ပိတ်ပင်ပါ။</dd>' in page
    response = client.post(
        f"/desk/asks/{ask.pk}/", {"text_en": "Ban the junta, always.", "targets": []}
    )
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.text == {"en": "Ban the junta, always."} and not ask.targets.exists()


def test_a_status_change_without_a_source_is_refused_and_records_nothing(login):
    ask = AskFactory()
    response = login("editor").post(
        f"/desk/asks/{ask.pk}/status/", {"status": "met", "on": "2025-03-01"}
    )
    assert response.status_code == 400
    assert b"A status change needs a source" in response.content
    ask.refresh_from_db()
    assert ask.status == "open" and not ask.status_changes.exists()


def test_a_status_change_without_a_date_is_refused(login):
    ask = AskFactory()
    response = login("editor").post(
        f"/desk/asks/{ask.pk}/status/",
        {"status": "met", "on": "", "source_url": "https://example.org/news"},
    )
    assert response.status_code == 400 and not ask.status_changes.exists()


def test_a_status_change_with_a_link_or_one_of_our_statements_is_on_record(login):
    campaign = CampaignFactory()
    ask = AskFactory(campaign=campaign)
    statement = released(campaign)
    client = login("editor")
    response = client.post(
        f"/desk/asks/{ask.pk}/status/",
        {
            "status": "partly_met",
            "on": "2025-02-01",
            "source_url": "https://example.org/news",
            "note": "Reported by the wire.",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/desk/asks/{ask.pk}/status/",
        {"status": "rejected", "on": "2025-03-01", "statement": statement.pk},
    )
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.status == "rejected"
    assert AskStatusSource.objects.get(change__ask=ask).statement == statement
    page = client.get(f"/desk/asks/{ask.pk}/").content.decode()
    assert "https://example.org/news" in page and "Reported by the wire." in page
    assert f"/desk/statements/{statement.pk}/" in page


def test_an_author_cannot_change_an_ask_status(login):
    ask = AskFactory()
    response = login("author").post(
        f"/desk/asks/{ask.pk}/status/",
        {"status": "met", "on": "2025-03-01", "source_url": "https://example.org/"},
    )
    assert response.status_code == 403 and not ask.status_changes.exists()


# --- invitations ------------------------------------------------------------------------------


def test_a_publisher_invites_several_targets_and_records_a_response(login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    campaign = CampaignFactory()
    statement = released(campaign)
    laos, malaysia = TargetFactory(slug="laos"), TargetFactory(slug="malaysia")
    statement.targets.add(laos)
    client = login("publisher")
    page = client.get(f"/desk/statements/{statement.pk}/invitations/")
    assert b'name="due_on"' in page.content
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        f"/desk/statements/{statement.pk}/invitations/",
        {"targets": [laos.pk, malaysia.pk], "due_on": due},
    )
    assert response.status_code == 302
    assert set(statement.invitations.values_list("target__slug", flat=True)) == {
        "laos",
        "malaysia",
    }
    invitation = Invitation.objects.get(target=laos)
    pdf = SimpleUploadedFile("reply.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    response = client.post(
        f"/desk/invitations/{invitation.pk}/response/",
        {
            "responded_on": timezone.localdate().isoformat(),
            "summary_en": "They decline.",
            "summary_my": "ငြင်းဆိုသည်။",
            "url": "https://example.org/reply",
            "document": pdf,
        },
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "responded"
    assert invitation.response_summary == {"en": "They decline.", "my": "ငြင်းဆိုသည်။"}
    assert invitation.response_document.name.endswith(".pdf")
    page = client.get(f"/desk/statements/{statement.pk}/invitations/").content.decode()
    assert 'data-status="responded"' in page and 'data-status="awaiting"' in page


def test_inviting_with_a_past_date_or_nobody_is_refused_and_nothing_is_saved(login):
    statement = released(CampaignFactory())
    laos, malaysia = TargetFactory(), TargetFactory()
    Invitation.objects.create(statement=statement, target=malaysia, due_on=D(2030, 1, 1))
    client = login("publisher")
    url = f"/desk/statements/{statement.pk}/invitations/"
    response = client.post(url, {"targets": [laos.pk], "due_on": "2001-01-01"})
    assert response.status_code == 400 and b"today or later" in response.content
    response = client.post(url, {"due_on": "2030-01-01"})
    assert response.status_code == 400 and b"Choose at least one target" in response.content
    assert statement.invitations.count() == 1


def test_a_fake_document_is_refused_with_a_clear_message(login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    statement = released(CampaignFactory())
    invitation = Invitation.objects.create(
        statement=statement, target=TargetFactory(), due_on=D(2030, 1, 1)
    )
    fake = SimpleUploadedFile("reply.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = login("admin").post(
        f"/desk/invitations/{invitation.pk}/response/",
        {"responded_on": timezone.localdate().isoformat(), "document": fake},
    )
    assert response.status_code == 400 and b"PDF, PNG or JPEG" in response.content
    invitation.refresh_from_db()
    assert invitation.responded_on is None


def test_editors_read_invitations_but_may_not_invite(login):
    statement = released(CampaignFactory())
    target = TargetFactory()
    client = login("editor")
    page = client.get(f"/desk/statements/{statement.pk}/invitations/")
    assert page.status_code == 200 and b'name="due_on"' not in page.content
    response = client.post(
        f"/desk/statements/{statement.pk}/invitations/",
        {"targets": [target.pk], "due_on": "2030-01-01"},
    )
    assert response.status_code == 403 and not Invitation.objects.exists()

"""Invitations to respond: awaiting until the deadline passes, then no response, responded
once a response is recorded; response documents checked by content; response rates."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.staff import staff_token
from config.errors import NotAllowed, RuleBroken
from statements import ledger, workflow
from statements.models import Invitation, ledger_today
from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


@pytest.fixture
def minister(db):
    return TargetFactory(slug="malaysia", name={"en": "Government of Malaysia"})


@time_machine.travel(datetime.datetime(2025, 5, 1, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_an_invitation_awaits_until_its_deadline_then_shows_no_response(published, staff, minister):
    invitation = ledger.invitation_create(
        statement_id=published.pk, target=minister.slug, due_on=D(2025, 5, 8), by=staff.publisher
    )
    assert invitation.status == "awaiting"
    with time_machine.travel(datetime.datetime(2025, 5, 8, 12, 0, tzinfo=datetime.UTC)):
        assert invitation.status == "awaiting"  # the deadline day itself still counts
    # The day after, in Myanmar time (UTC+6:30): 2025-05-08 18:00 UTC is already the 9th.
    with time_machine.travel(datetime.datetime(2025, 5, 8, 18, 0, tzinfo=datetime.UTC)):
        assert invitation.status == "no_response"
        annotated = Invitation.objects.with_status().get(pk=invitation.pk)
        assert annotated.current_status == "no_response"
    assert invitation.status_on(D(2025, 5, 9)) == "no_response"


def test_a_response_after_the_deadline_counts_as_responded(published, staff, minister):
    invitation = ledger.invitation_create(
        statement_id=published.pk,
        target=minister,
        due_on=ledger_today(),
        by=staff.publisher,
    )
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10)
    invitation, _ = ledger.invitation_respond(
        invitation=invitation,
        responded_on=ledger_today(later),
        by=staff.publisher,
        summary={"en": "They wrote back.", "my": "ပြန်စာ ရေးသည်။"},
        url="https://example.org/reply",
        now=later,
    )
    assert invitation.status_on(ledger_today(later)) == "responded"
    assert invitation.summary_in("my") == "ပြန်စာ ရေးသည်။"


def test_invitation_rules(published, staff, minister):
    with pytest.raises(NotAllowed):
        ledger.invitation_create(
            statement_id=published.pk, target=minister, due_on=D(2999, 1, 1), by=staff.editor
        )
    with pytest.raises(RuleBroken, match="already passed"):
        ledger.invitation_create(
            statement_id=published.pk, target=minister, due_on=D(2000, 1, 1), by=staff.publisher
        )
    with pytest.raises(RuleBroken, match="Unknown target"):
        ledger.invitation_create(
            statement_id=published.pk, target="nobody", due_on=D(2999, 1, 1), by=staff.publisher
        )
    with pytest.raises(RuleBroken, match="contact_email"):
        ledger.invitation_create(
            statement_id=published.pk,
            target=minister,
            due_on=D(2999, 1, 1),
            by=staff.publisher,
            contact_email="not an address\r\nBcc: x@example.org",
        )
    ledger.invitation_create(
        statement_id=published.pk,
        target=minister,
        due_on=D(2999, 1, 1),
        by=staff.publisher,
        contact_email="press@example.gov.my",
    )
    with pytest.raises(RuleBroken, match="already invited"):
        ledger.invitation_create(
            statement_id=published.pk, target=minister, due_on=D(2999, 1, 1), by=staff.publisher
        )
    assert Invitation.objects.get().contact_email == "press@example.gov.my"


def test_a_retracted_statement_takes_no_invitation(published, staff, minister):
    workflow.statement_retract(statement_id=published.pk, by=staff.publisher, reason="Wrong.")
    with pytest.raises(RuleBroken, match="retracted"):
        ledger.invitation_create(
            statement_id=published.pk, target=minister, due_on=D(2999, 1, 1), by=staff.publisher
        )


def test_a_response_document_is_checked_by_content_and_size(published, staff, minister):
    invitation = ledger.invitation_create(
        statement_id=published.pk, target=minister, due_on=D(2999, 1, 1), by=staff.publisher
    )
    fake = SimpleUploadedFile("reply.pdf", b"<html><script>x</script></html>")
    with pytest.raises(RuleBroken, match="PDF, PNG or JPEG"):
        ledger.invitation_respond(
            invitation=invitation, responded_on=ledger_today(), by=staff.publisher, document=fake
        )
    renamed = SimpleUploadedFile("reply.html", PDF)
    with pytest.raises(RuleBroken, match=r"\.pdf"):
        ledger.invitation_respond(
            invitation=invitation,
            responded_on=ledger_today(),
            by=staff.publisher,
            document=renamed,
        )
    huge = SimpleUploadedFile("reply.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(RuleBroken, match="largest allowed"):
        ledger.invitation_respond(
            invitation=invitation, responded_on=ledger_today(), by=staff.publisher, document=huge
        )
    invitation.refresh_from_db()
    assert invitation.responded_on is None and not invitation.response_document


def test_a_response_cannot_be_dated_in_the_future(published, staff, minister):
    invitation = ledger.invitation_create(
        statement_id=published.pk, target=minister, due_on=D(2999, 1, 1), by=staff.publisher
    )
    with pytest.raises(RuleBroken, match="future"):
        ledger.invitation_respond(
            invitation=invitation, responded_on=D(2999, 1, 1), by=staff.publisher
        )


def test_response_rates_per_target_and_per_campaign(published, staff, minister):
    chair = TargetFactory(slug="asean")
    silent = TargetFactory(slug="india")
    start = datetime.datetime(2030, 1, 1, 3, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        answered = ledger.invitation_create(
            statement_id=published.pk, target=minister, due_on=D(2030, 1, 8), by=staff.publisher
        )
        ledger.invitation_create(
            statement_id=published.pk, target=chair, due_on=D(2030, 1, 8), by=staff.publisher
        )
        ledger.invitation_create(
            statement_id=published.pk, target=silent, due_on=D(2030, 3, 1), by=staff.publisher
        )
        ledger.invitation_respond(
            invitation=answered, responded_on=D(2030, 1, 1), by=staff.publisher
        )
    by_target = ledger.response_rates_by_target(today=D(2030, 2, 1))
    assert by_target[minister.pk].rate == 1.0
    assert by_target[chair.pk].rate == 0.0 and by_target[chair.pk].no_response == 1
    assert by_target[silent.pk].rate is None and by_target[silent.pk].awaiting == 1
    by_campaign = ledger.response_rates_by_campaign(today=D(2030, 2, 1))
    rate = by_campaign[published.campaign_id]
    assert (rate.invited, rate.responded, rate.no_response, rate.awaiting) == (3, 1, 1, 1)
    assert rate.rate == 0.5


# --- the staff API ----------------------------------------------------------------------


def test_api_invites_a_target_and_records_the_response(
    published, staff, minister, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(staff.publisher)
    response = client.post(
        f"/api/v1/statements/{published.pk}/invitations/",
        {"target": "malaysia", "due_on": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    invitation_id = response.json()["id"]
    assert response.json()["status"] == "awaiting"

    listed = client_for(staff.author).get(f"/api/v1/statements/{published.pk}/invitations/")
    assert [i["id"] for i in listed.json()["results"]] == [invitation_id]

    response = client.post(
        f"/api/v1/invitations/{invitation_id}/response/",
        {
            "responded_on": ledger_today().isoformat(),
            "summary.en": "They replied.",
            "url": "https://example.org/reply",
            "document": SimpleUploadedFile("reply.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "responded"
    assert body["summary"] == {"en": "They replied."}
    assert body["document_url"].endswith(".pdf")


def test_api_invitation_refusals(published, staff, minister):
    path = f"/api/v1/statements/{published.pk}/invitations/"
    data = {"target": "malaysia", "due_on": "2999-01-01"}
    assert client_for(staff.editor).post(path, data, format="json").status_code == 403
    assert client_for().post(path, data, format="json").status_code in (401, 403)
    publisher = client_for(staff.publisher)
    missing = publisher.post("/api/v1/statements/999999/invitations/", data, format="json")
    assert missing.status_code == 404
    bad = publisher.post(path, {"target": "nobody", "due_on": "2999-01-01"}, format="json")
    assert bad.status_code == 400 and "Unknown target" in bad.json()["message"]
    no_date = publisher.post(path, {"target": "malaysia"}, format="json")
    assert no_date.status_code == 400 and "due_on" in no_date.json()["message"]
    response = publisher.post("/api/v1/invitations/999999/response/", {}, format="json")
    assert response.status_code == 404
    assert not Invitation.objects.exists()

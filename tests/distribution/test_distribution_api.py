from __future__ import annotations

import datetime

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.staff import staff_token
from contacts.models import Contact, Suppression
from distribution import messages, services
from distribution.models import Delivery
from statements.models import Statement
from tests.distribution.helpers import make_statement
from tests.factories import MediaListFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


def test_api_starts_a_send_and_reports_counts(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    api = client_for(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/distributions/",
            {"statement": statement.pk, "media_lists": ["press", "wire"]},
            format="json",
        )
    assert response.status_code == 201
    distribution_id = response.json()["id"]
    body = api.get(f"/api/v1/distributions/{distribution_id}/").json()
    assert body["id"] == distribution_id and body["status"] == "done"
    assert body["counts"] == {
        "pending": 0,
        "sending": 0,
        "sent": 3,
        "failed": 0,
        "bounced": 0,
        "skipped": 1,
    }
    assert len(mail.outbox) == 3


def test_api_refuses_untrusted_list_for_embargoed_release_with_400(publisher, audience):
    statement = make_statement(
        slug="embargoed", embargo_until=timezone.now() + datetime.timedelta(hours=2)
    )
    response = client_for(publisher).post(
        "/api/v1/distributions/",
        {"statement": statement.pk, "media_lists": ["press"]},
        format="json",
    )
    assert response.status_code == 400
    assert "embargo" in response.json()["message"]
    assert response.json()["extra"]["untrusted_lists"] == ["press"]


@pytest.mark.parametrize("role", ["author", "editor"])
def test_api_refuses_roles_without_the_right_with_403(make_staff, role, statement, audience):
    response = client_for(make_staff(role)).post(
        "/api/v1/distributions/",
        {"statement": statement.pk, "media_lists": ["press"]},
        format="json",
    )
    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}


def test_api_bad_input_is_400_not_500(publisher, audience):
    api = client_for(publisher)
    assert api.post("/api/v1/distributions/", {"statement": "x"}, format="json").status_code == 400
    assert (
        api.post(
            "/api/v1/distributions/", {"statement": 999999, "media_lists": ["press"]}, format="json"
        ).status_code
        == 400
    )
    assert api.post("/api/v1/distributions/", {}, format="json").status_code == 400
    bogus = api.post(
        "/api/v1/distributions/",
        {"statement": 1, "media_lists": ["press"], "kind": "bogus"},
        format="json",
    )
    assert bogus.status_code == 400 and "release" in bogus.json()["message"]
    assert api.get("/api/v1/distributions/999999/").status_code == 404
    assert APIClient().get("/api/v1/distributions/1/").status_code in (401, 403)


def test_api_pause_resume_cancel(publisher, statement, audience):
    api = client_for(publisher)
    distribution = services.distribution_start(
        statement_id=statement.pk,
        media_list_slugs=["press"],
        by=publisher,
        send_at=timezone.now() + datetime.timedelta(hours=1),
    )
    base = f"/api/v1/distributions/{distribution.pk}"
    assert api.post(f"{base}/pause/").json()["status"] == "paused"
    assert api.post(f"{base}/pause/").status_code == 400
    assert api.post(f"{base}/resume/").json()["status"] == "queued"
    cancelled = api.post(f"{base}/cancel/").json()
    assert cancelled["status"] == "cancelled" and cancelled["counts"]["skipped"] == 4
    assert api.post(f"{base}/resume/").status_code == 400


def test_unsubscribe_get_changes_nothing_and_post_unsubscribes(client, audience):
    contact = audience["en"]
    url = f"/unsubscribe/{messages.unsubscribe_token(contact.pk)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"<form" in page.content
    contact.refresh_from_db()
    assert contact.status == "active"
    done = client.post(url)  # no CSRF token: mail clients POST one-click (RFC 8058)
    assert done.status_code == 200
    contact.refresh_from_db()
    assert contact.status == "unsubscribed"
    assert Suppression.covers(contact.email)
    assert client.post(url).status_code == 200  # idempotent


def test_unsubscribe_with_a_forged_token_is_404(client, audience):
    forged = messages.unsubscribe_token(audience["en"].pk)[:-2] + "xx"
    assert client.get(f"/unsubscribe/{forged}/").status_code == 404
    assert client.post(f"/unsubscribe/{forged}/").status_code == 404
    assert Contact.objects.get(pk=audience["en"].pk).status == "active"


def test_one_click_unsubscribe_from_the_message_header(
    client, publisher, statement, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=publisher
        )
    message = next(m for m in mail.outbox if m.to == ["my@example.org"])
    header = message.extra_headers["List-Unsubscribe"]
    url = header.split("<", 1)[1].split(">", 1)[0]
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Contact.objects.get(email="my@example.org").status == "unsubscribed"


def test_bounce_and_complaint_webhooks_suppress(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=publisher
        )
    delivery = Delivery.objects.get(address="en@example.org")
    tracking.send(
        sender=object,
        esp_name="TestESP",
        event=AnymailTrackingEvent(
            event_type="bounced",
            message_id=delivery.message_id,
            recipient="en@example.org",
            description="550 5.1.1 user unknown",
            mta_response="550 5.1.1 user unknown",
        ),
    )
    delivery.refresh_from_db()
    assert delivery.state == "bounced"
    assert Contact.objects.get(email="en@example.org").status == "bounced"
    assert Suppression.covers("en@example.org")

    tracking.send(
        sender=object,
        esp_name="TestESP",
        event=AnymailTrackingEvent(event_type="complained", recipient="MY@example.org"),
    )
    assert Contact.objects.get(email="my@example.org").status == "complained"
    assert Suppression.covers("my@example.org")


def test_soft_bounce_webhook_does_not_suppress(audience):
    tracking.send(
        sender=object,
        esp_name="TestESP",
        event=AnymailTrackingEvent(
            event_type="bounced", recipient="en@example.org", mta_response="452 4.2.2 mailbox full"
        ),
    )
    assert not Suppression.covers("en@example.org")


def test_messages_through_anymail_test_backend_record_the_provider_id(
    publisher, statement, audience, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=publisher
        )
    sent = Delivery.objects.filter(state="sent")
    assert sent.count() == 3
    assert all(d.message_id and not d.message_id.startswith("<pressroom") for d in sent)


def test_desk_pages_for_sends(client, publisher, statement, audience):
    client.force_login(publisher)
    trusted = MediaListFactory(slug="trusted", embargo_trusted=True)
    assert trusted
    page = client.get(
        "/desk/sends/new/", {"statement": statement.pk, "media_lists": ["press", "wire"]}
    )
    assert page.status_code == 200
    assert page.context["preview"]["by_variant"] == {"en": 1, "my": 1, "my+en": 1}
    assert page.context["preview"]["skipped"] == 1
    response = client.post(
        "/desk/sends/new/", {"statement": statement.pk, "media_lists": ["press"], "confirm": "yes"}
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and b"en@example.org" in detail.content
    assert client.get("/desk/sends/").status_code == 200
    distribution_id = detail.context["distribution"].pk
    progress = client.get(f"/desk/sends/{distribution_id}/progress.json").json()
    assert sum(progress["counts"].values()) == 4
    cancel = client.post(f"/desk/sends/{distribution_id}/cancel/")
    assert cancel.status_code in (302, 400)


def test_desk_send_refused_for_an_author(client, make_staff, statement):
    client.force_login(make_staff("author"))
    assert client.get("/desk/sends/new/").status_code == 403


def test_mailto_unsubscribe_arrives_through_anymail_inbound(audience):
    from anymail.inbound import AnymailInboundMessage
    from anymail.signals import AnymailInboundEvent, inbound

    token = messages.unsubscribe_token(audience["my"].pk)
    for subject in ("hello", f"unsubscribe {token[:-3]}xyz", f"unsubscribe {token}"):
        message = AnymailInboundMessage.construct(
            from_email="someone@example.net", to="unsubscribe@pressroom.invalid", subject=subject
        )
        inbound.send(
            sender=object,
            esp_name="TestESP",
            event=AnymailInboundEvent(event_type="inbound", message=message),
        )
        expected = "unsubscribed" if subject.endswith(token) else "active"
        assert Contact.objects.get(pk=audience["my"].pk).status == expected


def test_sends_in_progress_for_the_dashboard(publisher, statement, audience):
    from distribution.selectors import sends_in_progress

    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    row = sends_in_progress().get()
    assert row.pk == distribution.pk
    assert (row.pending, row.skipped, row.total) == (3, 1, 4)
    services.distribution_cancel(distribution_id=distribution.pk, by=publisher)
    assert not sends_in_progress().exists()


def test_desk_preview_warns_of_recipients_not_trusted_with_an_embargo(client, publisher, audience):
    embargo = timezone.now() + datetime.timedelta(hours=5)
    statement = make_statement(slug="embargoed-preview", embargo_until=embargo)
    trusted = MediaListFactory(slug="trusted", embargo_trusted=True)
    audience["en"].lists.add(trusted)
    audience["my"].lists.add(trusted)
    Contact.objects.filter(pk=audience["my"].pk).update(embargo_trusted=True)
    client.force_login(publisher)

    page = client.get("/desk/sends/new/", {"statement": statement.pk, "media_lists": ["trusted"]})

    assert page.status_code == 200
    assert page.context["preview"]["recipients"] == 2
    assert page.context["preview"]["not_embargo_trusted"] == 1
    assert b"1 of these recipients is on a trusted list but not marked" in page.content
    # Once the embargo has passed there is nothing to warn about.
    Statement.objects.filter(pk=statement.pk).update(embargo_until=None)
    page = client.get("/desk/sends/new/", {"statement": statement.pk, "media_lists": ["trusted"]})
    assert page.context["preview"]["not_embargo_trusted"] == 0
    assert b"not marked as trusted" not in page.content

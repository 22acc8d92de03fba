"""Plain text only: a contact who asked for it gets a text/plain message with no HTML part
(still the list headers and the unsubscribe link, and under embargo the reference), on the
pre-built path and the general one; set through the staff API and the admin."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.staff import staff_token
from contacts.models import Contact
from distribution import leak_refs, sending, services
from distribution.models import Delivery
from tests.distribution.helpers import make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port)
    yield recorder
    controller.stop()


def _send(publisher, *, embargoed: bool = False):
    embargo = timezone.now() + datetime.timedelta(hours=3) if embargoed else None
    statement = make_statement(slug="plain", embargo_until=embargo)
    press = MediaListFactory(slug="press", embargo_trusted=True)
    for address, plain in (("plain@example.org", True), ("rich@example.org", False)):
        ContactFactory(
            email=address, languages=["my", "en"], plain_text_only=plain, embargo_trusted=True
        ).lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    return distribution


@pytest.mark.parametrize("fast", [True, False], ids=["prebuilt", "general"])
def test_plain_text_contact_gets_no_html_part_and_keeps_the_headers(
    sink, publisher, monkeypatch, fast
):
    if not fast:
        monkeypatch.setattr(sending, "_fast_path", lambda connection: False)
    _send(publisher)
    received = dict(sink.messages())
    plain, rich = received["plain@example.org"], received["rich@example.org"]
    assert plain.get_content_type() == "text/plain"
    assert not plain.is_multipart()
    assert plain.get_body(("html",)) is None
    assert "<html" not in plain.as_string().lower()
    for header in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Message-ID"):
        assert plain[header], header
    text = plain.get_content()
    assert "/unsubscribe/" in text and "ASEAN" in text
    assert "ပထမ စာပိုဒ်" in text  # both languages, as the rich copy
    # The other contact of the same send still gets both parts.
    assert rich.get_content_type() == "multipart/alternative"
    assert rich.get_body(("html",)) is not None


def test_plain_text_embargoed_copy_still_carries_its_reference(sink, publisher):
    distribution = _send(publisher, embargoed=True)
    plain = dict(sink.messages())["plain@example.org"]
    delivery = Delivery.objects.get(distribution=distribution, address="plain@example.org")
    reference = leak_refs.reference_for(delivery.pk)
    assert plain["X-Pressroom-Ref"] == reference
    # The footer is in the contact's first language (Burmese here).
    assert f"မိတ္တူ ရည်ညွှန်းအမှတ်: {reference}" in plain.get_content()
    assert plain.get_body(("html",)) is None


def test_the_preference_read_at_send_time(sink, publisher):
    statement = make_statement(slug="later")
    press = MediaListFactory(slug="press")
    contact = ContactFactory(email="late@example.org", languages=["en"])
    contact.lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    # Asked for plain text after the recipients' snapshot, before the message went.
    Contact.objects.filter(pk=contact.pk).update(plain_text_only=True)
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    message = dict(sink.messages())["late@example.org"]
    assert message.get_content_type() == "text/plain"


def test_api_sets_and_shows_the_preference(publisher):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=publisher)}")
    created = api.post(
        "/api/v1/contacts/",
        {"email": "monitored@example.org", "languages": ["my"], "plain_text_only": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["plain_text_only"] is True
    contact = Contact.objects.get(email="monitored@example.org")
    assert contact.plain_text_only
    patched = api.patch(
        f"/api/v1/contacts/{contact.pk}/", {"plain_text_only": False}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["plain_text_only"] is False
    assert api.get(f"/api/v1/contacts/{contact.pk}/").json()["plain_text_only"] is False
    bad = api.patch(f"/api/v1/contacts/{contact.pk}/", {"plain_text_only": "maybe"}, format="json")
    assert bad.status_code == 400
    contact.refresh_from_db()
    assert contact.plain_text_only is False


def test_admin_shows_and_filters_the_preference(make_staff, client):
    ContactFactory(email="plain-admin@example.org", plain_text_only=True)
    client.force_login(make_staff("admin"))
    listing = client.get("/admin/contacts/contact/", {"plain_text_only__exact": "1"})
    assert listing.status_code == 200
    assert "plain-admin@example.org" in listing.content.decode()
    contact = Contact.objects.get(email="plain-admin@example.org")
    form = client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert 'name="plain_text_only"' in form.content.decode()

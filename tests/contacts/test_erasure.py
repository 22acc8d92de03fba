"""Erasure leaves nothing of a contact but the suppression hash: service and Django admin."""

from __future__ import annotations

import smtplib

import pytest
from django.apps import apps
from django.core import serializers

from config.errors import RuleBroken
from contacts.models import Contact, Suppression, address_hash
from contacts.services import contact_create, contact_erase
from distribution import sending, services
from distribution.models import Delivery
from tests.distribution.backends import HookBackend
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Aye.Aye@Example.org"
NAME = "Daw Aye Aye Thant"
OUTLET = "Frontier Yangon Desk"


@pytest.fixture
def publisher(make_staff):
    return make_staff("publisher")


@pytest.fixture
def admin_client(client, make_staff):
    client.force_login(make_staff("admin"))
    return client


@pytest.fixture
def refusing_with_the_address(settings):
    """A server whose refusals quote the address, as most do."""
    settings.EMAIL_BACKEND = "tests.distribution.backends.HookBackend"

    def refuse(address: str) -> None:
        reply = f"4.2.2 <{address}>: mailbox full, try later".encode()
        raise smtplib.SMTPRecipientsRefused({address: (452, reply)})

    HookBackend.before_send = refuse
    yield
    HookBackend.before_send = None


def _everything_stored() -> str:
    """Every row of every table, as text (what dumpdata would write)."""
    return "\n".join(
        serializers.serialize("json", model._base_manager.all()) for model in apps.get_models()
    ).lower()


def _sent_to(contact: Contact, publisher) -> Delivery:
    media_list = MediaListFactory(slug="press")
    contact.lists.add(media_list)
    distribution = services.distribution_start(
        statement_id=make_statement().pk, media_list_slugs=["press"], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk)
    return Delivery.objects.get(contact=contact)


def _assert_erased(contact_id: int, address: str = ADDRESS) -> None:
    contact = Contact.objects.get(pk=contact_id)
    assert contact.status == Contact.Status.ERASED
    assert Suppression.objects.filter(address_hash=address_hash(address)).exists()
    for delivery in Delivery.objects.filter(contact_id=contact_id):
        assert delivery.address == contact.email and delivery.last_error == ""


def test_smtp_replies_quoting_the_address_are_kept_without_it(publisher, refusing_with_the_address):
    contact = ContactFactory(email=ADDRESS, name=NAME)
    delivery = _sent_to(contact, publisher)
    assert delivery.state == "pending" and "452" in delivery.last_error
    assert "mailbox full" in delivery.last_error
    assert ADDRESS.lower() not in delivery.last_error.lower()


def test_erasure_leaves_only_the_suppression_hash(publisher, admin_client, settings):
    contact = ContactFactory(email=ADDRESS, name=NAME, outlet=OUTLET, country="MM")
    delivery = _sent_to(contact, publisher)
    # As earlier versions kept it, and as an email provider's bounce report may word it.
    Delivery.objects.filter(pk=delivery.pk).update(
        last_error=f"550 5.1.1 <{ADDRESS}> ({NAME}): no such user"
    )
    # An admin edit leaves a history entry that names the contact.
    response = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert response.status_code == 200
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.log_actions(
        user_id=admin_client.session["_auth_user_id"],
        queryset=[contact],
        action_flag=CHANGE,
        change_message="[]",
    )
    stored = _everything_stored()
    assert ADDRESS.lower() in stored and NAME.lower() in stored

    contact_erase(contact_id=contact.pk)

    stored = _everything_stored()
    for personal in (ADDRESS, NAME, OUTLET):
        assert personal.lower() not in stored, personal
    _assert_erased(contact.pk)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    )
    assert entry.object_repr == f"contact #{contact.pk}"
    # The hash is enough to refuse the address, whatever its case.
    with pytest.raises(RuleBroken, match="suppression list"):
        contact_create(email=ADDRESS.upper(), languages=["en"])


def test_deleting_a_contact_in_the_admin_erases_it(publisher, admin_client):
    contact = ContactFactory(email=ADDRESS, name=NAME, outlet=OUTLET)
    _sent_to(contact, publisher)

    confirm = admin_client.get(f"/admin/contacts/contact/{contact.pk}/delete/")
    assert confirm.status_code == 200
    response = admin_client.post(f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    _assert_erased(contact.pk)
    stored = _everything_stored()
    for personal in (ADDRESS, NAME, OUTLET):
        assert personal.lower() not in stored, personal
    with pytest.raises(RuleBroken, match="suppression list"):
        contact_create(email=ADDRESS, languages=["en"])
    # What is left cannot be edited back into a contact from the admin.
    page = admin_client.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert page.status_code == 200
    assert b'name="email"' not in page.content


def test_bulk_delete_in_the_admin_erases_each_contact(publisher, admin_client):
    first = ContactFactory(email=ADDRESS, name=NAME)
    second = ContactFactory(email="ko.zaw@example.net", name="Ko Zaw Min")
    kept = ContactFactory(email="kept@example.com", name="Stays Here")
    _sent_to(first, publisher)

    response = admin_client.post(
        "/admin/contacts/contact/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    _assert_erased(first.pk)
    _assert_erased(second.pk, "ko.zaw@example.net")
    kept.refresh_from_db()
    assert kept.status == Contact.Status.ACTIVE and kept.email == "kept@example.com"
    stored = _everything_stored()
    for personal in (ADDRESS, NAME, "ko.zaw@example.net", "ko zaw min"):
        assert personal.lower() not in stored, personal
    assert Contact.objects.count() == 3  # erased rows stay, so their deliveries stay counted

import pytest
from django.db import IntegrityError, transaction

from contacts.models import Suppression, address_hash
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


def test_contact_email_is_unique_regardless_of_case():
    ContactFactory(email="Reporter@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(email="reporter@example.ORG")


def test_a_contact_is_on_a_list_once():
    contact, media_list = ContactFactory(), MediaListFactory()
    contact.lists.add(media_list)
    from contacts.models import Membership

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(contact=contact, media_list=media_list)


def test_suppression_stores_a_keyed_hash_not_the_address():
    Suppression.objects.create(address_hash=address_hash("Gone@Example.org"), reason="erased")
    stored = Suppression.objects.get()
    assert "gone" not in stored.address_hash
    assert Suppression.covers("gone@example.org")
    assert not Suppression.covers("other@example.org")


def test_suppression_hash_is_unique():
    Suppression.objects.create(address_hash=address_hash("a@example.org"), reason="bounced")
    with pytest.raises(IntegrityError), transaction.atomic():
        Suppression.objects.create(address_hash=address_hash("A@example.org"), reason="manual")

"""The desk's contacts page: publishers see who unsubscribed or bounced, and when."""

from __future__ import annotations

import pytest

from contacts.models import Contact, Suppression
from contacts.services import contact_suppress, contact_unsubscribe
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    press = MediaListFactory(slug="press", name="Regional press")
    kept = ContactFactory(email="kept@example.org", name="Kept", outlet="Frontier")
    left = ContactFactory(email="left@example.org", name="Left")
    bounced = ContactFactory(email="bounced@example.org")
    for contact in (kept, left, bounced):
        contact.lists.add(press)
    contact_unsubscribe(contact_id=left.pk)
    contact_suppress(email="bounced@example.org", reason=Suppression.Reason.BOUNCED)
    return {"kept": kept, "left": left, "bounced": bounced}


def test_a_publisher_sees_recent_unsubscribes_and_every_contact(client, make_staff, contacts):
    client.force_login(make_staff("publisher"))
    page = client.get("/desk/contacts/")
    assert page.status_code == 200
    recent = [c.email for c in page.context["recent"]]
    assert sorted(recent) == ["bounced@example.org", "left@example.org"]
    assert [c.email for c in page.context["page"]] == [
        "bounced@example.org",
        "kept@example.org",
        "left@example.org",
    ]
    assert b"Unsubscribed" in page.content and b"Bounced" in page.content
    assert b'href="/desk/contacts/"' in page.content  # in the desk's navigation


def test_filters_narrow_the_list(client, make_staff, contacts):
    client.force_login(make_staff("publisher"))
    by_status = client.get("/desk/contacts/", {"status": "unsubscribed"})
    assert [c.email for c in by_status.context["page"]] == ["left@example.org"]
    by_outlet = client.get("/desk/contacts/", {"q": "frontier", "list": "press"})
    assert [c.email for c in by_outlet.context["page"]] == ["kept@example.org"]
    unknown = client.get("/desk/contacts/", {"status": "nonsense", "list": "nowhere"})
    assert unknown.status_code == 200 and list(unknown.context["page"]) == []


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_do_not_see_contacts(client, make_staff, contacts, role):
    client.force_login(make_staff(role))
    page = client.get("/desk/contacts/")
    assert page.status_code == 403
    assert b"left@example.org" not in page.content
    assert b'href="/desk/contacts/"' not in client.get("/desk/").content


def test_erased_contacts_are_not_listed(client, make_staff, contacts):
    Contact.objects.filter(pk=contacts["kept"].pk).update(status=Contact.Status.ERASED)
    client.force_login(make_staff("admin"))
    emails = [c.email for c in client.get("/desk/contacts/").context["page"]]
    assert "kept@example.org" not in emails

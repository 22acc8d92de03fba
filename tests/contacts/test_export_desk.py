"""The desk's exports (publishers and admins): CSV and JSON downloads of a list, a segment or a
filter, streamed, never cached; a data-subject export by address; each recorded with who did
it; the log for admins; authors and editors refused."""

from __future__ import annotations

import csv
import io
import json

import pytest

from contacts.models import DataAccessEvent
from contacts.segments import clean_filter, segment_create
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

BURMESE = "မဇ္ဈိမ"


@pytest.fixture
def book():
    press = MediaListFactory(slug="press", name="Regional press")
    one = ContactFactory(email="one@example.org", outlet=BURMESE, country="MM")
    two = ContactFactory(email="two@example.org", name="=cmd|' /C calc'!A0", country="TH")
    ContactFactory(email="three@example.org", country="MM")
    one.lists.add(press)
    two.lists.add(press)
    return {"press": press, "one": one}


def _body(response) -> str:
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content).decode("utf-8")


def test_a_publisher_downloads_a_list_as_csv(client, make_staff, book):
    publisher = make_staff("publisher")
    client.force_login(publisher)
    response = client.post("/desk/contacts/export/", {"lists": "press", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="press-')
    assert "no-store" in response["Cache-Control"]
    text = _body(response)
    assert text.startswith("\ufeff")
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))}
    assert set(rows) == {"one@example.org", "two@example.org"}
    assert rows["one@example.org"]["outlet"] == BURMESE
    assert rows["two@example.org"]["name"] == "'=cmd|' /C calc'!A0"
    event = DataAccessEvent.objects.get()
    assert (event.kind, event.format, event.via) == ("contacts", "csv", "desk")
    assert event.actor == publisher and event.actor_name == publisher.username
    assert event.scope == "lists press" and event.row_count == 2 and event.completed_at


def test_json_of_a_filter_and_of_a_segment(client, make_staff, book):
    client.force_login(make_staff("admin"))
    by_filter = client.post("/desk/contacts/export/", {"country": "mm", "format": "json"})
    data = json.loads(_body(by_filter))
    assert by_filter["Content-Type"] == "application/json; charset=utf-8"
    assert data["filters"] == {"country": "MM"}
    assert sorted(c["email"] for c in data["contacts"]) == ["one@example.org", "three@example.org"]
    segment_create(slug="thai", name="Thai", spec=clean_filter(country="TH"))
    by_segment = client.post("/desk/contacts/export/", {"segment": "thai", "format": "json"})
    assert [c["email"] for c in json.loads(_body(by_segment))["contacts"]] == ["two@example.org"]
    scopes = list(DataAccessEvent.objects.order_by("pk").values_list("scope", flat=True))
    assert scopes == ["country MM", "segment thai"]


@pytest.mark.parametrize(
    "data",
    [
        {"format": "xml"},
        {"lists": "nowhere"},
        {"country": "Myanmar"},
        {"segment": "nope"},
        {"status": "sleeping"},
    ],
)
def test_bad_choices_are_a_clear_400_and_export_nothing(client, make_staff, book, data):
    client.force_login(make_staff("publisher"))
    response = client.post("/desk/contacts/export/", data)
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert not DataAccessEvent.objects.exists()


def test_data_subject_export_in_the_desk(client, make_staff, book):
    admin = make_staff("admin")
    client.force_login(admin)
    response = client.post("/desk/contacts/export/subject/", {"email": "ONE@example.org"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="contact-{book["one"].pk}-data-'
    )
    data = json.loads(response.content)
    assert data["contact"]["email"] == "one@example.org" and data["lists"][0]["slug"] == "press"
    event = DataAccessEvent.objects.get()
    assert (event.kind, event.contact_id, event.actor) == ("subject", book["one"].pk, admin)
    missing = client.post("/desk/contacts/export/subject/", {"email": "nobody@example.org"})
    assert missing.status_code == 400 and DataAccessEvent.objects.count() == 1


def test_admins_see_the_export_log_and_publishers_do_not(client, make_staff, book):
    publisher = make_staff("publisher")
    client.force_login(publisher)
    _body(client.post("/desk/contacts/export/", {"lists": "press"}))
    assert client.get("/desk/contacts/exports/").status_code == 403
    assert b'href="/desk/contacts/exports/"' not in client.get("/desk/contacts/").content
    client.force_login(make_staff("admin"))
    contacts_page = client.get("/desk/contacts/")
    assert b'href="/desk/contacts/exports/"' in contacts_page.content
    assert b'href="/desk/contacts/export/"' in contacts_page.content
    log = client.get("/desk/contacts/exports/")
    assert log.status_code == 200
    assert publisher.username.encode() in log.content and b"lists press" in log.content
    assert b"one@example.org" not in log.content


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_cannot_export(client, make_staff, book, role):
    client.force_login(make_staff(role))
    assert client.get("/desk/contacts/export/").status_code == 403
    refused = client.post("/desk/contacts/export/", {"lists": "press"})
    assert refused.status_code == 403 and b"one@example.org" not in refused.content
    subject = client.post("/desk/contacts/export/subject/", {"email": "one@example.org"})
    assert subject.status_code == 403 and b"one@example.org" not in subject.content
    assert client.get("/desk/contacts/exports/").status_code == 403
    assert not DataAccessEvent.objects.exists()


def test_the_admin_shows_the_export_log_read_only(client, make_staff, book):
    client.force_login(make_staff("admin"))
    client.post("/desk/contacts/export/subject/", {"email": "one@example.org"})
    event = DataAccessEvent.objects.get()
    assert client.get("/admin/contacts/dataaccessevent/").status_code == 200
    assert client.get(f"/admin/contacts/dataaccessevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/contacts/dataaccessevent/add/").status_code == 403
    deleted = client.post(f"/admin/contacts/dataaccessevent/{event.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403 and DataAccessEvent.objects.count() == 1

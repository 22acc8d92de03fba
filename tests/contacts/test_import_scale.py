"""The contact import at scale (contacts/importer.py through import_contacts): every field and
Burmese through an export and back, one contact per address whatever its case, --dry-run,
consent for new contacts, suppression, per-row report by line, and a bounded number of queries."""

from __future__ import annotations

import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.importer import import_contacts_csv
from contacts.models import Contact, Membership, Suppression, address_hash
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "email,name,outlet,beat,country,languages,lists,embargo_trusted,consent_basis,consent_date\n"
)
ZAWGYI_NAME = "ျမန္မာ"  # "မြန်မာ"
UNSURE = "လူခပ်သိမ်း၏"


def run(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_contacts", str(path), *args, stdout=out)
    return out.getvalue()


def fields(contact: Contact) -> tuple:
    return (
        contact.email,
        contact.name,
        contact.outlet,
        contact.beat,
        contact.country,
        contact.languages,
        sorted(m.media_list.slug for m in contact.memberships.all()),
        contact.embargo_trusted,
        contact.consent_basis,
        contact.consent_date,
    )


def test_every_field_survives_an_export_and_an_import_back(tmp_path):
    MediaListFactory(slug="press")
    MediaListFactory(slug="wire")
    run(
        tmp_path,
        HEADER
        + "daw.su@example.org,ဒေါ်စု,ဧရာဝတီ,နိုင်ငံရေး,MM,my;en,press;wire,yes,consent,2025-01-31\n"
        + f"zaw@example.org,{ZAWGYI_NAME},Frontier,politics,TH,en,press,no,contract,2024-02-29\n"
        + '"-dash@example.org","=Formula, Jr.",+Plus,@beat,,en,,no,legitimate_interest,'
        + "2023-12-01\n",
    )
    before = {c.email: fields(c) for c in Contact.objects.all()}
    assert before["zaw@example.org"][1] == "မြန်မာ"  # converted on the way in
    assert before["-dash@example.org"][1] == "=Formula, Jr."

    exported = tmp_path / "export.csv"
    call_command("export_contacts", str(exported), stdout=StringIO())
    assert "'=Formula" in exported.read_text(encoding="utf-8-sig")  # inert in a spreadsheet
    Contact.objects.all().delete()
    report = run(tmp_path, exported.read_text(encoding="utf-8-sig"))

    assert "3 created, 0 updated, 0 rejected." in report
    assert {c.email: fields(c) for c in Contact.objects.all()} == before


def test_one_contact_per_address_whatever_its_case(tmp_path):
    MediaListFactory(slug="press")
    known = ContactFactory(email="Known@Example.org", name="Old", consent_basis="consent")
    report = run(
        tmp_path,
        HEADER
        + "KNOWN@example.ORG,New name,,,,,press,,,\n"
        + "new@example.org,First,,,,,,,consent,2025-01-01\n"
        + "NEW@EXAMPLE.ORG,Second,,,,,,,consent,2025-01-01\n"
        + "known@example.org,Again,,,,,,,,\n",
    )
    assert "line 4: rejected: the same address as line 3" in report
    assert "line 5: rejected: the same address as line 2" in report
    assert "1 created, 1 updated, 2 rejected." in report
    assert Contact.objects.count() == 2
    assert Contact.objects.get(email__iexact="new@example.org").name == "First"
    known.refresh_from_db()
    # Updated in place: the stored address keeps its case, empty cells keep what was stored.
    assert (known.email, known.name, known.consent_basis) == (
        "Known@Example.org",
        "New name",
        "consent",
    )
    assert [m.media_list.slug for m in known.memberships.all()] == ["press"]
    assert "@" not in report


def test_an_unchanged_row_is_counted_as_unchanged(tmp_path):
    press = MediaListFactory(slug="press")
    contact = ContactFactory(email="a@example.org", name="Same", languages=["en"])
    contact.lists.add(press)
    report = run(tmp_path, "email,name,languages,lists\nA@example.org,Same,en,press\n")
    assert "1 unchanged" in report and "0 created, 0 updated, 0 rejected." in report


def test_dry_run_reports_everything_and_writes_nothing(tmp_path):
    MediaListFactory(slug="press")
    existing = ContactFactory(email="old@example.org", name="Old")
    text = (
        HEADER
        + "new@example.org,Ko Ko,,,,,press,,consent,2025-01-01\n"
        + "old@example.org,Changed,,,,,press,,,\n"
        + f"zaw@example.org,{ZAWGYI_NAME},,,,,,,consent,2025-01-01\n"
        + "bad,,,,,,,,,\n"
    )
    report = run(tmp_path, text, "--dry-run")
    assert "line 5: rejected: Not a valid email" in report
    assert "line 4: name converted from Zawgyi to Unicode: မြန်မာ" in report
    assert "2 created, 1 updated, 1 rejected." in report
    assert report.strip().endswith("Dry run: nothing was written.")
    assert list(Contact.objects.values_list("email", flat=True)) == ["old@example.org"]
    existing.refresh_from_db()
    assert existing.name == "Old" and not Membership.objects.exists()
    # The same file for real does what the dry run said.
    assert "2 created, 1 updated, 1 rejected." in run(tmp_path, text)
    assert Contact.objects.count() == 3


def test_consent_basis_and_date_are_required_for_new_contacts_only(tmp_path):
    ContactFactory(email="known@example.org", consent_basis="contract")
    report = run(
        tmp_path,
        HEADER
        + "a@example.org,No basis,,,,,,,,2025-01-01\n"
        + "b@example.org,No date,,,,,,,consent,\n"
        + "c@example.org,Both,,,,,,,consent,2025-01-01\n"
        + "d@example.org,Wrong,,,,,,,because,2025-01-01\n"
        + "e@example.org,Future,,,,,,,consent,2999-01-01\n"
        + "known@example.org,Kept,,,,,,,,\n",
    )
    assert "line 2: rejected: A new contact needs consent_basis and consent_date." in report
    assert "line 3: rejected: A new contact needs consent_basis and consent_date." in report
    assert "line 5: rejected: Consent basis must be one of" in report
    assert "line 6: rejected: consent_date is in the future." in report
    assert "1 created, 1 updated, 4 rejected." in report
    c = Contact.objects.get(email="c@example.org")
    assert (c.consent_basis, c.consent_date) == ("consent", datetime.date(2025, 1, 1))
    known = Contact.objects.get(email="known@example.org")
    assert (known.name, known.consent_basis) == ("Kept", "contract")


def test_a_suppressed_address_is_never_added_back(tmp_path):
    Suppression.objects.create(address_hash=address_hash("gone@example.org"), reason="erased")
    left = ContactFactory(email="left@example.org", name="Left")
    Suppression.objects.create(address_hash=address_hash("left@example.org"), reason="unsubscribed")
    report = run(
        tmp_path,
        HEADER
        + "Gone@Example.org,Back,,,,,,,consent,2025-01-01\n"
        + "left@example.org,Renamed,,,,,,,consent,2025-01-01\n",
    )
    assert "line 2: rejected: This address is on the suppression list" in report
    assert "line 3: rejected: This address is on the suppression list" in report
    assert "0 created, 0 updated, 2 rejected." in report
    assert not Contact.objects.filter(email__iexact="gone@example.org").exists()
    left.refresh_from_db()
    assert left.name == "Left"


def test_bad_rows_are_reported_by_line_and_import_nothing(tmp_path):
    MediaListFactory(slug="press")
    report = run(
        tmp_path,
        HEADER
        + "ok@example.org,Fine,,,,,press,,consent,2025-01-01\n"
        + "\n"  # a blank line is not a row, but counts as a line
        + f"unsure@example.org,{UNSURE},,,,,press,,consent,2025-01-01\n"
        + "many@example.org,A,B,C,MM,en,press,no,consent,2025-01-01,extra\n"
        + "lang@example.org,A,,,,fr,press,,consent,2025-01-01\n"
        + "list@example.org,A,,,,,press;nowhere,,consent,2025-01-01\n"
        + ",No address,,,,,,,consent,2025-01-01\n"
        + '"multi@example.org","Two\nlines",,,,,,maybe,consent,2025-01-01\n'
        + "after@example.org,After,,,,,,,consent,2025-01-01\n",
    )
    assert "line 4: rejected: name:" in report and "Zawgyi" in report
    assert "line 5: rejected: more fields than columns in the header" in report
    assert "line 6: rejected:" in report
    assert "line 7: rejected: Unknown media list(s): nowhere." in report
    assert "line 8: rejected: email is empty." in report
    assert "line 9: rejected: embargo_trusted must be yes or no." in report  # where it starts
    assert "2 created, 0 updated, 6 rejected." in report
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "after@example.org",
        "ok@example.org",
    ]
    assert Membership.objects.count() == 1


def test_file_level_errors_import_nothing(tmp_path):
    ok_row = "a@example.org,A,,,,,,,consent,2025-01-01\n"
    with pytest.raises(CommandError, match="Unknown column.*phone"):
        run(tmp_path, "email,phone\na@example.org,1\n")
    with pytest.raises(CommandError, match="given twice: name"):
        run(tmp_path, "email,name,name\n")
    with pytest.raises(CommandError, match="Unknown media list 'nowhere'"):
        run(tmp_path, HEADER + ok_row, "--list", "nowhere")
    # Not UTF-8 part-way: the rows before it are not imported either (one transaction).
    path = tmp_path / "mixed.csv"
    path.write_bytes((HEADER + ok_row).encode() + "b@example.org,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_contacts", str(path), "--batch-size", "1", stdout=StringIO())
    assert not Contact.objects.exists()


def test_importing_1000_rows_takes_a_bounded_number_of_queries():
    MediaListFactory(slug="press")
    MediaListFactory(slug="wire")
    ContactFactory.create_batch(3)
    for i in range(200):  # existing contacts, some to be updated
        ContactFactory(email=f"known{i}@example.org", name=f"Known {i}")
    Suppression.objects.create(address_hash=address_hash("new207@example.org"), reason="bounced")
    rows = [HEADER]
    for i in range(1000):
        if i < 200:
            name = f"Known {i}" if i % 2 else f"Renamed {i}"
            rows.append(f"KNOWN{i}@example.org,{name},,,,,press,,,\n")
        else:
            rows.append(
                f"new{i}@example.org,ဒေါ်{i},Outlet,,MM,my,press;wire,yes,consent,2025-01-01\n"
            )
    with CaptureQueriesContext(connection) as queries:
        report = import_contacts_csv(io.StringIO("".join(rows)), batch_size=2000)
    assert (report.created, report.updated, len(report.rejected)) == (799, 200, 1)
    # Lists, then per batch: suppression, contacts, memberships, insert, update(s), memberships;
    # plus savepoints. SQLite splits bulk inserts by its parameter limit: still not per row.
    assert len(queries) <= 30, [q["sql"][:80] for q in queries]
    assert Contact.objects.filter(email__startswith="new").count() == 799
    assert Membership.objects.count() == 799 * 2 + 200
    assert Contact.objects.get(email="known0@example.org").name == "Renamed 0"

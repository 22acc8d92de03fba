from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact, Suppression, address_hash
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


def run(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_contacts", str(path), *args, stdout=out)
    return out.getvalue()


def test_imports_good_rows_and_reports_bad_ones_by_line(tmp_path):
    MediaListFactory(slug="press")
    MediaListFactory(slug="wire")
    Suppression.objects.create(address_hash=address_hash("gone@example.org"), reason="erased")
    report = run(
        tmp_path,
        (
            "email,name,outlet,beat,country,languages,lists,embargo_trusted,consent_basis,"
            "consent_date\n"
            "a@example.org,Daw Su,Frontier,politics,MM,en;my,press;wire,yes,consent,2025-01-31\n"
            "not-an-email,Bad,,,,en,press,no,,\n"
            "b@example.org,Ko Ko,,,,my,unknown-list,no,,\n"
            "c@example.org,Ma Ma,,,XYZ,en,press,no,,\n"
            "gone@example.org,Gone,,,,en,press,no,,\n"
            "d@example.org,Ok,,,,,press,maybe,,\n"
            "e@example.org,Fine,,,,my,,no,,2025-13-01\n"
            "F@example.org,Fine,,,,my,wire,no,legitimate_interest,2024-06-01\n"
        ),
    )
    assert "line 3: rejected: Not a valid email" in report
    assert "line 4: rejected: Unknown media list(s): unknown-list" in report
    assert "line 5: rejected: Country" in report
    assert "line 6: rejected:" in report and "suppression" in report
    assert "line 7: rejected: embargo_trusted" in report
    assert "line 8: rejected: consent_date" in report
    assert "2 created, 0 updated, 6 rejected." in report
    a = Contact.objects.get(email="a@example.org")
    assert a.languages == ["en", "my"] and a.embargo_trusted and a.country == "MM"
    assert sorted(m.media_list.slug for m in a.memberships.all()) == ["press", "wire"]
    assert not Contact.objects.filter(email="b@example.org").exists()  # nothing from a bad row
    assert "gone@example.org" not in report and "not-an-email" not in report


def test_unknown_columns_are_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Unknown column.*phone"):
        run(tmp_path, "email,phone\na@example.org,123\n")
    assert not Contact.objects.exists()


def test_existing_address_is_updated_and_added_to_the_list(tmp_path):
    MediaListFactory(slug="press")
    MediaListFactory(slug="extra")
    contact = ContactFactory(email="Known@example.org", languages=["en"])
    report = run(tmp_path, "email,languages,lists\nknown@EXAMPLE.org,my,press\n", "--list", "extra")
    assert "0 created, 1 updated, 0 rejected." in report
    contact.refresh_from_db()
    assert contact.languages == ["my"]
    assert sorted(m.media_list.slug for m in contact.memberships.all()) == ["extra", "press"]


def test_missing_email_column_and_non_utf8(tmp_path):
    with pytest.raises(CommandError, match="email"):
        run(tmp_path, "name\nX\n")
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\na@example.org,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_contacts", str(path), stdout=StringIO())

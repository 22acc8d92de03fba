"""import_contacts with a mixed-encoding CSV: Zawgyi converted and reported, uncertain rows
rejected naming Zawgyi (nothing imported from them), Unicode rows untouched."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from contacts.models import Contact
from tests.factories import MediaListFactory

pytestmark = pytest.mark.django_db

ZAWGYI_NAME = "ျမန္မာ"  # "မြန်မာ"
ZAWGYI_OUTLET = "လူ႔အခြင့္အေရး အဖြဲ႔မ်ားက ႏိုင္ငံေရး"
UNICODE_OUTLET = "လူ့အခွင့်အရေး အဖွဲ့များက နိုင်ငံရေး"
UNICODE_NAME = "ခင်မာ"
UNCERTAIN = "လူခပ်သိမ်း၏"  # Zawgyi probability about 0.26


def _run(tmp_path, rows: list[dict]) -> str:
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "email",
                "name",
                "outlet",
                "beat",
                "languages",
                "lists",
                "consent_basis",
                "consent_date",
            ],
        )
        writer.writeheader()
        # A new contact needs a consent basis and date (issue 13).
        consent = {"consent_basis": "consent", "consent_date": "2025-01-31"}
        writer.writerows({**consent, **row} for row in rows)
    out = io.StringIO()
    call_command("import_contacts", str(path), stdout=out)
    return out.getvalue()


def test_mixed_encoding_csv_import(tmp_path):
    MediaListFactory(slug="burmese-media")
    report = _run(
        tmp_path,
        [
            {
                "email": "unicode@example.org",
                "name": UNICODE_NAME,
                "outlet": UNICODE_OUTLET,
                "beat": "Politics",
                "languages": "my",
                "lists": "burmese-media",
            },
            {
                "email": "zawgyi@example.org",
                "name": ZAWGYI_NAME,
                "outlet": ZAWGYI_OUTLET,
                "beat": "",
                "languages": "my",
                "lists": "burmese-media",
            },
            {
                "email": "unsure@example.org",
                "name": UNCERTAIN,
                "outlet": "",
                "beat": "",
                "languages": "my",
                "lists": "burmese-media",
            },
            {
                "email": "english@example.org",
                "name": "Jane Doe",
                "outlet": "Pacific Daily",
                "beat": "Foreign affairs",
                "languages": "en",
                "lists": "",
            },
        ],
    )

    unicode_row = Contact.objects.get(email="unicode@example.org")
    assert (unicode_row.name, unicode_row.outlet) == (UNICODE_NAME, UNICODE_OUTLET)

    converted = Contact.objects.get(email="zawgyi@example.org")
    assert converted.name == "မြန်မာ"
    assert converted.outlet == UNICODE_OUTLET
    assert converted.memberships.count() == 1
    # Each conversion is reported against its line (header is line 1), showing the result.
    assert "line 3: name converted from Zawgyi to Unicode: မြန်မာ" in report
    assert f"line 3: outlet converted from Zawgyi to Unicode: {UNICODE_OUTLET}" in report

    # The uncertain row is rejected with a message naming Zawgyi, and nothing of it exists.
    rejected = [line for line in report.splitlines() if line.startswith("line 4:")]
    assert len(rejected) == 1 and "rejected" in rejected[0] and "Zawgyi" in rejected[0]
    assert not Contact.objects.filter(email="unsure@example.org").exists()

    assert Contact.objects.get(email="english@example.org").name == "Jane Doe"
    assert "line 2:" not in report and "line 5:" not in report
    assert report.strip().endswith("3 created, 0 updated, 1 rejected.")
    # Never an address in the report (contact data is sensitive).
    assert "@" not in report


def test_update_of_an_existing_contact_converts_too(tmp_path):
    _run(
        tmp_path,
        [
            {
                "email": "a@example.org",
                "name": "Old",
                "outlet": "",
                "beat": "",
                "languages": "my",
                "lists": "",
            }
        ],
    )
    report = _run(
        tmp_path,
        [
            {
                "email": "A@example.org",
                "name": ZAWGYI_NAME,
                "outlet": "",
                "beat": "",
                "languages": "my",
                "lists": "",
            }
        ],
    )
    assert Contact.objects.get(email="a@example.org").name == "မြန်မာ"
    assert "line 2: name converted from Zawgyi" in report


def test_the_contacts_api_refuses_uncertain_burmese_naming_zawgyi(client, make_staff):
    client.force_login(make_staff("publisher"))
    response = client.post(
        "/api/v1/contacts/",
        {"email": "b@example.org", "languages": ["my"], "name": UNCERTAIN},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Zawgyi" in response.json()["message"]

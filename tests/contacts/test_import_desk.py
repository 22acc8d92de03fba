"""The desk's contact import: upload, read the dry-run report, confirm (publishers and admins);
the upload waits in a private file named by the session's token and is deleted afterwards."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact, Membership
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "email,name,outlet,beat,country,languages,lists,embargo_trusted,consent_basis,consent_date\n"
)
ZAWGYI_NAME = "ျမန္မာ"  # "မြန်မာ"
CSV = (
    HEADER
    + "new@example.org,Ko Ko,Frontier,,MM,en,,no,consent,2025-01-31\n"
    + f"zaw@example.org,{ZAWGYI_NAME},,,,my,,,consent,2025-01-31\n"
    + "old@example.org,Renamed,,,,,,,,\n"
    + "nobasis@example.org,No consent,,,,,,,,\n"
)


@pytest.fixture
def imports_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "contact-imports"


def upload(client, text: str = CSV, **extra):
    data = {"file": SimpleUploadedFile("press list.csv", text.encode("utf-8"), "text/csv"), **extra}
    return client.post("/desk/contacts/import/", data)


def test_upload_report_then_confirm(client, make_staff, imports_folder):
    press = MediaListFactory(slug="press", name="Regional press")
    ContactFactory(email="old@example.org", name="Old")
    client.force_login(make_staff("publisher"))
    assert b'href="/desk/contacts/import/"' in client.get("/desk/contacts/").content
    assert client.get("/desk/contacts/import/").status_code == 200

    review = upload(client, list="press")
    assert review.status_code == 200
    report = review.context["report"]
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (2, 1, 0, 1)
    assert report.converted_rows == 1
    page = review.content.decode()
    assert "A new contact needs consent_basis and consent_date." in page
    assert '<span lang="my">မြန်မာ</span>' in page  # the converted name, to check
    assert "press list.csv" in page and "Nothing has been written yet." in page
    # The dry run wrote nothing; the file waits under the session's token, private.
    assert list(Contact.objects.values_list("email", flat=True)) == ["old@example.org"]
    token = client.session["contact_import"]["token"]
    waiting = imports_folder / f"{token}.csv"
    assert waiting.exists() and waiting.stat().st_mode & 0o777 == 0o600
    assert token in page

    done = client.post("/desk/contacts/import/confirm/", {"token": token, "confirm": ""})
    assert done.status_code == 200
    assert (done.context["report"].created, done.context["report"].updated) == (2, 1)
    assert Contact.objects.get(email="zaw@example.org").name == "မြန်မာ"
    assert Contact.objects.get(email="old@example.org").name == "Renamed"
    assert Membership.objects.filter(media_list=press).count() == 3  # the list chosen
    assert not Contact.objects.filter(email="nobasis@example.org").exists()
    assert not waiting.exists() and "contact_import" not in client.session
    # Confirming again imports nothing more.
    again = client.post("/desk/contacts/import/confirm/", {"token": token})
    assert again.status_code == 400 and b"no longer waiting" in again.content
    assert Contact.objects.count() == 3


def test_cancel_deletes_the_upload(client, make_staff, imports_folder):
    client.force_login(make_staff("admin"))
    upload(client)
    token = client.session["contact_import"]["token"]
    response = client.post("/desk/contacts/import/confirm/", {"token": token, "cancel": ""})
    assert response.status_code == 302
    assert not (imports_folder / f"{token}.csv").exists()
    assert not Contact.objects.exists()


def test_a_new_upload_replaces_the_waiting_one(client, make_staff, imports_folder):
    client.force_login(make_staff("publisher"))
    upload(client)
    first = client.session["contact_import"]["token"]
    upload(client, HEADER + "other@example.org,Other,,,,,,,consent,2025-01-01\n")
    second = client.session["contact_import"]["token"]
    assert not (imports_folder / f"{first}.csv").exists()
    # The report on screen was about the first file: confirming it is refused.
    stale = client.post("/desk/contacts/import/confirm/", {"token": first})
    assert stale.status_code == 400 and not Contact.objects.exists()
    client.post("/desk/contacts/import/confirm/", {"token": second})
    assert list(Contact.objects.values_list("email", flat=True)) == ["other@example.org"]


def test_bad_files_are_refused_with_a_clear_message(client, make_staff, imports_folder, settings):
    client.force_login(make_staff("publisher"))
    missing = client.post("/desk/contacts/import/", {})
    assert missing.status_code == 400 and b"Choose a CSV file" in missing.content
    unknown = upload(client, "email,phone\na@example.org,1\n")
    assert unknown.status_code == 400 and b"Unknown column(s): phone" in unknown.content
    latin = client.post(
        "/desk/contacts/import/",
        {"file": SimpleUploadedFile("l.csv", "email,name\na@x.org,Caf\xe9\n".encode("latin-1"))},
    )
    assert latin.status_code == 400 and b"not UTF-8" in latin.content
    settings.CONTACT_IMPORT_MAX_BYTES = 1024 * 1024
    big = upload(client, HEADER + "x" * (1024 * 1024))
    assert big.status_code == 400 and b"larger than 1 MB" in big.content
    assert "contact_import" not in client.session
    assert not list(imports_folder.glob("*.csv"))  # nothing left behind
    assert not Contact.objects.exists()


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_cannot_import(client, make_staff, imports_folder, role):
    client.force_login(make_staff(role))
    assert client.get("/desk/contacts/import/").status_code == 403
    response = upload(client)
    assert response.status_code == 403
    assert client.post("/desk/contacts/import/confirm/", {"token": "x"}).status_code == 403
    assert not Contact.objects.exists()
    assert not imports_folder.exists() or not list(imports_folder.glob("*.csv"))

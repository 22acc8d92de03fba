"""Organisation settings in the desk: admins change them, others are refused; a bad logo is
refused with a clear message and nothing is saved."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from statements.models import Boilerplate, Organisation
from statements.organisation import current_organisation

pytestmark = pytest.mark.django_db

URL = "/desk/organisation/"
MY_NAME = "မြန်မာ့ တရားမျှတရေး"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(size=(40, 20), kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def form_data(**extra) -> dict:
    data = {
        "name_en": "Justice Desk",
        "name_my": MY_NAME,
        "address_en": "PO Box 1, Chiang Mai",
        "address_my": "",
        "website": "https://example.org/",
        "default_boilerplate": "",
    }
    data.update(extra)
    return data


def test_the_migration_made_the_one_organisation_row():
    assert Organisation.objects.count() == 1
    assert current_organisation().pk == Organisation.SINGLETON_PK


def test_an_admin_changes_name_logo_address_website_and_default_boilerplate(
    client, make_staff, media_root
):
    boilerplate = Boilerplate.objects.create(
        slug="about", about={"en": "About."}, media_contact={"en": "press@example.org"}
    )
    client.force_login(make_staff("admin"))
    page = client.get(URL)
    assert page.status_code == 200
    assert b'href="/desk/organisation/"' in page.content  # in the desk's navigation
    assert b'lang="my"' in page.content  # the Burmese name field gets the Myanmar font

    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    answer = client.post(
        URL, form_data(logo=logo, default_boilerplate=str(boilerplate.pk)), follow=True
    )
    assert answer.status_code == 200
    assert "Organisation settings saved." in answer.content.decode()

    organisation = Organisation.objects.get()
    assert organisation.name == {"en": "Justice Desk", "my": MY_NAME}
    assert organisation.address == {"en": "PO Box 1, Chiang Mai"}
    assert organisation.website == "https://example.org/"
    assert organisation.default_boilerplate == boilerplate
    assert organisation.logo.name.startswith("organisation/")
    assert (media_root / organisation.logo.name).read_bytes()[:4] == b"\x89PNG"
    # The desk shows the logo inline (MEDIA is not served by the app; the CSP allows data:).
    assert b'src="data:image/png;base64,' in client.get(URL).content


@pytest.mark.parametrize("role", ["author", "editor", "publisher"])
def test_other_roles_are_refused(client, make_staff, role):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == 403
    answer = client.post(URL, form_data())
    assert answer.status_code == 403
    assert "Only admins change the organisation" in answer.content.decode()
    assert Organisation.objects.get().name == {"en": "Pressroom"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a PNG or JPEG"),
        ("logo.png", b"not an image at all", "must be a PNG or JPEG"),
        ("logo.gif", None, "this file is GIF"),
        ("huge.png", b"\x89PNG" + b"0" * (1024 * 1024 + 10), "the largest allowed is 1024 KB"),
        ("wide.png", png(size=(4100, 10)), "the largest allowed is 4000 a side"),
    ],
)
def test_a_bad_logo_is_refused_with_a_clear_message_and_nothing_saved(
    client, make_staff, name, content, message
):
    if content is None:
        content = png(kind="GIF")
    client.force_login(make_staff("admin"))
    logo = SimpleUploadedFile(name, content, content_type="image/png")
    answer = client.post(URL, form_data(logo=logo))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert message in text
    assert "Nothing was saved" in text
    organisation = Organisation.objects.get()
    assert organisation.name == {"en": "Pressroom"} and not organisation.logo


def test_the_english_name_is_required(client, make_staff):
    client.force_login(make_staff("admin"))
    answer = client.post(URL, form_data(name_en=""))
    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    assert Organisation.objects.get().name == {"en": "Pressroom"}


def test_the_admin_uses_the_same_checks(client, make_staff):
    client.force_login(make_staff("admin"))
    url = f"/admin/statements/organisation/{Organisation.SINGLETON_PK}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/statements/organisation/add/").status_code == 403
    bad = SimpleUploadedFile("logo.png", b"GIF89a nonsense", content_type="image/png")
    answer = client.post(url, form_data(logo=bad))
    assert answer.status_code == 200  # the admin re-shows its form with the error
    assert "must be a PNG or JPEG" in answer.content.decode()
    answer = client.post(url, form_data(name_en="Renamed in the admin"))
    assert answer.status_code == 302
    assert Organisation.objects.get().name["en"] == "Renamed in the admin"


def test_the_demo_fills_the_organisation_from_the_seeds():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent: still one row
    organisation = Organisation.objects.get()
    assert organisation.name_in("en") == "Justice For Myanmar"
    assert organisation.website == "https://www.justiceformyanmar.org/"
    assert "media@justiceformyanmar.org" in organisation.default_boilerplate.media_contact["en"]


def test_the_organisation_is_read_once_per_request_and_afresh_outside(
    django_assert_num_queries,
):
    # The receivers of request_started / request_finished (sending the signals themselves
    # would also close the test's database connection).
    from statements import organisation

    organisation._request_started()
    with django_assert_num_queries(1):
        first, second = current_organisation(), current_organisation()
    assert first is second
    organisation._request_finished()
    # A worker has no request: every read sees the latest row (an edit made in the desk).
    Organisation.objects.update(name={"en": "Changed elsewhere"})
    with django_assert_num_queries(2):
        assert current_organisation().name_in("en") == "Changed elsewhere"
        current_organisation()


def test_a_new_statement_takes_the_default_boilerplate_and_keeps_it(make_staff):
    """The default is chosen when a statement is made, so it is approved with the release: a
    later change of the organisation's default never rewrites what a release prints."""
    from campaigns.models import Campaign
    from statements import workflow

    first = Boilerplate.objects.create(slug="first", about={"en": "First about."})
    second = Boilerplate.objects.create(slug="second", about={"en": "Second about."})
    organisation = Organisation.objects.get()
    organisation.default_boilerplate = first
    organisation.save()
    Campaign.objects.create(slug="c", name={"en": "C"})
    statement, _ = workflow.statement_create(
        by=make_staff("author"),
        campaign="c",
        translations={"en": {"title": "T", "summary": "S", "body": "B"}},
        required_languages=["en"],
    )
    assert statement.boilerplate == first
    organisation.default_boilerplate = second
    organisation.save()
    statement.refresh_from_db()
    assert statement.boilerplate == first

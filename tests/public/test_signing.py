"""Signed releases (publishing/signing.py): each public language version's canonical text and
each PDF verify with only the published public key, checked here with PyNaCl (a second Ed25519
implementation, not the app's own verify); rotation keeps old signatures valid; hidden releases
have no .txt nor .sig."""

from __future__ import annotations

import base64
import datetime
import json

import nacl.exceptions
import nacl.signing
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from statements import workflow
from statements.models import Statement
from tests.factories import CampaignFactory
from tests.statements.conftest import EN, MY

pytestmark = pytest.mark.django_db


def new_seed() -> str:
    return base64.b64encode(nacl.signing.SigningKey.generate().encode()).decode()


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    """A key of this test's own (never the installation's var/signing_key)."""
    settings.SIGNING_KEY = new_seed()
    settings.SIGNING_OLD_KEYS = []
    return settings.SIGNING_KEY


def published_keys(client) -> dict[str, nacl.signing.VerifyKey]:
    response = client.get("/.well-known/pressroom-keys.json")
    assert response.status_code == 200
    return {
        key["key_id"]: nacl.signing.VerifyKey(base64.b64decode(key["public_key"]))
        for key in response.json()["keys"]
        if key["algorithm"] == "ed25519"
    }


def nacl_verifies(keys: dict, key_id: str, data: bytes, value: str) -> bool:
    try:
        keys[key_id].verify(data, base64.b64decode(value))
    except (nacl.exceptions.BadSignatureError, KeyError):
        return False
    return True


def test_text_verifies_with_the_public_key_only_and_a_changed_character_fails(client, make_release):
    statement = make_release(slug="signed-one", title="Stop arms sales")
    txt = client.get("/en/releases/signed-one.txt")
    assert txt.status_code == 200
    assert txt["Content-Type"] == "text/plain; charset=utf-8"
    data = txt.content
    assert data.startswith(b"Pressroom signed release\nRelease: signed-one\nLanguage: en\n")
    assert b"Version: 1\n" in data and b"Title: Stop arms sales" in data and b"\r" not in data

    signature = client.get("/api/v1/releases/signed-one/").json()["translations"]["en"]["signature"]
    keys = published_keys(client)
    assert nacl_verifies(keys, signature["key_id"], data, signature["value"])
    # One character changed anywhere breaks it.
    forged = data.replace(b"Stop arms sales", b"Stop arms saler")
    assert not nacl_verifies(keys, signature["key_id"], forged, signature["value"])

    # The Burmese version is its own signed text.
    my_txt = client.get("/my/releases/signed-one.txt").content
    my_sig = client.get("/api/v1/releases/signed-one/").json()["translations"]["my"]["signature"]
    assert "Language: my" in my_txt.decode("utf-8")
    assert nacl_verifies(keys, my_sig["key_id"], my_txt, my_sig["value"])
    assert statement.signatures.filter(kind="text").count() == 2


def test_the_private_key_is_never_in_the_database(client, make_release, signing_key):
    from publishing.models import ReleaseSignature, SigningKey

    make_release(slug="no-secret")
    client.get("/en/releases/no-secret.txt")
    client.get("/.well-known/pressroom-keys.json")
    stored = json.dumps(
        list(ReleaseSignature.objects.values()) + list(SigningKey.objects.values()), default=str
    )
    assert signing_key not in stored


def test_publication_correction_and_retraction_are_signed_as_versions(
    client, make_staff, media_root, django_capture_on_commit_callbacks
):
    author, editor, publisher = make_staff("author"), make_staff("editor"), make_staff("publisher")
    CampaignFactory(slug="asean-complicity")
    with django_capture_on_commit_callbacks(execute=True):
        statement, _ = workflow.statement_create(
            by=author, campaign="asean-complicity", translations={"en": EN, "my": MY}
        )
        workflow.statement_submit(statement_id=statement.pk, by=author)
        workflow.statement_approve(statement_id=statement.pk, by=editor)
        workflow.statement_publish(statement_id=statement.pk, by=publisher)
    slug = statement.slug
    texts = statement.signatures.filter(kind="text")
    assert sorted(texts.values_list("language", "version")) == [("en", 1), ("my", 1)]
    first = client.get(f"/en/releases/{slug}.txt").content
    assert b"Version: 1\nStatus: published\n" in first

    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_edit(
            statement_id=statement.pk,
            by=author,
            translations={"en": EN | {"body": "Corrected body."}, "my": MY | {"body": "ပြင်ပြီး။"}},
        )
        workflow.statement_submit(statement_id=statement.pk, by=author)
        workflow.statement_approve(statement_id=statement.pk, by=editor)
        workflow.statement_correct(
            statement_id=statement.pk, by=publisher, notes={"en": "Fixed.", "my": "ပြင်ပြီး။"}
        )
    second = client.get(f"/en/releases/{slug}.txt").content.decode()
    assert "Version: 2\nStatus: corrected\n" in second
    assert "Corrected body." in second and "Correction 1 (" in second and "Fixed." in second

    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_retract(statement_id=statement.pk, by=publisher, reason="Wrong source.")
    notice = client.get(f"/en/releases/{slug}.txt")
    assert notice.status_code == 200  # the tombstone's signed retraction notice
    text = notice.content.decode()
    assert "Version: 3\nStatus: retracted\n" in text and "Reason:\nWrong source." in text
    assert "Corrected body." not in text  # never the withdrawn text
    keys = published_keys(client)
    assert nacl_verifies(
        keys, notice["X-Pressroom-Key-Id"], notice.content, notice["X-Pressroom-Signature"]
    )
    # Earlier versions stay verifiable: the verification page still knows version 1.
    page = client.post("/en/verify/", {"text": first.decode()})
    assert page.status_code == 200 and page.context["outcome"].result == "ours"
    assert page.context["outcome"].version == 1


def test_rotation_keeps_old_signatures_valid_and_signs_new_ones_with_the_new_key(
    client, make_release, settings
):
    make_release(slug="before-rotation")
    old_txt = client.get("/en/releases/before-rotation.txt")
    old_key_id = old_txt["X-Pressroom-Key-Id"]

    settings.SIGNING_KEY = new_seed()  # rotated
    make_release(slug="after-rotation")
    new_txt = client.get("/en/releases/after-rotation.txt")
    new_key_id = new_txt["X-Pressroom-Key-Id"]
    assert new_key_id != old_key_id

    document = client.get("/.well-known/pressroom-keys.json").json()
    by_id = {key["key_id"]: key for key in document["keys"]}
    assert by_id[old_key_id]["retired_at"] and by_id[new_key_id]["retired_at"] is None
    keys = published_keys(client)
    assert nacl_verifies(keys, old_key_id, old_txt.content, old_txt["X-Pressroom-Signature"])
    assert nacl_verifies(keys, new_key_id, new_txt.content, new_txt["X-Pressroom-Signature"])
    # The old release's text is unchanged, so its signature (old key) is still the one served.
    assert client.get("/en/releases/before-rotation.txt")["X-Pressroom-Key-Id"] == old_key_id


def test_old_keys_from_settings_are_published_as_retired(client, settings):
    old = nacl.signing.SigningKey.generate().verify_key.encode()
    settings.SIGNING_OLD_KEYS = [base64.b64encode(old).decode() + "@2025-01-01T00:00:00Z"]
    keys = client.get("/.well-known/pressroom-keys.json").json()["keys"]
    listed = {k["public_key"]: k for k in keys}
    assert listed[base64.b64encode(old).decode()]["retired_at"] == "2025-01-01T00:00:00Z"


def test_pdf_sig_verifies_over_the_served_pdf_bytes(client, make_release):
    make_release(slug="pdf-signed")
    pdf = client.get("/en/releases/pdf-signed.pdf")
    assert pdf.status_code == 200
    pdf_bytes = b"".join(pdf.streaming_content)
    sig = client.get("/en/releases/pdf-signed.pdf.sig")
    assert sig.status_code == 200
    keys = published_keys(client)
    assert nacl_verifies(keys, sig["X-Pressroom-Key-Id"], pdf_bytes, sig.content.decode())
    assert not nacl_verifies(
        keys, sig["X-Pressroom-Key-Id"], pdf_bytes + b"\n", sig.content.decode()
    )


@pytest.mark.parametrize(
    "state,extra",
    [
        (Statement.State.DRAFT, {}),
        (Statement.State.APPROVED, {}),
        (
            Statement.State.PUBLISHED,
            {"embargo_until": timezone.now() + datetime.timedelta(days=2)},
        ),
    ],
)
def test_hidden_releases_have_no_txt_nor_sig_and_are_never_candidates(
    client, make_release, state, extra
):
    from publishing import signing
    from publishing.visibility import with_release_data

    statement = make_release(slug="hidden-one", state=state, title="Secret plan", **extra)
    for path in ("/en/releases/hidden-one.txt", "/en/releases/hidden-one.pdf.sig"):
        assert client.get(path).status_code == 404
    # Even its exact canonical text is "not ours" on the page (hidden is not a candidate).
    loaded = with_release_data(Statement.objects.filter(pk=statement.pk)).get()
    if statement.published_at:
        signing.current_text_signatures([loaded])  # signed at publication, under embargo
    text = signing.canonical_text(loaded, "en", 1)
    page = client.post("/en/verify/", {"text": text})
    assert page.context["outcome"].result == "not_ours"
    assert b"/en/releases/hidden-one/" not in page.content  # the form echoes the text only


def test_verification_page_says_ours_altered_or_not_ours(client, make_release, settings):
    make_release(slug="real-release", title="Recognition of the junta must stop")
    text = client.get("/en/releases/real-release.txt").content.decode()

    ours = client.post("/en/verify/", {"text": text.replace("\n", "\r\n")})  # CRLF is fine
    assert ours.status_code == 200
    assert ours.context["outcome"].result == "ours"
    assert "real-release" in ours.content.decode()

    altered = client.post("/en/verify/", {"text": text.replace("must stop", "must continue")})
    outcome = altered.context["outcome"]
    assert outcome.result == "altered" and outcome.slug == "real-release"
    body = altered.content.decode()
    assert "must continue" in body and 'class="diff"' in body  # the differences shown

    # Without the header lines, by similarity over public releases.
    words = text.split("\n\n", 1)[1].replace("must stop", "may go on")
    assert client.post("/en/verify/", {"text": words}).context["outcome"].slug == "real-release"

    not_ours = client.post("/en/verify/", {"text": "A completely different statement.\n"})
    assert not_ours.context["outcome"].result == "not_ours"

    # A link to our release (looked up here, never fetched), and a look-alike host.
    site = settings.SITE_URL  # our own address (or a mirror's)
    link = client.post("/en/verify/", {"link": f"{site}/en/releases/real-release/"})
    assert link.context["outcome"].result == "ours"
    fake = client.post(
        "/en/verify/", {"link": "https://press-room.example/en/releases/real-release/"}
    )
    assert fake.context["outcome"].result == "not_ours"


def test_verification_page_checks_an_uploaded_pdf(client, make_release):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_release(slug="pdf-check")
    pdf = b"".join(client.get("/my/releases/pdf-check.pdf").streaming_content)
    good = client.post(
        "/my/verify/", {"document": SimpleUploadedFile("x.pdf", pdf, "application/pdf")}
    )
    assert good.context["outcome"].result == "ours" and good.context["outcome"].language == "my"
    assert 'lang="my"' in good.content.decode()
    bad = client.post(
        "/my/verify/",
        {"document": SimpleUploadedFile("x.pdf", pdf[:-10] + b"%%EOF\n", "application/pdf")},
    )
    assert bad.context["outcome"].result == "not_ours"


def test_verification_page_refuses_nothing_or_too_much_and_is_rate_limited(
    client, settings, make_release
):
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile

    cache.clear()
    assert client.get("/my/verify/").status_code == 200
    assert client.post("/en/verify/", {}).status_code == 400
    settings.VERIFY_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200, "application/pdf")
    assert client.post("/en/verify/", {"document": big}).status_code == 400
    settings.VERIFY_ATTEMPTS_PER_HOUR = 2
    cache.clear()
    statuses = [client.post("/en/verify/", {"text": "x"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    cache.clear()


def test_csrf_is_required(make_release):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/en/verify/", {"text": "x"}).status_code == 403


def test_feeds_and_footer_carry_the_signature(client, make_release):
    make_release(slug="in-feed")
    txt = client.get("/en/releases/in-feed.txt")  # signed (as publication would have)
    feed = client.get("/en/feeds/releases.xml").content.decode()
    assert txt["X-Pressroom-Signature"] in feed and "/en/releases/in-feed.txt" in feed
    assert txt["X-Pressroom-Signature"] in client.get("/en/feeds/releases.atom").content.decode()
    page = client.get("/en/releases/in-feed/").content.decode()
    key_id = txt["X-Pressroom-Key-Id"]
    assert " ".join(key_id[i : i + 4] for i in range(0, 16, 4)) in page
    assert "/.well-known/pressroom-keys.json" in page and "/en/verify/" in page


def test_verify_release_command_offline_with_a_keys_file(client, make_release, tmp_path, capsys):
    make_release(slug="offline")
    txt = client.get("/en/releases/offline.txt")
    (tmp_path / "offline.txt").write_bytes(txt.content)
    (tmp_path / "offline.txt.sig").write_text(txt["X-Pressroom-Signature"])
    (tmp_path / "keys.json").write_bytes(client.get("/.well-known/pressroom-keys.json").content)
    args = ["--signature", str(tmp_path / "offline.txt.sig"), "--keys", str(tmp_path / "keys.json")]
    call_command("verify_release", str(tmp_path / "offline.txt"), *args)
    assert "VALID" in capsys.readouterr().out

    (tmp_path / "offline.txt").write_bytes(txt.content.replace(b"Release", b"Re1ease", 1))
    with pytest.raises(CommandError, match="NOT VALID"):
        call_command("verify_release", str(tmp_path / "offline.txt"), *args)

    # A PDF with its .sig beside it.
    pdf = b"".join(client.get("/en/releases/offline.pdf").streaming_content)
    (tmp_path / "offline.pdf").write_bytes(pdf)
    (tmp_path / "offline.pdf.sig").write_text(
        client.get("/en/releases/offline.pdf.sig").content.decode()
    )
    call_command(
        "verify_release", str(tmp_path / "offline.pdf"), "--keys", str(tmp_path / "keys.json")
    )
    assert "VALID" in capsys.readouterr().out

    # A text carrying its signature block, with no database lookup of the release.
    from publishing.signing import signed_block

    block = txt.content.decode() + signed_block(
        txt["X-Pressroom-Key-Id"], txt["X-Pressroom-Signature"]
    )
    (tmp_path / "shared.txt").write_text(block, encoding="utf-8")
    call_command(
        "verify_release", str(tmp_path / "shared.txt"), "--keys", str(tmp_path / "keys.json")
    )
    assert "Release offline, language en, version 1" in capsys.readouterr().out

"""DKIM: with DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE set, every message that reaches the SMTP
server is signed (relaxed/relaxed, the contract's headers) and verifies with dkimpy against the
public key, on the pre-built path (the final per-recipient bytes), the general path (the
signing backend) and the desk's test send; without them nothing is signed."""

from __future__ import annotations

import base64
import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dkim as dkimpy
import pytest
from django.utils import timezone

from distribution import dkim, sending, services, smtp_wire
from tests.distribution.helpers import make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

SELECTOR = "press2026"
DOMAIN = "justice.example"
ADDRESSES = ("one@example.org", "two@example.org")


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory) -> tuple[Path, bytes]:
    """A fresh 2048-bit RSA key (PEM file) and its DNS TXT record."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test key")
    folder = tmp_path_factory.mktemp("dkim")
    key = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return key, record


@pytest.fixture
def signing(settings, rsa_key):
    settings.DKIM_SELECTOR = SELECTOR
    settings.DKIM_PRIVATE_KEY_FILE = str(rsa_key[0])
    settings.DKIM_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = f"Justice Desk <press@{DOMAIN}>"
    return rsa_key[1]


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port, "distribution.dkim.SigningEmailBackend")
    yield recorder
    controller.stop()


def _dns(record: bytes):
    def lookup(name, timeout=5):
        # Only our selector's record exists; anything else is "no such record".
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup


def _send(publisher, *, embargoed: bool = True):
    embargo = timezone.now() + datetime.timedelta(hours=2) if embargoed else None
    statement = make_statement(slug="signed", embargo_until=embargo)
    press = MediaListFactory(slug="press", embargo_trusted=True)
    for address in ADDRESSES:
        ContactFactory(email=address, languages=["en", "my"], embargo_trusted=True).lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)


def _raw(sink) -> dict[str, bytes]:
    return {rcpt: raw for rcpt, raw in sink.received}


def _signature_tags(raw: bytes) -> dict[str, str]:
    header = raw.split(b"\r\n\r\n", 1)[0].decode()
    start = header.index("DKIM-Signature:")
    value = header[start + len("DKIM-Signature:") :].split("\r\n", 1)[0]
    for line in header[start:].split("\r\n")[1:]:
        if not line[:1].isspace():
            break
        value += line
    tags = {}
    for part in "".join(value.split()).split(";"):
        if "=" in part:
            name, _eq, tag = part.partition("=")
            tags[name] = tag
    return tags


@pytest.mark.parametrize("fast", [True, False], ids=["prebuilt", "backend"])
def test_every_message_verifies_at_the_sink(sink, signing, publisher, monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(sending, "_fast_path", lambda connection: False)
    prebuilt = []
    original = smtp_wire.send_stuffed
    monkeypatch.setattr(
        smtp_wire,
        "send_stuffed",
        lambda *args, **kwargs: prebuilt.append(1) or original(*args, **kwargs),
    )
    _send(publisher)
    assert bool(prebuilt) is fast  # the path under test was the one taken
    received = _raw(sink)
    assert set(received) == set(ADDRESSES)
    for raw in received.values():
        assert raw.startswith(b"DKIM-Signature:")
        assert dkimpy.verify(raw, dnsfunc=_dns(signing)), raw[:600]
        tags = _signature_tags(raw)
        assert tags["d"] == DOMAIN and tags["s"] == SELECTOR
        assert tags["c"] == "relaxed/relaxed" and tags["a"] == "rsa-sha256"
        signed = {name.lower() for name in tags["h"].split(":")}
        assert {
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "list-unsubscribe",
            "list-unsubscribe-post",
            "content-type",
            "mime-version",
        } <= signed


def test_a_changed_message_no_longer_verifies(sink, signing, publisher):
    _send(publisher)
    raw = _raw(sink)["one@example.org"]
    assert dkimpy.verify(raw, dnsfunc=_dns(signing))
    forged = re.sub(rb"(?m)^Subject: [^\r\n]*", b"Subject: Embargo lifted", raw, count=1)
    assert forged != raw
    assert not dkimpy.verify(forged, dnsfunc=_dns(signing))
    # The per-recipient parts are signed too: another recipient's To does not pass.
    readdressed = raw.replace(b"To: one@example.org", b"To: three@example.org", 1)
    assert readdressed != raw
    assert not dkimpy.verify(readdressed, dnsfunc=_dns(signing))


def test_dkim_domain_setting_overrides_the_from_domain(sink, signing, settings, publisher):
    settings.DKIM_DOMAIN = "mail.justice.example"
    _send(publisher, embargoed=False)
    raw = _raw(sink)["two@example.org"]
    assert _signature_tags(raw)["d"] == "mail.justice.example"


def test_the_desks_test_send_is_signed(sink, signing, publisher):
    statement = make_statement(slug="tested")
    services.distribution_test_send(
        statement_id=statement.pk, kind="release", variant="en", by=publisher
    )
    (raw,) = [raw for _rcpt, raw in sink.received]
    assert dkimpy.verify(raw, dnsfunc=_dns(signing))


def test_nothing_is_signed_without_the_settings(sink, settings, publisher):
    settings.DKIM_SELECTOR = ""
    _send(publisher)
    for raw in _raw(sink).values():
        assert b"DKIM-Signature" not in raw


def test_signing_stuffed_bytes_covers_lines_that_start_with_a_dot(signing):
    raw = (
        f"From: Desk <press@{DOMAIN}>\r\nTo: a@example.org\r\nSubject: dots\r\n\r\n"
        ".leading dot\r\n..two dots\r\nplain\r\n"
    ).encode()
    stuffed = b"".join(
        (b"." + line if line.startswith(b".") else line) for line in raw.splitlines(keepends=True)
    )
    signed = dkim.sign_stuffed(stuffed + b".\r\n")
    assert signed.endswith(stuffed + b".\r\n")
    header = signed[: -len(stuffed) - 3]
    assert dkimpy.verify(header + raw, dnsfunc=_dns(signing))


def test_settings_put_the_signing_backend_in_front_of_an_smtp_relay(tmp_path):
    env = {
        **os.environ,
        "EMAIL_URL": "smtp://relay.example:25",
        "DKIM_SELECTOR": SELECTOR,
        "DKIM_PRIVATE_KEY_FILE": str(tmp_path / "key.pem"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.EMAIL_BACKEND)"
    answer = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "distribution.dkim.SigningEmailBackend"

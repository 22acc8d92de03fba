"""Bounces from your own relay: the per-delivery return path (VERP) on the wire, and
process_bounces reading RFC 3464 DSNs and RFC 5965 complaint reports, built around messages
really sent to the SMTP sink, from a file, an mbox, a Maildir and a real IMAP server (dovecot).
"""

from __future__ import annotations

import mailbox
import re
from email import message_from_bytes
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command

from contacts.models import Contact, Suppression
from distribution import bounces, sending, services, smtp_wire
from distribution.models import Delivery
from tests.conftest import skip_or_fail
from tests.distribution.helpers import make_statement
from tests.distribution.imap_server import ImapServer, dovecot_binary
from tests.distribution.smtp_sink import Recorder, email_to_sink, free_port
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

BOUNCE_DOMAIN = "bounces.example.org"
ADDRESSES = ("en@example.org", "my@example.org", "both@example.org")


class EnvelopeRecorder(Recorder):
    """The sink, also keeping each message's envelope sender (MAIL FROM)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mail_from: dict[str, str] = {}

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.mail_from[rcpt] = envelope.mail_from
        return await super().handle_DATA(server, session, envelope)

    def raw(self, address: str) -> bytes:
        return next(raw for rcpt, raw in self.received if rcpt == address)


@pytest.fixture(params=[True], ids=["pipelining"])
def sink(request, settings):
    recorder = EnvelopeRecorder(pipelining=request.param)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    email_to_sink(settings, port)
    settings.DEFAULT_FROM_EMAIL = "Pressroom <press@pressroom.example>"
    settings.BOUNCE_DOMAIN = BOUNCE_DOMAIN
    yield recorder
    controller.stop()


def _send(make_staff) -> dict[str, Delivery]:
    """A real distribution to three journalists through the SMTP sink."""
    statement = make_statement(slug="bounce-test")
    press = MediaListFactory(slug="press")
    for address, languages in zip(ADDRESSES, (["en"], ["my"], ["my", "en"]), strict=True):
        ContactFactory(email=address, languages=languages).lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=make_staff("publisher")
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    deliveries = {d.address: d for d in Delivery.objects.filter(distribution=distribution)}
    assert {d.state for d in deliveries.values()} == {"sent"}
    return deliveries


# --- building reports as mail servers do -----------------------------------------------------


def _fields(**values: str) -> Message:
    block = Message()
    for name, value in values.items():
        block[name.replace("_", "-")] = value
    return block


def dsn(
    original: bytes,
    *,
    to: str,
    recipient: str,
    status: str = "5.1.1",
    action: str = "failed",
    headers_only: bool = True,
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one: to the envelope
    sender, quoting the original (its headers, or the whole message)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.net (Mail Delivery System)"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="mx.example.net")
    report.attach(MIMEText(f"I'm sorry to have to inform you that your message to {recipient}..."))
    delivery_status = MIMEBase("message", "delivery-status")
    delivery_status.set_payload(
        [
            _fields(
                Reporting_MTA="dns; mx.example.net", Arrival_Date="Mon, 1 Jan 2024 00:00 +0000"
            ),
            _fields(
                Final_Recipient=f"rfc822; {recipient}",
                Original_Recipient=f"rfc822;{recipient}",
                Action=action,
                Status=status,
                Remote_MTA="dns; mx.example.org",
                Diagnostic_Code=f"smtp; {status[0]}50 {status} <{recipient}>: Recipient refused",
            ),
        ]
    )
    report.attach(delivery_status)
    if headers_only:
        head = original.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
        report.attach(MIMEText(head, "rfc822-headers"))
    else:
        report.attach(MIMEMessage(message_from_bytes(original)))
    return report.as_bytes()


def arf(original: bytes, *, return_path: str, feedback_type: str = "abuse") -> bytes:
    """A complaint report (RFC 5965) as a mailbox provider's feedback loop sends one: the
    whole original as received, with the Return-Path its server wrote."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "feedback@fbl.example.net"
    report["To"] = "abuse@pressroom.example"
    report["Subject"] = "FW: complaint about a message"
    report["Message-ID"] = make_msgid(domain="fbl.example.net")
    report.attach(MIMEText("This is an email abuse report for an email message received."))
    feedback = MIMEBase("message", "feedback-report")
    feedback.set_payload(
        [
            _fields(
                Feedback_Type=feedback_type,
                User_Agent="ExampleFBL/1.0",
                Version="1",
                Original_Mail_From=f"<{return_path}>",
                Arrival_Date="Mon, 1 Jan 2024 00:00 +0000",
                Reported_Domain="pressroom.example",
            )
        ]
    )
    report.attach(feedback)
    received = f"Return-Path: <{return_path}>\r\n".encode() + original
    report.attach(MIMEMessage(message_from_bytes(received)))
    return report.as_bytes()


def _a_plain_message() -> bytes:
    return b"From: a friend <friend@example.net>\r\nSubject: hello\r\n\r\nNot a report.\r\n"


# --- the return path on the wire --------------------------------------------------------------


def test_token_round_trips_and_reveals_nothing(settings):
    tokens = [bounces.return_path_token(n) for n in (1, 2, 3, 10**9)]
    assert all(re.fullmatch(r"[a-z2-7]{16}", token) for token in tokens)
    assert [bounces.delivery_id_from_token(t) for t in tokens] == [1, 2, 3, 10**9]
    # Neighbouring ids share no visible structure (not a counter in disguise).
    assert len({token[:8] for token in tokens}) == 4 and len({t[8:] for t in tokens}) == 4
    assert bounces.delivery_id_from_token(tokens[0].upper()) == 1
    for forged in (tokens[0][:-1] + ("a" if tokens[0][-1] != "a" else "b"), "x" * 16, "", "!"):
        assert bounces.delivery_id_from_token(forged) is None
    settings.SECRET_KEY = "another-secret-key-" * 3
    assert bounces.delivery_id_from_token(tokens[0]) is None


@pytest.mark.parametrize("path", ["prebuilt", "general"])
@pytest.mark.parametrize("sink", [False, True], ids=["one-by-one", "pipelining"], indirect=True)
def test_each_delivery_has_its_own_return_path(sink, make_staff, path, monkeypatch):
    if path == "general":  # the EmailMessage path (an address or message the fast one skips)
        monkeypatch.setattr(smtp_wire.messages, "raw_template", lambda *a, **k: None)
    deliveries = _send(make_staff)
    for address, delivery in deliveries.items():
        local, _, domain = sink.mail_from[address].partition("@")
        assert domain == BOUNCE_DOMAIN and local.startswith("bounces+")
        assert bounces.delivery_id_from_token(local.removeprefix("bounces+")) == delivery.pk
        message = message_from_bytes(sink.raw(address))
        # Only the envelope changes: readers still see the organisation's address.
        assert message["From"] == "Pressroom <press@pressroom.example>"
        assert "bounces+" not in sink.raw(address).decode("utf-8", "replace")
    assert len(set(sink.mail_from.values())) == len(ADDRESSES)


def test_without_bounce_domain_the_envelope_sender_is_unchanged(sink, make_staff, settings):
    settings.BOUNCE_DOMAIN = ""
    _send(make_staff)
    assert set(sink.mail_from.values()) == {"press@pressroom.example"}


# --- process_bounces from files and Maildirs ----------------------------------------------------


def _run(source: str, *extra: str) -> str:
    out = StringIO()
    call_command("process_bounces", source, *extra, stdout=out)
    return out.getvalue()


def _contact(address: str) -> Contact:
    return Contact.objects.get(email=address)


def test_mbox_of_reports_matched_by_return_path_and_message_id(sink, make_staff, tmp_path):
    deliveries = _send(make_staff)
    en, my, both = (deliveries[a] for a in ADDRESSES)
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    # Permanent, by return path; a complaint; a delay by Message-ID only (the DSN went to
    # the organisation's own address); a stranger's message; a forged token.
    box.add(dsn(sink.raw(en.address), to=sink.mail_from[en.address], recipient=en.address))
    box.add(arf(sink.raw(my.address), return_path=sink.mail_from[my.address]))
    box.add(
        dsn(
            sink.raw(both.address),
            to="press@pressroom.example",
            recipient=both.address,
            status="4.2.2",
            action="delayed",
            headers_only=False,
        )
    )
    box.add(_a_plain_message())
    box.add(dsn(b"Subject: x\r\n\r\n", to=f"bounces+{'a' * 16}@{BOUNCE_DOMAIN}", recipient="x@y.z"))
    box.flush()
    box.close()

    output = _run(str(tmp_path / "bounces.mbox"))
    assert "found 5, bounced 1, complained 1, temporary 1, unmatched 1, ignored 1" in output
    assert "@example.org" not in output  # the report names no journalist

    for delivery in deliveries.values():
        delivery.refresh_from_db()
    assert en.state == "bounced" and "5.1.1" in en.last_error
    assert "en@example.org" not in en.last_error
    assert _contact("en@example.org").status == "bounced" and Suppression.covers("en@example.org")
    assert _contact("my@example.org").status == "complained"
    assert Suppression.covers("my@example.org") and my.state == "sent"
    assert both.state == "sent" and "4.2.2" in both.last_error
    assert "both@example.org" not in both.last_error
    assert _contact("both@example.org").status == "active"
    assert not Suppression.covers("both@example.org")

    # Idempotent: the same file again changes nothing.
    before = list(Delivery.objects.values_list("pk", "state", "last_error").order_by("pk"))
    _run(str(tmp_path / "bounces.mbox"))
    after = list(Delivery.objects.values_list("pk", "state", "last_error").order_by("pk"))
    assert before == after
    assert Suppression.objects.count() == 2


def test_single_message_file_quoting_the_whole_original(sink, make_staff, tmp_path, settings):
    deliveries = _send(make_staff)
    en = deliveries["en@example.org"]
    settings.BOUNCE_DOMAIN = ""  # reports are still matched after the setting is removed
    path = tmp_path / "one.eml"
    path.write_bytes(
        dsn(
            sink.raw(en.address),
            to=sink.mail_from[en.address],
            recipient=en.address,
            headers_only=False,
        )
    )
    assert "bounced 1" in _run(str(path))
    en.refresh_from_db()
    assert en.state == "bounced"


def test_a_report_quoting_our_message_id_but_naming_someone_else_is_not_applied(
    sink, make_staff, tmp_path
):
    deliveries = _send(make_staff)
    en = deliveries["en@example.org"]
    path = tmp_path / "forged.eml"
    # Message-IDs can be guessed: a report about another address must not bounce this one.
    path.write_bytes(dsn(sink.raw(en.address), to="press@pressroom.example", recipient="x@y.z"))
    output = _run(str(path))
    assert "unmatched 1" in output and "names another recipient" in output
    en.refresh_from_db()
    assert en.state == "sent" and _contact(en.address).status == "active"


def test_a_successful_delivery_report_changes_nothing(sink, make_staff, tmp_path):
    deliveries = _send(make_staff)
    en = deliveries["en@example.org"]
    path = tmp_path / "delivered.eml"
    path.write_bytes(
        dsn(
            sink.raw(en.address),
            to=sink.mail_from[en.address],
            recipient=en.address,
            status="2.0.0",
            action="delivered",
        )
    )
    assert "ignored 1" in _run(str(path))
    en.refresh_from_db()
    assert en.state == "sent" and en.last_error == ""


def test_maildir_messages_are_marked_seen_and_read_once(sink, make_staff, tmp_path):
    deliveries = _send(make_staff)
    en, my = deliveries["en@example.org"], deliveries["my@example.org"]
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(dsn(sink.raw(en.address), to=sink.mail_from[en.address], recipient=en.address))
    box.add(arf(sink.raw(my.address), return_path=sink.mail_from[my.address]))
    box.add(_a_plain_message())

    output = _run(str(tmp_path / "Maildir"))
    assert "found 3, bounced 1, complained 1, temporary 0, unmatched 0, ignored 1" in output
    box = mailbox.Maildir(tmp_path / "Maildir", create=False)
    assert all("S" in box.get_message(key).get_flags() for key in box.keys())  # noqa: SIM118 (iterating a Mailbox gives messages)
    assert not list((tmp_path / "Maildir" / "new").iterdir())
    assert "found 0" in _run(str(tmp_path / "Maildir"))
    # Read again on purpose: the same result, nothing more.
    assert "bounced 1, complained 1" in _run(str(tmp_path / "Maildir"), "--include-seen")
    en.refresh_from_db()
    assert en.state == "bounced"
    assert _contact("my@example.org").status == "complained"


def test_unreadable_sources_are_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="No such file or folder"):
        _run(str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="not a Maildir"):
        _run(str(tmp_path))
    with pytest.raises(CommandError, match="refused|reach"):
        _run(f"imap://u:p@127.0.0.1:{free_port()}/INBOX")


def test_garbage_is_reported_not_a_crash(tmp_path, db):
    path = tmp_path / "junk"
    path.write_bytes(b"\x00\xff garbage \r\n\r\n\x00")
    output = _run(str(path))
    assert "found 1" in output


# --- a real IMAP server -------------------------------------------------------------------------


@pytest.fixture
def imap():
    if dovecot_binary() is None:
        skip_or_fail(
            "needs Debian's dovecot for the IMAP bounce test (apt-get install dovecot-imapd)"
        )
    server = ImapServer().start()
    yield server
    server.stop()


def test_reports_in_an_imap_mailbox(sink, make_staff, imap, settings):
    deliveries = _send(make_staff)
    en, my, both = (deliveries[a] for a in ADDRESSES)
    imap.append(
        dsn(sink.raw(en.address), to=sink.mail_from[en.address], recipient=en.address),
        arf(sink.raw(my.address), return_path=sink.mail_from[my.address]),
        dsn(
            sink.raw(both.address),
            to=sink.mail_from[both.address],
            recipient=both.address,
            status="4.4.1",
            action="delayed",
        ),
        dsn(b"Message-ID: <elsewhere@example.net>\r\n\r\n", to="x@y.z", recipient="x@y.z"),
    )
    assert imap.unseen() == 4

    output = _run(imap.url)
    assert "found 4, bounced 1, complained 1, temporary 1, unmatched 1, ignored 0" in output
    assert "imap-test-password" not in output
    for delivery in deliveries.values():
        delivery.refresh_from_db()
    assert en.state == "bounced" and _contact(en.address).status == "bounced"
    assert Suppression.covers(en.address)
    assert my.state == "sent" and _contact(my.address).status == "complained"
    assert both.state == "sent" and "4.4.1" in both.last_error
    assert both.address not in both.last_error and _contact(both.address).status == "active"

    # Everything read is flagged \Seen: the next poll (the beat task) finds nothing new.
    assert imap.unseen() == 0
    settings.BOUNCE_IMAP_URL = imap.url
    from distribution.tasks import poll_bounces

    imap.append(
        dsn(sink.raw(both.address), to=sink.mail_from[both.address], recipient=both.address)
    )
    poll_bounces.delay()
    assert imap.unseen() == 0
    both.refresh_from_db()
    assert both.state == "bounced" and _contact(both.address).status == "bounced"
    assert "found 0" in _run(imap.url)


def test_imap_login_refused_is_a_clear_error(imap, db):
    with pytest.raises(CommandError, match="refused the login") as refused:
        _run(imap.url.replace("imap-test-password", "wrong-password"))
    assert "wrong-password" not in str(refused.value)


def test_beat_polls_the_mailbox_only_when_one_is_set():
    import os
    import subprocess
    import sys

    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CELERY_BEAT_SCHEDULE.get('distribution-bounces')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("BOUNCE_IMAP_URL", None)
    unset = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert unset.stdout.strip() == "null"
    env["BOUNCE_IMAP_URL"] = "imaps://bounces:pw@imap.example.org/INBOX"
    polled = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert '"task": "distribution.tasks.poll_bounces"' in polled.stdout

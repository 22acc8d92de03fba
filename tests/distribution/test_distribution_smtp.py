"""The pre-built SMTP path against a real (loopback) SMTP server, without a worker."""

from __future__ import annotations

import re
import smtplib

import pytest

from distribution import sending, smtp_wire
from tests.distribution.smtp_sink import start_sink


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelining"])
def smtp(request):
    controller, recorder, port = start_sink(pipelining=request.param)
    client = smtplib.SMTP("127.0.0.1", port)
    yield client, recorder
    client.close()
    controller.stop()


def _count_writes(client: smtplib.SMTP, monkeypatch) -> list[bytes]:
    writes: list[bytes] = []
    original = client.send

    def send(data):
        writes.append(data if isinstance(data, bytes) else data.encode())
        return original(data)

    monkeypatch.setattr(client, "send", send)
    return writes


def test_prestuffed_message_arrives_byte_for_byte(smtp, monkeypatch):
    client, recorder = smtp
    raw = (
        b"Subject: dots\r\nTo: recipient.placeholder@pressroom.invalid\r\n\r\n"
        b".leading dot\r\n..two dots\r\nplain\r\n"
    )
    monkeypatch.setattr(smtp_wire.messages, "raw_template", lambda rendered: raw)
    stuffed = smtp_wire.template(-1, "en", {}).fill(
        address="a@example.org", token="t", message_id="<m@example.org>"
    )
    assert b"\r\n..leading dot\r\n...two dots\r\n" in stuffed
    assert stuffed.endswith(b"plain\r\n.\r\n")
    smtp_wire.send_stuffed(client, "press@example.org", "a@example.org", stuffed)
    assert recorder.count == 1
    received = recorder.received[0][1].replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    expected = raw.replace(b"recipient.placeholder@pressroom.invalid", b"a@example.org")
    assert received.rstrip(b"\r\n") == expected.rstrip(b"\r\n")


@pytest.mark.parametrize("code, permanent", [(451, False), (550, True)])
def test_refusals_raise_what_smtplib_would(smtp, code, permanent):
    client, recorder = smtp
    recorder.refuse["a@example.org"] = [code]
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_wire.send_stuffed(client, "press@example.org", "a@example.org", b"x\r\n.\r\n")
    error = sending.classify(refused.value)
    assert (error.code, error.permanent) == (code, permanent)
    # The connection is still usable for the next recipient.
    smtp_wire.send_stuffed(client, "press@example.org", "b@example.org", b"x\r\n.\r\n")
    assert recorder.addresses() == ["b@example.org"]


def test_the_envelope_goes_in_one_write_when_the_server_offers_pipelining(smtp, monkeypatch):
    client, recorder = smtp
    client.ehlo()
    writes = _count_writes(client, monkeypatch)
    for n in range(3):
        smtp_wire.send_stuffed(client, "press@example.org", f"r{n}@example.org", b"x\r\n.\r\n")
    assert recorder.addresses() == ["r0@example.org", "r1@example.org", "r2@example.org"]
    if recorder.pipelining:
        assert len(writes) == 6  # envelope, body; per message
        assert writes[0] == (
            b"MAIL FROM:<press@example.org> size=6\r\nRCPT TO:<r0@example.org>\r\nDATA\r\n"
        )
    else:
        assert len(writes) == 12  # MAIL, RCPT, DATA, body; per message


def test_a_pipelined_server_that_takes_data_after_a_refused_recipient_is_put_back_in_step():
    """RFC 2920 lets a server answer 354 to DATA although every RCPT failed; the client then
    ends the empty message and resets, and reports the refusal. aiosmtpd never does this, so
    a scripted server on a socket pair plays it."""
    import socket
    import threading

    ours, theirs = socket.socketpair()
    heard: list[bytes] = []

    def server() -> None:
        reader = theirs.makefile("rb")
        for reply in (
            b"250 OK\r\n550 5.1.1 no such user\r\n354 go ahead\r\n",
            b"250 OK (empty)\r\n",
            b"250 reset\r\n",
        ):
            line = reader.readline()
            heard.append(line)
            if line.startswith(b"MAIL"):
                heard.extend([reader.readline(), reader.readline()])
            theirs.sendall(reply)

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    client = smtplib.SMTP()
    client.sock = ours
    client.ehlo_resp, client.does_esmtp = b"scripted", True
    client.esmtp_features = {"pipelining": ""}
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_wire.send_stuffed(client, "press@example.org", "gone@example.org", b"x\r\n.\r\n")
    thread.join(5)
    assert sending.classify(refused.value).code == 550
    assert heard == [
        b"MAIL FROM:<press@example.org>\r\n",
        b"RCPT TO:<gone@example.org>\r\n",
        b"DATA\r\n",
        b".\r\n",
        b"rset\r\n",  # smtplib writes its commands in lower case
    ]
    ours.close()
    theirs.close()


def test_prebuilt_fill_matches_the_message_built_per_recipient(settings):
    """The pre-built path and EmailMessage give the same message, bar the Date header."""
    from distribution import messages

    rendered = {
        "subject": "Statement ၁",
        "text": "Body\n.dot\nUnsubscribe: " + messages.UNSUBSCRIBE_PLACEHOLDER,
        "html": "<p>Body</p>",
        "language": "en",
    }
    kwargs = {
        "address": "r@example.org",
        "token": messages.unsubscribe_token(7),
        "message_id": "<pressroom.1.2@example.org>",
    }
    filled = messages.Prebuilt.cut(messages.raw_template(rendered)).fill(**kwargs)
    built = (
        messages.build_message(rendered=rendered, date="Mon, 23 Nov 2026 10:00:00 -0000", **kwargs)
        .message()
        .as_bytes(linesep="\r\n")
    )

    def without_date(raw: bytes) -> list[bytes]:
        raw = re.sub(rb"=+\d+==", b"BOUNDARY", raw)  # MIME boundaries are random
        return [line for line in raw.split(b"\r\n") if not line.startswith(b"Date: ")]

    assert without_date(filled) == without_date(built)
    assert kwargs["token"].encode() in filled

"""The pre-built SMTP path against a real (loopback) SMTP server, without a worker."""

from __future__ import annotations

import smtplib
from types import SimpleNamespace

import pytest

from distribution import sending
from tests.distribution.smtp_sink import start_sink


@pytest.fixture
def smtp():
    controller, recorder, port = start_sink()
    client = smtplib.SMTP("127.0.0.1", port)
    yield client, recorder
    client.close()
    controller.stop()


def test_prestuffed_message_arrives_byte_for_byte(smtp, monkeypatch):
    client, recorder = smtp
    raw = (b"Subject: dots\r\nTo: recipient.placeholder@pressroom.invalid\r\n\r\n"
           b".leading dot\r\n..two dots\r\nplain\r\n")
    monkeypatch.setattr(sending.messages, "raw_template", lambda rendered: raw)
    stuffed = sending._template(SimpleNamespace(pk=-1), "en", {})
    assert b"\r\n..leading dot\r\n...two dots\r\n" in stuffed
    sending._sendmail_stuffed(client, "press@example.org", "a@example.org", stuffed)
    assert recorder.count == 1
    received = recorder.received[0][1].replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    assert received.rstrip(b"\r\n") == raw.rstrip(b"\r\n")


@pytest.mark.parametrize("code, permanent", [(451, False), (550, True)])
def test_refusals_raise_what_smtplib_would(smtp, code, permanent):
    client, recorder = smtp
    recorder.refuse["a@example.org"] = [code]
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        sending._sendmail_stuffed(client, "press@example.org", "a@example.org", b"x\r\n")
    error = sending.classify(refused.value)
    assert (error.code, error.permanent) == (code, permanent)
    # The connection is still usable for the next recipient.
    sending._sendmail_stuffed(client, "press@example.org", "b@example.org", b"x\r\n")
    assert recorder.addresses() == ["b@example.org"]

"""The hot path of a send: a pre-built, dot-stuffed message written straight to smtplib.

Used only with Django's own SMTP backend and plain ASCII addresses; everything else goes
through EmailMessage. Replies turn into the same exceptions smtplib.SMTP.sendmail raises, so
sending.classify treats both paths alike.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email.utils import parseaddr

from django.core.mail.message import sanitize_address

from distribution import messages

# An address smtplib would put between <> unchanged: printable ASCII, no space, no <>.
_PLAIN_ADDRESS = re.compile(r"[!-;=?-~]+@[!-;=?-~]+\Z")

_TEMPLATES: dict[tuple[int, str, bool], messages.Prebuilt | None] = {}


def plain_address(address: str) -> bool:
    return _PLAIN_ADDRESS.match(address) is not None


def envelope_sender(from_email: str) -> str:
    """The bare address of DEFAULT_FROM_EMAIL ("Pressroom <press@...>" -> press@...)."""
    return parseaddr(sanitize_address(from_email, "utf-8"))[1]


def template(
    distribution_id: int, variant: str, rendered: dict, *, plain_text_only: bool = False
) -> messages.Prebuilt | None:
    """The variant's whole message ready for DATA, built once per worker process: dot-stuffed
    and ending in the terminator, so filling it in is the only per-message work. Contacts who
    asked for plain text get a second template of the variant, without the HTML part."""
    key = (distribution_id, variant, plain_text_only)
    if key not in _TEMPLATES:
        if len(_TEMPLATES) > 64:  # a worker lives long; distributions come and go
            _TEMPLATES.clear()
        raw = (
            messages.raw_template(rendered, plain_text_only=True)
            if plain_text_only
            else messages.raw_template(rendered)
        )
        if raw is None:
            _TEMPLATES[key] = None
        else:
            # Dot-stuffed once here rather than by smtplib for every message (a regex over
            # the whole message, a quarter of the CPU per message). What fill puts in later
            # never starts a line.
            stuffed = re.sub(rb"(?m)^\.", b"..", raw)
            if not stuffed.endswith(b"\r\n"):
                stuffed += b"\r\n"
            _TEMPLATES[key] = messages.Prebuilt.cut(stuffed + b".\r\n")
    return _TEMPLATES[key]


def _after_refusal(smtp: smtplib.SMTP, code: int) -> None:
    # As smtplib: 421 means the server is closing the connection; otherwise start over.
    if code == 421:
        smtp.close()
    else:
        smtp._rset()


_ACCEPTED = {"mail": (250,), "rcpt": (250, 251), "data": (354,)}


def send_stuffed(
    smtp: smtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """smtplib.SMTP.sendmail for one plain recipient and a message already dot-stuffed and
    ending in the terminator (CRLF . CRLF).

    MAIL and RCPT are written directly: smtplib's quoteaddr parses each address with the
    email package, which costs more than the exchange. Both addresses are plain (checked by
    the caller, and putcmd refuses CR and LF), so <address> is exactly what quoteaddr makes.
    A server that offers PIPELINING (RFC 2920; Postfix, Exim and the providers' relays do)
    gets MAIL, RCPT and DATA in one write: two round trips fewer per message, which is most
    of the time per message over a network. `meanwhile` runs while the server takes in the
    body, before its reply is read.
    """
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    commands = [("mail", f"FROM:<{sender}>{size}"), ("rcpt", f"TO:<{recipient}>"), ("data", "")]
    if smtp.does_esmtp and smtp.has_extn("pipelining") and plain_address(sender):
        replies = _pipelined(smtp, commands)
    else:
        replies = _one_by_one(smtp, commands)
    _check_envelope(smtp, commands, replies, sender, recipient)
    # One write with the terminator, as smtplib does: a separate small write for the final
    # dot would wait for the previous segment's ACK (Nagle) on every message.
    smtp.send(data)
    if meanwhile is not None:
        meanwhile()
    code, reply = smtp.getreply()
    if code != 250:
        _after_refusal(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _one_by_one(smtp: smtplib.SMTP, commands: list[tuple[str, str]]) -> list[tuple[int, bytes]]:
    replies = []
    for name, args in commands:
        smtp.putcmd(name, args)
        replies.append(smtp.getreply())
        if replies[-1][0] not in _ACCEPTED[name]:
            break
    return replies


def _pipelined(smtp: smtplib.SMTP, commands: list[tuple[str, str]]) -> list[tuple[int, bytes]]:
    smtp.send(
        "".join(f"{name.upper()} {args}".rstrip() + "\r\n" for name, args in commands).encode(
            "ascii"
        )
    )
    replies = []
    for _command in commands:
        replies.append(smtp.getreply())
        if replies[-1][0] == 421:  # the server is closing the connection: no more replies
            break
    return replies


def _check_envelope(
    smtp: smtplib.SMTP,
    commands: list[tuple[str, str]],
    replies: list[tuple[int, bytes]],
    sender: str,
    recipient: str,
) -> None:
    """Raise what smtplib would for the first refused command."""
    for (name, _args), (code, reply) in zip(commands, replies, strict=False):
        if code in _ACCEPTED[name]:
            continue
        if len(replies) == len(commands) and replies[-1][0] == 354:
            # Pipelined, and the server took DATA although the envelope failed (RFC 2920
            # allows it): end the empty message so the connection is in step again.
            smtp.send(b".\r\n")
            smtp.getreply()
        _after_refusal(smtp, code)
        if name == "mail":
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        if name == "rcpt":
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        raise smtplib.SMTPDataError(code, reply)

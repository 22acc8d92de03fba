"""DKIM signatures (RFC 6376) for an organisation whose own relay does not sign.

Set DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE (PEM, RSA) and publish the public key as a TXT
record at <selector>._domainkey.<domain>; DKIM_DOMAIN defaults to the domain of each message's
From address. Then every message is signed with dkimpy (relaxed/relaxed) just before it goes:
the fast path signs the final per-recipient bytes (sending.py through sign_stuffed), and
Django's SMTP backend is replaced by SigningEmailBackend (config/settings.py), which signs what
it sends (test sends, staff notifications, and the messages the fast path cannot pre-build).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import dkim as dkimpy
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

# What the signature covers: what a receiver shows or acts on. Listed headers a message lacks
# are signed as absent, so nobody can add them on the way.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"Content-Type",
    b"MIME-Version",
)
_CANONICALIZE = (b"relaxed", b"relaxed")
_FROM_DOMAIN = re.compile(rb"(?im)^From:[^\r\n]*@([A-Za-z0-9.-]+)>?[ \t]*\r?$")


def configured() -> bool:
    return bool(settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY_FILE)


@functools.lru_cache(maxsize=4)
def _private_key(path: str) -> bytes:
    try:
        key = Path(path).read_bytes()
    except OSError as err:
        raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE cannot be read: {err}") from err
    if b"PRIVATE KEY" not in key:
        raise ImproperlyConfigured("DKIM_PRIVATE_KEY_FILE is not a PEM private key.")
    return key


def _domain(raw: bytes) -> bytes:
    if settings.DKIM_DOMAIN:
        return settings.DKIM_DOMAIN.encode("ascii")
    head = raw.split(b"\r\n\r\n", 1)[0]
    match = _FROM_DOMAIN.search(head)
    if match is None:
        raise ValueError("DKIM: the message has no From address to take the domain from")
    return match.group(1).lower()


def signature(raw: bytes) -> bytes:
    """The DKIM-Signature header, with its line ending, for a message as sent (CRLF line
    endings, not dot-stuffed)."""
    return dkimpy.sign(
        raw,
        settings.DKIM_SELECTOR.encode("ascii"),
        _domain(raw),
        _private_key(settings.DKIM_PRIVATE_KEY_FILE),
        canonicalize=_CANONICALIZE,
        include_headers=list(SIGNED_HEADERS),
    )


def sign(raw: bytes) -> bytes:
    """The message with its signature in front (unchanged when DKIM is not configured)."""
    return signature(raw) + raw if configured() else raw


def sign_stuffed(data: bytes) -> bytes:
    """Sign smtp_wire's DATA bytes (dot-stuffed, ending in CRLF . CRLF): the signature is over
    the message the receiver reassembles, and its header never starts a line with a dot."""
    if not configured():
        return data
    # Undo the stuffing: stuffing doubled the dot at the start of a line, never the first
    # line (a header).
    raw = data[:-3].replace(b"\r\n..", b"\r\n.")
    return signature(raw) + data


class _SignedBytes:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, linesep: str = "\r\n", **_kwargs) -> bytes:
        return self.raw


class _Signing:
    """An EmailMessage whose message() serialises once and comes back signed."""

    def __init__(self, message) -> None:
        self._message = message

    def __getattr__(self, name):
        return getattr(self._message, name)

    def message(self):
        return _SignedBytes(sign(self._message.message().as_bytes(linesep="\r\n")))


class SigningEmailBackend(SMTPBackend):
    """Django's SMTP backend, signing each message with DKIM when it is configured."""

    def _send(self, email_message):
        return super()._send(_Signing(email_message) if configured() else email_message)

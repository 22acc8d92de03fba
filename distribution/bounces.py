"""Bounces and complaints that come back as mail, for organisations sending through their own
relay: delivery status notifications (RFC 3464) and complaint reports (ARF, RFC 5965).

Each message is matched to the delivery it is about: by the per-delivery return path
(VERP: `bounces+<token>@BOUNCE_DOMAIN`, the SMTP envelope sender when BOUNCE_DOMAIN is set),
or by the Message-ID of the original message the report quotes. A permanent failure (5.x.x)
marks the delivery bounced and suppresses the address; a complaint marks the contact
complained (and suppresses it); a temporary failure (4.x.x) is noted on the delivery and
changes nothing else. Applying a report twice changes nothing more.

Reports come from a file (one message or an mbox), a Maildir or an IMAP mailbox
(`imap://user:pass@host:port/INBOX`, `imaps://...`); Maildir and IMAP messages are marked
seen once processed, so nothing is processed twice. Nothing here logs or reports an address.
"""

from __future__ import annotations

import base64
import email
import functools
import hashlib
import hmac
import imaplib
import logging
import mailbox
import re
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction

from contacts.models import Contact, Suppression
from contacts.services import contact_suppress
from distribution.models import Delivery
from distribution.sending import without_address

log = logging.getLogger(__name__)

RETURN_PATH_LOCAL_PREFIX = "bounces+"
# 5 bytes of tag + 5 bytes of sealed id, base32: 16 characters, lower case (local parts are
# often lower-cased on the way back).
_TOKEN_BYTES = 5
_TOKEN = re.compile(r"bounces\+([a-z2-7]{16})@", re.IGNORECASE)


# --- the return path token ------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"pressroom.bounces.return-path\x00" + secret.encode()).digest()


def return_path_token(delivery_id: int) -> str:
    """The delivery id, sealed: a tag (keyed hash of the id) and the id masked with a keyed
    hash of the tag (deterministic authenticated encryption, as SIV). Short, not guessable,
    and it reveals nothing, not even how many deliveries there were. Two HMACs: cheap enough
    for the per-message path."""
    key = _key(settings.SECRET_KEY)
    body = delivery_id.to_bytes(_TOKEN_BYTES, "big")
    tag = hmac.digest(key, b"t" + body, "sha256")[:_TOKEN_BYTES]
    pad = int.from_bytes(hmac.digest(key, b"p" + tag, "sha256")[:_TOKEN_BYTES], "big")
    sealed = (delivery_id ^ pad).to_bytes(_TOKEN_BYTES, "big")
    return base64.b32encode(tag + sealed).decode("ascii").lower()


def delivery_id_from_token(token: str) -> int | None:
    """The delivery id a token stands for; None if it was not made here."""
    try:
        raw = base64.b32decode(token.upper())
    except (ValueError, TypeError):
        return None
    if len(raw) != 2 * _TOKEN_BYTES:
        return None
    key = _key(settings.SECRET_KEY)
    tag, sealed = raw[:_TOKEN_BYTES], raw[_TOKEN_BYTES:]
    pad = int.from_bytes(hmac.digest(key, b"p" + tag, "sha256")[:_TOKEN_BYTES], "big")
    delivery_id = int.from_bytes(sealed, "big") ^ pad
    body = delivery_id.to_bytes(_TOKEN_BYTES, "big")
    expected = hmac.digest(key, b"t" + body, "sha256")[:_TOKEN_BYTES]
    if not hmac.compare_digest(tag, expected):
        return None
    return delivery_id


def return_path(delivery_id: int, domain: str) -> str:
    """The SMTP envelope sender (MAIL FROM) of one delivery: its bounces come back here."""
    return f"{RETURN_PATH_LOCAL_PREFIX}{return_path_token(delivery_id)}@{domain}"


# --- reading a report -------------------------------------------------------------------------

PERMANENT, TEMPORARY, COMPLAINT, OTHER = "permanent", "temporary", "complaint", "other"
# RFC 5965 feedback types that mean "the recipient did not want this".
_COMPLAINT_TYPES = {"abuse", "fraud"}
# Where a DSN or an ARF report names the envelope recipient of the report (our return path).
_RECIPIENT_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
_SMTP_CODE = re.compile(r"\b([245])\d\d\b")


@dataclass
class Report:
    kind: str  # permanent | temporary | complaint | other
    status: str = ""  # the enhanced status code, "5.1.1"
    diagnostic: str = ""
    recipients: set[str] = field(default_factory=set)  # addresses the report names
    tokens: list[str] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)
    what: str = ""  # why it is not a report we act on


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _addresses(value: str) -> set[str]:
    # "rfc822; someone@example.org" (RFC 3464 address-type; address)
    value = value.split(";", 1)[-1]
    return {addr.lower() for _name, addr in getaddresses([value]) if "@" in addr}


def _headers_of(part: Message) -> Message | None:
    """The original message (or its headers) quoted by a report part."""
    content_type = part.get_content_type()
    if content_type in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        if isinstance(payload, str):
            return HeaderParser().parsestr(payload)
    if content_type in ("text/rfc822-headers", "text/global-headers"):
        raw = part.get_payload(decode=True) or b""
        return HeaderParser().parsestr(raw.decode("utf-8", "replace"))
    return None


def _field_blocks(part: Message) -> list[Message]:
    """message/delivery-status and message/feedback-report: blocks of header fields."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block) for block in re.split(r"\r?\n\s*\r?\n", text) if block]


def parse_report(message: Message) -> Report:
    """What a DSN or ARF message says, and what it offers for matching it to a delivery."""
    tokens: list[str] = []
    for header in _RECIPIENT_HEADERS:
        for value in message.get_all(header) or []:
            tokens += _TOKEN.findall(str(value))
    message_ids: list[str] = []
    recipients: set[str] = set()
    dsn_blocks: list[Message] = []
    feedback: Message | None = None
    for part in _report_parts(message):
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            dsn_blocks += _field_blocks(part)
        elif content_type == "message/feedback-report":
            blocks = _field_blocks(part)
            feedback = blocks[0] if blocks else Message()
        else:
            original = _headers_of(part)
            if original is not None:
                message_ids += [_text(v) for v in original.get_all("Message-ID") or [] if v]
                # The receiving server wrote our envelope sender here (ARF quotes it whole).
                for value in original.get_all("Return-Path") or []:
                    tokens += _TOKEN.findall(str(value))
    if feedback is not None:
        for value in feedback.get_all("Original-Mail-From") or []:
            tokens += _TOKEN.findall(str(value))
        for name in ("Original-Rcpt-To", "Removal-Recipient"):
            for value in feedback.get_all(name) or []:
                recipients |= _addresses(str(value))
        feedback_type = _text(feedback.get("Feedback-Type")).lower()
        kind = COMPLAINT if feedback_type in _COMPLAINT_TYPES else OTHER
        return Report(
            kind,
            diagnostic=f"complaint: {feedback_type}",
            recipients=recipients,
            tokens=tokens,
            message_ids=message_ids,
            what="" if kind == COMPLAINT else f"a {feedback_type or 'untyped'} feedback report",
        )
    if not dsn_blocks:
        return Report(OTHER, tokens=tokens, message_ids=message_ids, what="not a report")
    # The first block is about the message; each further one about one recipient.
    worst = None
    for block in dsn_blocks[1:] or dsn_blocks:
        for name in ("Final-Recipient", "Original-Recipient"):
            recipients |= _addresses(str(block.get(name, "")))
        action = _text(block.get("Action")).lower()
        diagnostic = _text(block.get("Diagnostic-Code"))
        found = _STATUS.search(_text(block.get("Status"))) or _STATUS.search(diagnostic)
        status = found.group(0) if found else ""
        klass = found.group(1) if found else ""
        if not klass and action == "failed":
            code = _SMTP_CODE.search(diagnostic)
            klass = code.group(1) if code else "5"
        if action in ("delivered", "relayed", "expanded") or klass == "2":
            kind = OTHER
        elif klass == "5":
            kind = PERMANENT
        elif klass == "4" or action == "delayed":
            kind = TEMPORARY
        else:
            kind = OTHER
        rank = {PERMANENT: 2, TEMPORARY: 1, OTHER: 0}[kind]
        if worst is None or rank > worst[0]:
            worst = (rank, kind, status, diagnostic)
    _rank, kind, status, diagnostic = worst
    return Report(
        kind,
        status=status,
        diagnostic=diagnostic,
        recipients=recipients,
        tokens=tokens,
        message_ids=message_ids,
        what="" if kind != OTHER else "a report of a delivery that succeeded",
    )


def _report_parts(message: Message) -> Iterator[Message]:
    """The parts of a multipart/report, without descending into the quoted original."""
    if not message.is_multipart():
        yield message
        return
    for part in message.get_payload():
        if not isinstance(part, Message):
            continue
        if part.get_content_maintype() == "multipart":
            yield from _report_parts(part)
        else:
            yield part


# --- matching and applying --------------------------------------------------------------------


def match_delivery(report: Report) -> tuple[Delivery | None, str]:
    """The delivery a report is about, and how it was found (or why not)."""
    for token in report.tokens:
        delivery_id = delivery_id_from_token(token)
        if delivery_id is not None:
            delivery = Delivery.objects.filter(pk=delivery_id).first()
            if delivery is not None:
                return delivery, "return path"
    for message_id in report.message_ids:
        delivery = Delivery.objects.filter(message_id=message_id).first()
        if delivery is None:
            continue
        # A Message-ID can be guessed; a report naming someone else must not suppress this
        # recipient (a forged report, or one about a forwarded copy).
        if report.recipients and delivery.address.lower() not in report.recipients:
            return None, "it quotes one of our messages but names another recipient"
        return delivery, "Message-ID"
    if report.tokens:
        return None, "its return path was not made here"
    if report.message_ids:
        return None, "it quotes no message we sent"
    return None, "it carries neither a return path of ours nor an original Message-ID"


def _erased(delivery: Delivery) -> bool:
    return delivery.contact_id is None or (
        Contact.objects.filter(pk=delivery.contact_id, status=Contact.Status.ERASED).exists()
    )


def report_apply(report: Report, delivery: Delivery) -> str:
    """Record what a matched report says. Idempotent: a second time changes nothing."""
    address = delivery.address
    detail = without_address(f"{report.status} {report.diagnostic}".strip(), address)
    with transaction.atomic():
        sent = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENT)
        if report.kind == PERMANENT:
            sent.update(state=Delivery.State.BOUNCED, last_error=f"bounce: {detail}"[:500])
            if not _erased(delivery):
                contact_suppress(email=address, reason=Suppression.Reason.BOUNCED)
        elif report.kind == COMPLAINT:
            if not _erased(delivery):
                contact_suppress(email=address, reason=Suppression.Reason.COMPLAINED)
        elif report.kind == TEMPORARY:
            sent.update(last_error=f"delayed: {detail}"[:500])
    return report.kind


# --- sources ----------------------------------------------------------------------------------


@dataclass
class Summary:
    found: int = 0
    bounced: int = 0
    complained: int = 0
    temporary: int = 0
    unmatched: int = 0
    ignored: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"found {self.found}, bounced {self.bounced}, complained {self.complained}, "
            f"temporary {self.temporary}, unmatched {self.unmatched}, ignored {self.ignored}"
        )


class SourceError(Exception):
    """A source that cannot be read: the message says why, without a password."""


def process_message(raw: bytes, summary: Summary, label: str) -> None:
    summary.found += 1
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
        report = parse_report(message)
    except Exception as err:  # a malformed message is reported, never a crash
        summary.unmatched += 1
        summary.notes.append(f"{label}: unreadable ({type(err).__name__})")
        return
    if report.kind == OTHER:
        summary.ignored += 1
        summary.notes.append(f"{label}: ignored, {report.what}")
        return
    delivery, how = match_delivery(report)
    if delivery is None:
        summary.unmatched += 1
        summary.notes.append(f"{label}: unmatched, {how}")
        return
    kind = report_apply(report, delivery)
    if kind == PERMANENT:
        summary.bounced += 1
    elif kind == COMPLAINT:
        summary.complained += 1
    elif kind == TEMPORARY:
        summary.temporary += 1


def process_source(source: str, *, include_seen: bool = False) -> Summary:
    """Read every report at `source`: a file, a Maildir, or an imap:// / imaps:// URL."""
    summary = Summary()
    for label, raw, done in _messages(source, include_seen=include_seen):
        process_message(raw, summary, label)
        done()
    return summary


Item = tuple[str, bytes, Callable[[], None]]


def _messages(source: str, *, include_seen: bool) -> Iterator[Item]:
    if source.startswith(("imap://", "imaps://")):
        yield from _imap_messages(source, include_seen=include_seen)
        return
    path = Path(source)
    if path.is_dir():
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise SourceError(f"{source} is a folder but not a Maildir (no cur/ and new/).")
        yield from _maildir_messages(path, include_seen=include_seen)
    elif path.is_file():
        yield from _file_messages(path)
    else:
        raise SourceError(f"No such file or folder: {source}")


def _nothing() -> None:
    return None


def _file_messages(path: Path) -> Iterator[Item]:
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, create=False)
        try:
            for index, key in enumerate(box.keys(), start=1):
                yield f"message {index}", box.get_bytes(key), _nothing
        finally:
            box.close()
    else:
        yield "message 1", path.read_bytes(), _nothing


def _maildir_messages(path: Path, *, include_seen: bool) -> Iterator[Item]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        try:
            message = box.get_message(key)
        except KeyError:  # taken by another reader meanwhile
            continue
        if "S" in message.get_flags() and not include_seen:
            continue

        def mark_seen(key: str = key, message: mailbox.MaildirMessage = message) -> None:
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message

        yield f"message {key}", box.get_bytes(key), mark_seen


def imap_settings(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise SourceError(
            "An IMAP mailbox is imap://user:password@host:port/MAILBOX (or imaps://)."
        )
    try:
        port = parts.port
    except ValueError as err:
        raise SourceError("The IMAP URL has a port that is not a number.") from err
    return {
        "ssl": parts.scheme == "imaps",
        "host": parts.hostname,
        "port": port or (993 if parts.scheme == "imaps" else 143),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "mailbox": unquote(parts.path.lstrip("/")) or "INBOX",
    }


def _quoted(mailbox_name: str) -> str:
    return '"' + mailbox_name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_messages(url: str, *, include_seen: bool) -> Iterator[Item]:
    config = imap_settings(url)
    where = f"{config['host']}:{config['port']}"
    try:
        if config["ssl"]:
            imap = imaplib.IMAP4_SSL(
                config["host"], config["port"], ssl_context=ssl.create_default_context(), timeout=30
            )
        else:
            imap = imaplib.IMAP4(config["host"], config["port"], timeout=30)
    except (OSError, imaplib.IMAP4.error) as err:
        raise SourceError(f"Cannot reach the IMAP server at {where}: {err}") from err
    try:
        try:
            imap.login(config["user"], config["password"])
        except imaplib.IMAP4.error as err:
            raise SourceError(f"The IMAP server at {where} refused the login.") from err
        status, _data = imap.select(_quoted(config["mailbox"]))
        if status != "OK":
            raise SourceError(f"No mailbox {config['mailbox']!r} on the IMAP server at {where}.")
        status, data = imap.uid("SEARCH", None, "ALL" if include_seen else "UNSEEN")
        if status != "OK":
            raise SourceError(f"The IMAP server at {where} refused the search.")
        for uid in (data[0] or b"").split():
            status, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (item[1] for item in fetched or [] if isinstance(item, tuple) and len(item) > 1),
                None,
            )
            if status != "OK" or raw is None:
                continue

            def mark_seen(uid: bytes = uid) -> None:
                imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")

            yield f"message {uid.decode()}", raw, mark_seen
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            log.info("bounces: the IMAP server closed the connection first")

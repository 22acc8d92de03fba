"""Signed releases: the key, the canonical text of each language version, signing, verifying.

**Key.** One Ed25519 key pair signs everything. The private key comes from
``settings.SIGNING_KEY`` (base64 of the 32-byte seed) or ``settings.SIGNING_KEY_FILE``; the
embedded default makes that file at first run (mode 0600). It is never stored in the
database. A key's id is the first 16 hex digits of the SHA-256 of its raw public key. Every
public key the site has signed with is recorded (``SigningKey``); when the configured key
changes, the others are marked retired and stay published at
``/.well-known/pressroom-keys.json``, so old signatures keep verifying. Retired keys the database
does not know can be listed in ``SIGNING_OLD_KEYS``.

**Canonical text** (format 1) of a release in one language, UTF-8, LF line endings, NFC, no
trailing spaces on a line, ending with one newline::

    Pressroom signed release
    Release: <slug>
    Language: <code>
    Version: <n>
    Status: published | corrected | retracted
    Published: <ISO 8601 UTC, seconds, Z>
    Corrected: <...>            (once corrected)
    Retracted: <...>            (once retracted)
    <blank line>
    Title: <title>
    <blank line, then each non-empty section as "Name:" and its text, a blank line between>
    Summary / Body (Markdown source) / Quote (<speaker>) / More information / About /
    Media contact / Correction <n> (<ISO date>)

A retraction is itself signed: its text keeps the header (Status: retracted), the title, a
fixed notice and the reason, never the body. Labels are fixed (never translated), so a new
interface translation never changes signed bytes. Version 1 is signed at publication; any later
change of the public text (a correction, a retraction, a boilerplate change) is signed as the
next version, and a translation published later starts at 1. ``/<lang>/releases/<slug>.txt``
serves the latest version's stored bytes, exactly what was signed.

**PDFs** are signed as bytes when the PDF file is made (publishing/pdf.py): the signature is
written beside the file before the file is put in place, so the served PDF and
``<slug>.pdf.sig`` always match.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from config.languages import pick
from config.local_keys import write_new_secret_file

log = logging.getLogger(__name__)

ALGORITHM = "ed25519"
FORMAT_LINE = "Pressroom signed release"
SIGNATURE_BEGIN = "-----BEGIN PRESSROOM SIGNATURE-----"
SIGNATURE_END = "-----END PRESSROOM SIGNATURE-----"
# The retraction notice, per language; fixed here (never through the translation catalogue)
# because it is part of signed bytes.
RETRACTION_NOTICES = {
    "en": "This release was retracted. It no longer states our position.",
    "my": "ဤသတင်းထုတ်ပြန်ချက်ကို ရုပ်သိမ်းလိုက်ပါပြီ။ ၎င်းသည် ကျွန်ုပ်တို့၏ ရပ်တည်ချက် မဟုတ်တော့ပါ။",
}


class SignatureError(Exception):
    """A signature that is malformed or does not verify."""


# --- Keys ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError) as exc:
        raise SignatureError("not base64") from exc


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: bytes) -> str:
    """A short fingerprint of a raw public key: 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def grouped(key_id: str) -> str:
    """ "ab12 cd34 ef56 7890": a key id as people read it aloud."""
    return " ".join(key_id[i : i + 4] for i in range(0, len(key_id), 4))


def _seed_from_text(text: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{where} is not base64.") from exc
    if len(raw) not in (32, 64):  # a seed, or a NaCl secret key (seed + public key)
        raise ImproperlyConfigured(f"{where} must hold a 32-byte Ed25519 seed, base64.")
    return raw[:32]


def _make_key_file(path: Path) -> None:
    write_new_secret_file(path, _b64(secrets.token_bytes(32)))
    log.warning("made a new signing key in %s; back it up", path)


@functools.lru_cache(maxsize=8)
def _load_private(env_key: str, key_file: str) -> Ed25519PrivateKey:
    if env_key:
        return Ed25519PrivateKey.from_private_bytes(_seed_from_text(env_key, "SIGNING_KEY"))
    path = Path(key_file)
    if not path.exists():
        _make_key_file(path)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)  # a private key readable by others is no secret
    seed = _seed_from_text(path.read_text(encoding="ascii"), str(path))
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    return _load_private(settings.SIGNING_KEY, settings.SIGNING_KEY_FILE)


@dataclasses.dataclass(frozen=True)
class PublicKey:
    key_id: str
    public_key: str  # base64
    created_at: datetime.datetime | None = None
    retired_at: datetime.datetime | None = None

    def as_json(self) -> dict:
        def iso(value):
            return (
                value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if value else None
            )

        return {
            "key_id": self.key_id,
            "algorithm": ALGORITHM,
            "public_key": self.public_key,
            "created_at": iso(self.created_at),
            "retired_at": iso(self.retired_at),
        }


def current_key() -> PublicKey:
    """The configured key's public half (no database query)."""
    raw = public_bytes(private_key().public_key())
    return PublicKey(key_id=key_id_of(raw), public_key=_b64(raw))


def register_current_key() -> None:
    """Record the configured key; any other key still marked current is retired now."""
    from publishing.models import SigningKey

    key = current_key()
    _row, created = SigningKey.objects.get_or_create(
        key_id=key.key_id, defaults={"public_key": key.public_key}
    )
    if created:
        SigningKey.objects.exclude(key_id=key.key_id).filter(retired_at__isnull=True).update(
            retired_at=timezone.now()
        )
    elif _row.retired_at is not None:  # a retired key brought back
        SigningKey.objects.filter(pk=_row.pk).update(retired_at=None)


def _old_keys_from_settings() -> list[PublicKey]:
    keys = []
    for entry in settings.SIGNING_OLD_KEYS:
        text, _sep, retired = entry.strip().partition("@")
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"SIGNING_OLD_KEYS: {text!r} is not base64.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured("SIGNING_OLD_KEYS: each key is a 32-byte public key.")
        when = None
        if retired:
            when = datetime.datetime.fromisoformat(retired.replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.UTC)
        keys.append(PublicKey(key_id_of(raw), _b64(raw), None, when))
    return keys


def published_keys() -> list[PublicKey]:
    """Every key a signature of ours may be made with: the current one, retired ones."""
    from django.db.models import Max, Min

    from publishing.models import ReleaseSignature, SigningKey

    register_current_key()
    keys = {
        row.key_id: PublicKey(row.key_id, row.public_key, row.created_at, row.retired_at)
        for row in SigningKey.objects.all()
    }
    # A key that signed but was never recorded as current (rotated before anyone asked for
    # the keys): published as retired at its last signature.
    current = current_key().key_id
    for row in (
        ReleaseSignature.objects.exclude(key_id__in=list(keys))
        .exclude(public_key="")
        .values("key_id", "public_key")
        .annotate(first=Min("signed_at"), last=Max("signed_at"))
    ):
        retired = None if row["key_id"] == current else row["last"]
        keys[row["key_id"]] = PublicKey(row["key_id"], row["public_key"], row["first"], retired)
    for key in _old_keys_from_settings():
        keys.setdefault(key.key_id, key)
    return sorted(
        keys.values(), key=lambda k: (k.retired_at is None, k.created_at or timezone.now())
    )


def keys_document() -> dict:
    """The body of /.well-known/pressroom-keys.json (CONTRACT.md "Signatures")."""
    return {"keys": [key.as_json() for key in published_keys()]}


def keys_from_document(document: dict) -> list[PublicKey]:
    """Keys read from a pressroom-keys.json (verify_release --keys, offline)."""
    out = []
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or entry.get("algorithm", ALGORITHM) != ALGORITHM:
            continue
        try:
            raw = base64.b64decode(str(entry.get("public_key", "")), validate=True)
        except ValueError:
            continue
        if len(raw) == 32:
            out.append(PublicKey(key_id_of(raw), _b64(raw)))
    return out


# --- Signing and verifying ---------------------------------------------------------------------


def sign_bytes(data: bytes) -> tuple[str, str]:
    """(key_id, base64 signature) of `data` with the configured key."""
    key = private_key()
    return key_id_of(public_bytes(key.public_key())), _b64(key.sign(data))


def _signed_row_fields(data: bytes) -> dict:
    key_id, value = sign_bytes(data)
    return {"key_id": key_id, "signature": value, "public_key": current_key().public_key}


def verify_bytes(data: bytes, value: str, keys: list[PublicKey], key_id: str = "") -> PublicKey:
    """The key whose signature `value` is over `data` (the one named by `key_id` if given);
    raises SignatureError if none."""
    try:
        signature = _unb64(value)
    except SignatureError as exc:
        raise SignatureError("The signature is not base64.") from exc
    for key in keys:
        if key_id and key.key_id != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key)).verify(
                signature, data
            )
        except (InvalidSignature, ValueError):
            continue
        return key
    raise SignatureError("The signature does not verify with any of our keys.")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Canonical text ----------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, LF line endings, no trailing spaces on a line, no blank lines around."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _iso(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    utc = moment.astimezone(datetime.UTC).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")


def _section(name: str, text: str) -> str:
    text = normalise(text)
    return f"{name}:\n{text}" if text else ""


def canonical_text(statement, language: str, version: int) -> str:
    """The canonical text of `statement` in `language` as version `version` (uses the
    prefetch of publishing.visibility.with_release_data: no query)."""
    from publishing.rendering import release_status

    status = release_status(statement)
    header = [
        FORMAT_LINE,
        f"Release: {statement.slug}",
        f"Language: {language}",
        f"Version: {version}",
        f"Status: {status}",
        f"Published: {_iso(statement.published_at)}",
    ]
    if statement.corrected_at:
        header.append(f"Corrected: {_iso(statement.corrected_at)}")
    tr = statement.translation(language)
    title = " ".join(normalise(tr.title if tr else statement.slug).split())
    sections = [f"Title: {title}"]
    if status == "retracted":
        header.append(f"Retracted: {_iso(statement.retracted_at)}")
        sections += [
            _section("Retraction", RETRACTION_NOTICES.get(language, RETRACTION_NOTICES["en"])),
            _section("Reason", statement.retraction_reason),
        ]
    else:
        sections += [
            _section("Summary", tr.summary if tr else ""),
            _section("Body", tr.body if tr else ""),
        ]
        for quote in (tr.quotes if tr else None) or []:
            if isinstance(quote, dict) and str(quote.get("text", "")).strip():
                speaker = " ".join(normalise(str(quote.get("speaker", ""))).split())
                sections.append(
                    _section(f"Quote ({speaker})" if speaker else "Quote", str(quote["text"]))
                )
        sections.append(_section("More information", tr.more_information if tr else ""))
        if statement.boilerplate:
            sections.append(_section("About", pick(statement.boilerplate.about, language)))
            sections.append(
                _section("Media contact", pick(statement.boilerplate.media_contact, language))
            )
        for correction in statement.corrections.all():
            when = correction.published_at or correction.created_at
            sections.append(
                _section(
                    f"Correction {correction.number} ({_iso(when)})", correction.note_in(language)
                )
            )
    return "\n".join(header) + "\n\n" + "\n\n".join(s for s in sections if s) + "\n"


HEADER_RE = re.compile(r"^(Release|Language|Version|Status|Published|Corrected|Retracted): (.*)$")


def parse_header(text: str) -> dict[str, str]:
    """The header fields of a (possibly altered) canonical text; {} when it has none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FORMAT_LINE:
        return {}
    fields = {}
    for line in lines[1:]:
        if not line.strip():
            break
        match = HEADER_RE.match(line.strip())
        if match:
            fields[match.group(1).lower()] = match.group(2).strip()
    return fields


def body_of(text: str) -> str:
    """The text after the header (what a reader copying the words would have)."""
    if not text.startswith(FORMAT_LINE):
        return text
    _header, _sep, rest = text.partition("\n\n")
    return rest


def signed_block(key_id: str, value: str) -> str:
    """A signature appended to a text, for sharing both as one message."""
    return f"{SIGNATURE_BEGIN}\nKey-Id: {key_id}\nSignature: {value}\n{SIGNATURE_END}\n"


BLOCK_RE = re.compile(
    re.escape(SIGNATURE_BEGIN)
    + r"\s*\nKey-Id:\s*(?P<key_id>[0-9a-f]+)\s*\nSignature:\s*(?P<value>[A-Za-z0-9+/=]+)\s*\n"
    + re.escape(SIGNATURE_END)
    + r"\s*$"
)


def split_signed(text: str) -> tuple[str, str, str]:
    """(text without the block, key_id, signature) of a text that may end in a signature
    block; the text is the canonical form the signature covers (ending in one newline)."""
    match = BLOCK_RE.search(text)
    if not match:
        return text, "", ""
    return text[: match.start()], match.group("key_id"), match.group("value")


def as_canonical(text: str) -> str:
    """Pasted or uploaded text in canonical form (line endings, NFC, trailing spaces)."""
    return normalise(text) + "\n"


# --- Signatures of releases (database) -----------------------------------------------------------


def _latest_texts(statement_ids) -> dict[tuple[int, str], object]:
    from publishing.models import ReleaseSignature

    latest: dict[tuple[int, str], ReleaseSignature] = {}
    rows = ReleaseSignature.objects.filter(
        statement_id__in=list(statement_ids), kind=ReleaseSignature.Kind.TEXT
    ).order_by("version")
    for row in rows:
        latest[(row.statement_id, row.language)] = row
    return latest


def _new_text_row(statement, language: str, latest):
    from publishing.models import ReleaseSignature
    from publishing.rendering import release_status

    version = latest.version + 1 if latest else 1
    text = canonical_text(statement, language, version)
    data = text.encode("utf-8")
    return ReleaseSignature(
        statement_id=statement.pk,
        language=language,
        kind=ReleaseSignature.Kind.TEXT,
        version=version,
        status=release_status(statement),
        content_hash=content_hash(data),
        canonical_text=text,
        **_signed_row_fields(data),
    )


def _is_current(statement, language: str, row) -> bool:
    text = canonical_text(statement, language, row.version)
    return content_hash(text.encode("utf-8")) == row.content_hash


def signing_languages(statement) -> list[str]:
    from publishing.visibility import readable_languages

    return readable_languages(statement)


def current_text_signatures(statements, *, sign: bool = True) -> dict[tuple[int, str], object]:
    """The signature of the current canonical text of each statement in each readable language,
    signing what has changed since (one SELECT and at most one INSERT for any number of
    releases). With sign=False (lists and feeds, which must stay at a fixed number of
    queries) what is not signed yet is left out. Statements come from with_release_data."""
    from publishing.models import ReleaseSignature

    statements = list(statements)
    if not statements:
        return {}
    latest = _latest_texts(s.pk for s in statements)
    out, new = {}, []
    for statement in statements:
        if statement.published_at is None:
            continue
        for language in signing_languages(statement):
            row = latest.get((statement.pk, language))
            if row is not None and _is_current(statement, language, row):
                out[(statement.pk, language)] = row
            elif sign:
                new.append(_new_text_row(statement, language, row))
    if new:
        # One INSERT; a version another process signed at the same moment is skipped (the
        # same text under the same key: Ed25519 signatures are deterministic, so the same).
        ReleaseSignature.objects.bulk_create(new, ignore_conflicts=True)
        for row in new:
            out[(row.statement_id, row.language)] = row
    return out


def text_signature(statement, language: str):
    """The signature row of the current canonical text (signed now if it changed)."""
    return current_text_signatures([statement]).get((statement.pk, language))


def sign_release(*, statement_id: int) -> int:
    """Sign every readable language version of a published, corrected or retracted release
    whose text changed (called after each publication, correction, retraction)."""
    from publishing.visibility import with_release_data
    from statements.models import Statement

    statement = (
        with_release_data(Statement.objects.filter(pk=statement_id))
        .filter(state__in=[*Statement.PUBLIC_STATES, Statement.State.RETRACTED])
        .first()
    )
    if statement is None:
        return 0
    register_current_key()  # so a later rotation dates this key's retirement
    return len(current_text_signatures([statement]))


# --- PDFs --------------------------------------------------------------------------------------


def sidecar(pdf_path: Path) -> Path:
    """Where a cached PDF's signature is kept: MEDIA_ROOT/pdf-sig/<pdf file name>.sig."""
    return pdf_path.parent.parent / "pdf-sig" / (pdf_path.name + ".sig")


def sign_pdf(statement, language: str, data: bytes, pdf_path: Path) -> tuple[str, str]:
    """Sign a PDF's bytes, record it against the current text version and write the
    signature beside the file (before the PDF itself is put in place)."""
    from publishing.models import ReleaseSignature
    from publishing.rendering import release_status

    fields = _signed_row_fields(data)
    key_id, value = fields["key_id"], fields["signature"]
    digest = content_hash(data)
    text = text_signature(statement, language)
    ReleaseSignature.objects.get_or_create(
        statement_id=statement.pk,
        language=language,
        kind=ReleaseSignature.Kind.PDF,
        content_hash=digest,
        defaults={
            "version": text.version if text else 1,
            "status": release_status(statement),
            **fields,
        },
    )
    payload = json.dumps({"key_id": key_id, "value": value, "sha256": digest})
    target = sidecar(pdf_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".tmp-{secrets.token_hex(4)}-{target.name}")
    temporary.write_text(payload, encoding="ascii")
    os.replace(temporary, target)
    return key_id, value


def pdf_signature(statement, language: str, pdf_path: Path) -> tuple[str, str]:
    """(key_id, value) of the PDF file served now; signed here if its signature is missing
    or is not for these bytes (a PDF made before signing existed)."""
    data = pdf_path.read_bytes()
    with contextlib.suppress(FileNotFoundError, ValueError, KeyError, TypeError):
        stored = json.loads(sidecar(pdf_path).read_text(encoding="ascii"))
        if stored["sha256"] == content_hash(data):
            return stored["key_id"], stored["value"]
    return sign_pdf(statement, language, data, pdf_path)

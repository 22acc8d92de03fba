"""A small Telegram Bot API client: sendMessage and sendDocument over http.client.

Errors say what they mean for a retry (like healthchecks' TransportError(permanent=...)):
- temporary: Telegram did not take the request (429 with retry_after, 5xx, no connection, or
  the connection broke before the request was fully sent): ask again later;
- permanent: Telegram refused it (400 bad request, 401/403 token or rights, 404): asking again
  would only be refused again;
- uncertain: the request was sent but no answer came (a timeout, a reset): Telegram may have
  posted it, so it is not asked again without a person.
The bot token is part of the URL; it never appears in an error message.
"""

from __future__ import annotations

import http.client
import json
import secrets
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

TEMPORARY, PERMANENT, UNCERTAIN = "temporary", "permanent", "uncertain"


class TelegramError(Exception):
    def __init__(self, message: str, *, kind: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    message_id: int


def _connection(timeout: float) -> tuple[http.client.HTTPConnection, str]:
    base = urlsplit(settings.TELEGRAM_API_URL)
    if base.scheme == "https":
        conn = http.client.HTTPSConnection(
            base.hostname, base.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif base.scheme == "http":
        conn = http.client.HTTPConnection(base.hostname, base.port, timeout=timeout)
    else:
        raise TelegramError("TELEGRAM_API_URL must be an http(s) address.", kind=PERMANENT)
    return conn, base.path.rstrip("/")


def call(method: str, body: bytes, content_type: str, *, timeout: float | None = None) -> Sent:
    """POST one Bot API method; the message id Telegram gave, or TelegramError."""
    timeout = timeout or settings.TELEGRAM_TIMEOUT
    conn, root = _connection(timeout)
    path = f"{root}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as err:
            reason = f"{method}: no connection ({type(err).__name__})"
            raise TelegramError(reason, kind=TEMPORARY) from err
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
            )
        except (OSError, http.client.HTTPException) as err:
            # The request did not fully leave: Telegram cannot have acted on half a request.
            raise TelegramError(
                f"{method}: the connection broke while sending ({type(err).__name__})",
                kind=TEMPORARY,
            ) from err
        try:
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (TimeoutError, OSError, http.client.HTTPException) as err:
            raise TelegramError(
                f"{method}: sent, but no answer came ({type(err).__name__})", kind=UNCERTAIN
            ) from err
    finally:
        conn.close()
    return _outcome(method, status, raw)


def _outcome(method: str, status: int, raw: bytes) -> Sent:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    description = str(data.get("description") or "")[:300]
    if status == 200 and data.get("ok"):
        result = data.get("result") or {}
        try:
            return Sent(message_id=int(result["message_id"]))
        except (KeyError, TypeError, ValueError):
            # Telegram said ok: it posted, we just cannot say which message it is.
            return Sent(message_id=0)
    code = int(data.get("error_code") or status)
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    message = f"{method}: Telegram answered {code}" + (f" ({description})" if description else "")
    if code == 429 or status == 429:
        retry_after = parameters.get("retry_after")
        try:
            retry_after = float(retry_after) if retry_after is not None else None
        except (TypeError, ValueError):
            retry_after = None
        raise TelegramError(message, kind=TEMPORARY, retry_after=retry_after)
    if status >= 500 or code >= 500:
        raise TelegramError(message, kind=TEMPORARY)
    raise TelegramError(message, kind=PERMANENT)


def send_message(chat: str, html_text: str) -> Sent:
    body = json.dumps(
        {
            "chat_id": chat,
            "text": html_text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        },
        ensure_ascii=False,
    ).encode("utf-8")
    return call("sendMessage", body, "application/json; charset=utf-8")


def send_document(chat: str, filename: str, data: bytes, caption_html: str) -> Sent:
    fields = {"chat_id": chat, "caption": caption_html, "parse_mode": "HTML"}
    body, content_type = multipart(fields, "document", filename, data, "application/pdf")
    return call("sendDocument", body, content_type)


def multipart(
    fields: dict[str, str], file_field: str, filename: str, data: bytes, file_type: str
) -> tuple[bytes, str]:
    """multipart/form-data with text fields and one file (RFC 7578)."""
    boundary = "pressroom-" + secrets.token_hex(16)
    safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{safe_name}"\r\nContent-Type: {file_type}\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"

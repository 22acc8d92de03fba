"""An SMTP sink on loopback that records what it accepts, and can refuse like a real server.

Used by the integration tests (in a thread) and by bench/send.py (in its own process).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd handler. refuse: address -> SMTP codes answered to RCPT in turn."""

    def __init__(self, *, delay: float = 0.0, keep: bool = True, pipelining: bool = False) -> None:
        self.delay = delay
        self.pipelining = pipelining
        self.keep = keep
        self.refuse: dict[str, list[int]] = {}
        self.refused: list[tuple[str, int]] = []
        self.received: list[tuple[str, bytes]] = []
        self.count = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:  # RFC 2920, as Postfix and the providers' relays offer it
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        codes = self.refuse.get(address)
        if codes:
            code = codes.pop(0)
            with self._lock:
                self.refused.append((address, code))
            return f"{code} {'4.2.0 try again later' if code < 500 else '5.1.1 no such user'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        now = time.monotonic()
        with self._lock:
            self.count += len(envelope.rcpt_tos)
            self.first_at = self.first_at or now
            self.last_at = now
            if self.keep:
                for rcpt in envelope.rcpt_tos:
                    self.received.append((rcpt, envelope.original_content or envelope.content))
        return "250 Message accepted"

    def messages(self) -> list[tuple[str, object]]:
        with self._lock:
            items = list(self.received)
        return [(rcpt, message_from_bytes(raw, policy=policy.default)) for rcpt, raw in items]

    def addresses(self) -> list[str]:
        with self._lock:
            return [rcpt for rcpt, _raw in self.received]


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def email_to_sink(settings, port: int, backend: str = SMTP_BACKEND) -> None:
    """Point Django's email settings (pytest-django's `settings`) at a sink on loopback."""
    settings.EMAIL_BACKEND = backend
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def start_sink(
    *, delay: float = 0.0, keep: bool = True, pipelining: bool = False
) -> tuple[Controller, Recorder, int]:
    recorder = Recorder(delay=delay, keep=keep, pipelining=pipelining)
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, data_size_limit=10 * 1024 * 1024
    )
    controller.start()
    return controller, recorder, port

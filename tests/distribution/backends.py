"""An in-memory email backend that refuses chosen addresses the way an SMTP server does."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    # address -> SMTP codes to answer in turn before accepting (e.g. [451] or [550] * 9).
    refusals: dict[str, list[int]] = {}

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                codes = self.refusals.get(address)
                if codes:
                    code = codes.pop(0)
                    raise smtplib.SMTPRecipientsRefused({address: (code, b"test refusal")})
        return super().send_messages(messages)


class HookBackend(EmailBackend):
    """In-memory, calling `before_send(address)` as each message goes out: something happens
    while a worker is in the middle of a batch (a retraction, the task's time running out)."""

    before_send = None

    def send_messages(self, messages):
        for message in messages:
            if HookBackend.before_send is not None:
                HookBackend.before_send(message.to[0])
        return super().send_messages(messages)

"""The two refusals every service raises: a broken rule (HTTP 400) and a missing right (403)."""

from __future__ import annotations


class RuleBroken(Exception):
    """An action is refused because it would break a rule; the message names the rule."""

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotAllowed(Exception):
    """An action is refused because the user's role lacks the right."""

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

"""The channels and mirrors this instance is configured for, read from settings.

TELEGRAM_CHANNELS "en=@chan,my=@chan_my" and MIRROR_TARGETS "/srv/mirror,s3://bucket/prefix"
are parsed here, once, and checked at start-up (channels/checks.py): a typo is found when the
app starts, not at the next publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from config.languages import language_codes


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Channel:
    language: str
    chat: str  # "@public_channel" or a numeric chat id


@dataclass(frozen=True)
class MirrorTarget:
    kind: str  # "folder" | "s3"
    location: str  # the folder's absolute path, or the bucket
    prefix: str = ""  # s3 only: the key prefix, without a trailing slash

    @property
    def name(self) -> str:
        """How the target is recorded and shown: its path or s3://bucket/prefix."""
        if self.kind == "s3":
            return f"s3://{self.location}/{self.prefix}".rstrip("/")
        return self.location


def parse_channels(text: str) -> list[Channel]:
    channels: list[Channel] = []
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        language, sep, chat = (piece.strip() for piece in item.partition("="))
        if not sep or not language or not chat:
            raise ConfigError(f"TELEGRAM_CHANNELS: {item!r} is not language=@channel.")
        if language not in language_codes():
            raise ConfigError(
                f"TELEGRAM_CHANNELS: {language!r} is not one of the configured languages "
                f"({', '.join(language_codes())})."
            )
        if not (chat.startswith("@") or chat.lstrip("-").isdigit()) or len(chat) > 100:
            raise ConfigError(f"TELEGRAM_CHANNELS: {chat!r} is not @channelname or a chat id.")
        channel = Channel(language, chat)
        if channel not in channels:
            channels.append(channel)
    return channels


def parse_target(text: str) -> MirrorTarget:
    text = text.strip()
    if text.startswith("s3://"):
        parts = urlsplit(text)
        if not parts.netloc:
            raise ConfigError(f"MIRROR_TARGETS: {text!r} names no bucket (s3://bucket/prefix).")
        return MirrorTarget("s3", parts.netloc, parts.path.strip("/"))
    if text.startswith("file://"):
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise ConfigError(f"MIRROR_TARGETS: {text!r}: a file:// target must be local.")
        text = unquote(parts.path)
    elif "://" in text:
        raise ConfigError(f"MIRROR_TARGETS: {text!r}: use a folder, file:///path or s3://.")
    path = Path(text)
    if not path.is_absolute():
        raise ConfigError(f"MIRROR_TARGETS: {text!r}: give the folder's absolute path.")
    return MirrorTarget("folder", str(path))


def telegram_channels() -> list[Channel]:
    """The channels to post to; none while the bot token is not set."""
    if not settings.TELEGRAM_BOT_TOKEN:
        return []
    return parse_channels(settings.TELEGRAM_CHANNELS)


def mirror_targets() -> list[MirrorTarget]:
    targets: list[MirrorTarget] = []
    for text in settings.MIRROR_TARGETS:
        if text.strip():
            target = parse_target(text)
            if target not in targets:
                targets.append(target)
    return targets


def mirror_urls() -> list[str]:
    return [url.strip() for url in settings.MIRROR_URLS if url.strip()]

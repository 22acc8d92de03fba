"""Start-up checks: a mistyped channel or mirror target stops `manage.py check`, not a post."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from channels.config import ConfigError, parse_channels, parse_target


@register()
def channels_configured(app_configs=None, **kwargs):
    problems = []
    try:
        channels = parse_channels(settings.TELEGRAM_CHANNELS)
    except ConfigError as err:
        problems.append(Error(str(err), id="channels.E001"))
    else:
        if channels and not settings.TELEGRAM_BOT_TOKEN:
            problems.append(
                Warning(
                    "TELEGRAM_CHANNELS is set but TELEGRAM_BOT_TOKEN is not: nothing is posted.",
                    id="channels.W001",
                )
            )
    if settings.TELEGRAM_LEASE_SECONDS < 2 * settings.TELEGRAM_TIMEOUT + 30:
        # A lease that runs out while a request still waits makes the post "uncertain".
        problems.append(
            Warning(
                "TELEGRAM_LEASE_SECONDS should exceed twice TELEGRAM_TIMEOUT plus 30 s.",
                id="channels.W002",
            )
        )
    for text in settings.MIRROR_TARGETS:
        try:
            target = parse_target(text)
        except ConfigError as err:
            problems.append(Error(str(err), id="channels.E002"))
            continue
        if target.kind == "s3":
            try:
                import boto3  # noqa: F401
            except ImportError:
                problems.append(Error("s3:// mirrors need boto3 installed.", id="channels.E003"))
    for url in settings.MIRROR_URLS:
        if url.strip() and not url.strip().startswith(("https://", "http://")):
            problems.append(
                Error(f"MIRROR_URLS: {url!r} is not an http(s) address.", id="channels.E004")
            )
    return problems

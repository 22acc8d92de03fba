"""Fixtures for Telegram and mirror tests: the Bot API stub, and a release taken through the
real workflow (publish, correct, retract) so release_changed fires as it does in production."""

from __future__ import annotations

import pytest

from statements import workflow
from tests.channels.telegram_stub import start_stub
from tests.factories import CampaignFactory
from tests.statements.conftest import EN, MY

CHANNELS = "en=@pressroom_en,my=@pressroom_my"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def telegram(settings):
    """The stub, and settings pointing at it; yields its recorder."""
    server, recorder, url = start_stub()
    settings.TELEGRAM_API_URL = url
    settings.TELEGRAM_BOT_TOKEN = "123:secret-token"
    settings.TELEGRAM_CHANNELS = CHANNELS
    settings.TELEGRAM_TIMEOUT = 5
    yield recorder
    server.shutdown()


class Release:
    """One statement through the workflow; every step runs its after-commit hooks."""

    def __init__(self, make_staff, capture, *, slug: str = "asean-must-stop") -> None:
        self.capture = capture
        self.author, self.editor = make_staff("author"), make_staff("editor")
        self.publisher = make_staff("publisher")
        CampaignFactory(slug=f"campaign-{slug}")
        with capture(execute=True):
            statement, _ = workflow.statement_create(
                by=self.author,
                campaign=f"campaign-{slug}",
                slug=slug,
                translations={"en": EN, "my": MY},
            )
            workflow.statement_submit(statement_id=statement.pk, by=self.author)
            workflow.statement_approve(statement_id=statement.pk, by=self.editor)
        self.pk, self.slug = statement.pk, statement.slug

    def publish(self) -> None:
        with self.capture(execute=True):
            workflow.statement_publish(statement_id=self.pk, by=self.publisher)

    def correct(self, body: str = "Paragraph one, corrected.\n\nParagraph two.") -> None:
        with self.capture(execute=True):
            workflow.statement_edit(
                statement_id=self.pk,
                by=self.author,
                translations={"en": EN | {"body": body}, "my": MY | {"body": "ပြင်ဆင်ပြီး။"}},
            )
            workflow.statement_submit(statement_id=self.pk, by=self.author)
            workflow.statement_approve(statement_id=self.pk, by=self.editor)
            workflow.statement_correct(
                statement_id=self.pk,
                by=self.publisher,
                notes={"en": "Fixed a date.", "my": "ရက်စွဲ ပြင်ဆင်သည်။"},
            )

    def retract(self, reason: str = "Published in error") -> None:
        with self.capture(execute=True):
            workflow.statement_retract(statement_id=self.pk, by=self.publisher, reason=reason)


@pytest.fixture
def release(make_staff, django_capture_on_commit_callbacks, media_root):
    def make(**kwargs) -> Release:
        return Release(make_staff, django_capture_on_commit_callbacks, **kwargs)

    return make

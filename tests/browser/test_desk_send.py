"""A publisher starts a send in Chromium: choose the lists, see the recipients by language,
confirm, and watch the progress page update itself while a worker sends."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from distribution import sending, tasks
from distribution.models import Distribution
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser test password 1"


@pytest.fixture
def publisher(make_staff):
    from accounts.staff import staff_upsert

    return staff_upsert(username="b-publisher", role="publisher", password=PASSWORD)[0]


@pytest.fixture
def audience():
    press = MediaListFactory(slug="press", name="Regional press")
    for email, languages in (
        ("en@example.org", ["en"]),
        ("my@example.org", ["my"]),
        ("both@example.org", ["my", "en"]),
    ):
        ContactFactory(email=email, languages=languages).lists.add(press)
    ContactFactory(email="gone@example.org", status="unsubscribed").lists.add(press)
    return press


def test_start_a_send_and_watch_it_progress_in_the_browser(
    page, live_server, publisher, audience, monkeypatch
):
    statement = make_statement(slug="asean-must-stop")
    # No worker picks the send up until the test says so, so the page is seen mid-send.
    monkeypatch.setattr(tasks, "kick", lambda distribution_id: None)
    base = live_server.url
    page.goto(f"{base}/desk/login/")
    page.fill("#id_username", "b-publisher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/desk/")

    page.goto(f"{base}/desk/sends/new/")
    page.select_option("select[name=statement]", str(statement.pk))
    page.check("input[name=media_lists][value=press]")
    page.click("text=Count recipients")
    page.wait_for_selector("text=Before you confirm")
    # Language names, never codes ("my+en"): the issue calls the codes wrong.
    by_language = page.inner_text("#by-language")
    assert re.search(r"English\s+1", by_language)
    assert re.search(r"Burmese and English\s+1", by_language)
    assert "1 skipped" in page.inner_text("main")
    page.click("text=Send now to 3 recipients")
    page.wait_for_url(re.compile(r".*/desk/sends/\d+/$"))
    polls: list[str] = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if "progress.json" in request.url else None,
    )
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # with a script, no refresh
    assert page.inner_text("[data-count=pending]") == "3"
    assert page.inner_text("#send-status") == "Sending"

    distribution = Distribution.objects.get()
    sending.distribution_work(distribution_id=distribution.pk)
    assert len(mail.outbox) == 3

    # The script polls progress.json, shows the counts, and loads the final page when done.
    expect(page.locator("[data-count=sent] a")).to_have_text("3", timeout=10_000)
    expect(page.locator("#send-status")).to_have_text("Done", timeout=10_000)
    assert polls, "the page never asked for progress.json"
    assert page.inner_text("#send-summary") == "4 of 4 finished"
    assert "en@example.org" in page.inner_text("main")
    assert page.locator("button", has_text="Pause").count() == 0

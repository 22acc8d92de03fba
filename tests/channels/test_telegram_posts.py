"""Telegram posts: one per channel and release version, in the channel's language, sent with
the Bot API (a local stub), retried on 429/5xx, refused for good on 400/403, and never sent
twice when a worker dies mid-request."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.utils import timezone, translation

from channels import services, tasks
from channels.models import TelegramPost
from statements.models import Statement
from statements.signals import release_changed
from tests.channels.telegram_stub import Answer
from tests.statements.conftest import EN, MY

pytestmark = pytest.mark.django_db


def _send_due() -> None:
    tasks.sweep()  # in-process (no broker): sends what is due


def test_publication_posts_title_summary_link_then_the_pdf_in_each_channels_language(
    telegram, release, settings
):
    r = release()
    r.publish()
    posts = TelegramPost.objects.filter(statement_id=r.pk)
    assert {(p.channel, p.language, p.version, p.state) for p in posts} == {
        ("@pressroom_en", "en", "published", "pending"),
        ("@pressroom_my", "my", "published", "pending"),
    }
    _send_due()

    en, my = (
        telegram.of("sendMessage", "@pressroom_en"),
        telegram.of("sendMessage", "@pressroom_my"),
    )
    assert len(en) == 1 and len(my) == 1
    assert en[0].token == "123:secret-token" and en[0].fields["parse_mode"] == "HTML"
    assert f"<b>{EN['title']}</b>" in en[0].fields["text"] and EN["summary"] in en[0].fields["text"]
    assert f'href="{settings.SITE_URL}/en/releases/{r.slug}/"' in en[0].fields["text"]
    assert MY["title"] in my[0].fields["text"] and EN["title"] not in my[0].fields["text"]
    assert f"/my/releases/{r.slug}/" in my[0].fields["text"]
    for chat, lang in (("@pressroom_en", "en"), ("@pressroom_my", "my")):
        (document,) = telegram.of("sendDocument", chat)
        filename, data = document.files["document"]
        assert filename == f"{r.slug}.{lang}.pdf" and data.startswith(b"%PDF")
    for post in posts.all():
        assert post.state == "sent" and post.message_id and post.document_message_id
        assert post.sent_at and post.attempts == 2


def test_message_text_is_escaped_html():
    statement = Statement(slug="s", retraction_reason="")
    post = TelegramPost(language="en", kind="release", version="published")
    statement.translation = lambda lang: type(
        "T", (), {"title": 'A <b>bold</b> & "quoted" title', "summary": "1 < 2 & <script>"}
    )()
    text, caption = services.render_post(statement, post)
    assert "<b>A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title</b>" in text
    assert "1 &lt; 2 &amp; &lt;script&gt;" in text and "<script>" not in text
    assert "&lt;b&gt;" in caption


def test_a_replayed_signal_or_second_worker_never_makes_a_second_post(telegram, release):
    r = release()
    r.publish()
    for _ in range(3):  # the signal again, as a retry or a second receiver would
        release_changed.send(sender=Statement, statement_id=r.pk, action="published")
    assert TelegramPost.objects.filter(statement_id=r.pk).count() == 2
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert services.post_claim(post.pk) is not None
    assert services.post_claim(post.pk) is None  # a second worker gets nothing
    assert services.post_work(post_id=post.pk).state is None
    assert not telegram.of("sendMessage", "@pressroom_en")


def test_correction_posts_the_new_version_and_retraction_a_notice_without_pdf(telegram, release):
    r = release()
    r.publish()
    _send_due()
    r.correct()
    correction = TelegramPost.objects.get(statement_id=r.pk, language="en", version="correction-1")
    assert correction.kind == "correction"
    _send_due()
    text = telegram.of("sendMessage", "@pressroom_en")[-1].fields["text"]
    assert "Correction" in text and "Fixed a date." in text
    assert len(telegram.of("sendDocument", "@pressroom_en")) == 2

    r.retract("Published in error")
    _send_due()
    notice = telegram.of("sendMessage", "@pressroom_en")[-1].fields["text"]
    assert "Retracted" in notice and "Published in error" in notice
    assert len(telegram.of("sendDocument", "@pressroom_en")) == 2  # no PDF of a retraction
    retraction = TelegramPost.objects.get(statement_id=r.pk, language="my", version="retracted")
    assert retraction.state == "sent" and retraction.document_message_id is None
    my_notice = telegram.of("sendMessage", "@pressroom_my")[-1].fields["text"]
    assert MY["title"] in my_notice


def test_a_retraction_stops_posts_not_yet_sent_and_goes_only_where_the_release_went(
    telegram, release
):
    r = release()
    r.publish()
    _send_due()  # en and my posted
    other = release(slug="second-release")
    other.publish()  # not sent yet
    other.retract()
    assert set(
        TelegramPost.objects.filter(statement_id=other.pk).values_list("version", "state")
    ) == {("published", "cancelled")}  # nothing posted, so no retraction to post either
    _send_due()
    assert all(other.slug not in req.fields.get("text", "") for req in telegram.requests)


def test_429_waits_for_retry_after_then_posts_once(telegram, release):
    telegram.script[("sendMessage", "@pressroom_en")] = [Answer(429, retry_after=30), Answer()]
    r = release()
    r.publish()
    start = timezone.now()
    _send_due()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert post.state == "pending" and "429" in post.last_error
    assert 29 <= (post.next_attempt_at - start).total_seconds() <= 35
    _send_due()  # not due yet: nothing asked
    assert len(telegram.of("sendMessage", "@pressroom_en")) == 1
    with time_machine.travel(start + datetime.timedelta(seconds=40)):
        _send_due()
    post.refresh_from_db()
    assert post.state == "sent" and len(telegram.of("sendMessage", "@pressroom_en")) == 2
    assert len(telegram.of("sendDocument", "@pressroom_en")) == 1


def test_a_server_error_is_retried_with_growing_backoff(telegram, release, settings):
    settings.TELEGRAM_RETRY_BASE_SECONDS = 10
    telegram.script[("sendDocument", "@pressroom_my")] = [Answer(500), Answer(502), Answer()]
    r = release()
    r.publish()
    start = timezone.now()
    _send_due()
    post = TelegramPost.objects.get(statement_id=r.pk, language="my")
    assert post.state == "pending" and post.message_id  # the message went; the PDF waits
    first_wait = (post.next_attempt_at - start).total_seconds()
    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        _send_due()
    post.refresh_from_db()
    assert post.state == "pending"
    second_wait = (post.next_attempt_at - post.updated_at).total_seconds()
    assert second_wait > first_wait
    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        _send_due()
    post.refresh_from_db()
    assert post.state == "sent"
    assert len(telegram.of("sendMessage", "@pressroom_my")) == 1  # the message never twice
    assert len(telegram.of("sendDocument", "@pressroom_my")) == 3


@pytest.mark.parametrize("status", [400, 403])
def test_a_refusal_fails_for_good_without_retrying(telegram, release, status):
    telegram.script[("sendMessage", "@pressroom_en")] = [
        Answer(status, description="Bad Request: chat not found")
    ]
    r = release()
    r.publish()
    _send_due()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert post.state == "failed" and "chat not found" in post.last_error
    assert "secret-token" not in post.last_error
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        _send_due()
    assert len(telegram.of("sendMessage", "@pressroom_en")) == 1


def test_no_connection_is_temporary(telegram, release, settings):
    settings.TELEGRAM_API_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    r = release()
    r.publish()
    _send_due()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert post.state == "pending" and "no connection" in post.last_error


def test_no_answer_after_sending_is_uncertain_and_never_resent(telegram, release, settings):
    settings.TELEGRAM_TIMEOUT = 0.5
    telegram.script[("sendMessage", "@pressroom_en")] = [Answer(delay=2)]
    r = release()
    r.publish()
    _send_due()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert post.state == "uncertain"
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        _send_due()
    assert len(telegram.of("sendMessage", "@pressroom_en")) == 1


def test_a_lease_lost_after_the_request_left_is_uncertain_not_reposted(telegram, release):
    r = release()
    r.publish()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    # A worker claimed it, marked the request as leaving, and died.
    assert services.post_claim(post.pk)
    TelegramPost.objects.filter(pk=post.pk).update(request_started_at=timezone.now())
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)),
        translation.override("my"),  # a worker's language never leaks into the row
    ):
        _send_due()
    post.refresh_from_db()
    assert post.state == "uncertain" and "look at the channel" in post.last_error
    assert not telegram.of("sendMessage", "@pressroom_en")  # not re-posted by itself


def test_a_lease_lost_before_any_request_is_handed_back_and_posted_once(telegram, release):
    r = release()
    r.publish()
    post = TelegramPost.objects.get(statement_id=r.pk, language="en")
    assert services.post_claim(post.pk)  # claimed; the worker died before asking Telegram
    _send_due()
    assert not telegram.of("sendMessage", "@pressroom_en")  # its lease still runs
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        _send_due()
    post.refresh_from_db()
    assert post.state == "sent" and len(telegram.of("sendMessage", "@pressroom_en")) == 1


def test_an_unreadable_language_gets_no_post(telegram, release, settings):
    settings.TELEGRAM_CHANNELS = "en=@pressroom_en,my=@pressroom_my"
    r = release()
    Statement.objects.filter(pk=r.pk).update(deferred_languages=["my"])
    r.publish()
    assert list(
        TelegramPost.objects.filter(statement_id=r.pk).values_list("language", flat=True)
    ) == ["en"]


def test_nothing_is_recorded_without_a_token(release, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    settings.TELEGRAM_CHANNELS = "en=@pressroom_en"
    r = release()
    r.publish()
    assert not TelegramPost.objects.exists()


def test_the_stub_speaks_json_for_send_message(telegram, release):
    r = release()
    r.publish()
    _send_due()
    request = telegram.of("sendMessage")[0]
    assert request.fields["chat_id"].startswith("@")
    assert json.loads(request.fields["link_preview_options"]) == {"is_disabled": True}

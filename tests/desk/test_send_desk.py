"""Sending from the desk: "Send this release", titles not slugs, schedule for later, a preview
of each language version, a test send to yourself, and cancel asks first. Through the desk's
URLs, as a browser would call them."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from distribution import services, tasks
from distribution.models import Delivery, Distribution
from statements.models import Statement, StatementEvent
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(db):
    return make_statement()


@pytest.fixture
def publisher(make_staff):
    return make_staff("publisher")


@pytest.fixture
def author(make_staff):
    return make_staff("author")


@pytest.fixture
def press(db):
    """A list with one reader of each language version, and one who unsubscribed."""
    press = MediaListFactory(slug="press", name="Regional press")
    for email, languages in (
        ("en@example.org", ["en"]),
        ("my@example.org", ["my"]),
        ("both@example.org", ["my", "en"]),
    ):
        ContactFactory(email=email, languages=languages).lists.add(press)
    ContactFactory(email="gone@example.org", status="unsubscribed").lists.add(press)
    return press


def _check(client, statement, **extra):
    query = {"statement": statement.pk, "media_lists": ["press"], "kind": "release", **extra}
    return client.get("/desk/sends/new/", query)


def _test_send(client, statement, variant="en", **extra):
    data = {"statement": statement.pk, "kind": "release", "variant": variant, **extra}
    return client.post("/desk/sends/test/", data)


# --- who may -------------------------------------------------------------------------------


def test_an_author_can_neither_start_a_send_nor_send_a_test(client, author, statement, press):
    client.force_login(author)
    assert client.get("/desk/sends/new/").status_code == 403
    assert _check(client, statement).status_code == 403
    assert _test_send(client, statement).status_code == 403
    preview = client.get(f"/desk/sends/preview/{statement.pk}/release/en/")
    assert preview.status_code == 403
    assert not mail.outbox
    assert not StatementEvent.objects.filter(action=services.TEST_SEND_ACTION).exists()
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert 'id="send-this-release"' not in page


def test_the_statement_page_offers_send_this_release_when_the_rules_allow(
    client, publisher, statement
):
    client.force_login(publisher)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    link = re.search(r'<a class="button" href="([^"]+)" id="send-this-release">([^<]+)</a>', page)
    assert link, "no Send this release button for a publisher on a published statement"
    assert link.group(2) == "Send this release"
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/desk/sends/new/?statement={statement.pk}&kind=release"
    # The link opens the form with the statement chosen, not a half-checked send.
    form = client.get(url)
    assert form.status_code == 200
    assert "error" not in form.context and "preview" not in form.context
    assert re.search(rf'<option value="{statement.pk}" lang="en" selected>', form.content.decode())

    draft = make_statement(slug="still-a-draft", state=Statement.State.DRAFT)
    page = client.get(f"/desk/statements/{draft.pk}/").content.decode()
    assert 'id="send-this-release"' not in page


def test_a_retracted_statement_offers_the_retraction_notice(client, publisher):
    retracted = make_statement(slug="withdrawn", state=Statement.State.RETRACTED)
    client.force_login(publisher)
    page = client.get(f"/desk/statements/{retracted.pk}/").content.decode()
    assert "Send the retraction notice" in page
    assert f"statement={retracted.pk}&amp;kind=retraction" in page


# --- the form ------------------------------------------------------------------------------


def test_the_form_lists_statements_by_title_and_lists_by_name_with_counts(
    client, publisher, statement, press
):
    client.force_login(publisher)
    page = client.get("/desk/sends/new/").content.decode()
    option = re.search(rf'<option value="{statement.pk}"[^>]*>([^<]+)</option>', page).group(1)
    assert EN_TITLE in option and statement.slug not in option
    assert "Regional press" in page and "3 recipients" in page  # the unsubscribed one not counted
    assert "The release, to the lists you choose" in page
    assert "A correction, to everyone who received the release" in page
    assert 'name="send_at"' in page and "Myanmar time" in page


def test_in_a_burmese_desk_titles_are_burmese_and_tagged(client, publisher, statement):
    client.force_login(publisher)
    page = client.get("/desk/sends/new/", HTTP_ACCEPT_LANGUAGE="my").content.decode()
    assert f'<option value="{statement.pk}" lang="my">{MY_TITLE}' in page


def test_a_statement_without_a_title_in_the_desk_language_shows_its_source_title_tagged(
    client, publisher
):
    burmese_only = make_statement(slug="burmese-only")
    burmese_only.translations.filter(language="en").delete()
    Statement.objects.filter(pk=burmese_only.pk).update(source_language="my")
    client.force_login(publisher)
    page = client.get("/desk/sends/new/").content.decode()
    assert f'<option value="{burmese_only.pk}" lang="my">{MY_TITLE}' in page


def test_bad_input_is_a_clear_400_not_an_error(client, publisher, statement, press):
    client.force_login(publisher)
    assert client.get("/desk/sends/new/", {"statement": "abc"}).status_code == 400
    bogus = _check(client, statement, kind="everything")
    assert bogus.status_code == 400 and "Choose what to send" in bogus.context["error"]
    bad_time = _check(client, statement, send_at="tomorrow-ish", send_at_zone="UTC")
    assert bad_time.status_code == 400 and "date and a time" in bad_time.context["error"]
    bad_zone = _check(client, statement, send_at="2100-01-01T10:00", send_at_zone="Mars")
    assert bad_zone.status_code == 400
    assert _test_send(client, statement, variant="xx").status_code == 400
    assert client.post("/desk/sends/test/", {"statement": "x"}).status_code == 400
    assert client.get(f"/desk/sends/preview/{statement.pk}/release/xx/").status_code == 400
    assert client.get(f"/desk/sends/preview/{statement.pk}/nope/en/").status_code == 400
    assert client.get("/desk/sends/preview/999999/release/en/").status_code == 404
    assert not Distribution.objects.exists()


# --- schedule ------------------------------------------------------------------------------


def test_a_scheduled_send_keeps_its_time_and_sends_nothing_before_it(
    client, publisher, statement, press
):
    client.force_login(publisher)
    at_utc = (timezone.now() + datetime.timedelta(days=2)).replace(
        second=0, microsecond=0, tzinfo=datetime.UTC
    )
    # Typed in Myanmar time (UTC+06:30): stored as the same instant in UTC.
    typed = (at_utc + datetime.timedelta(hours=6, minutes=30)).strftime("%Y-%m-%dT%H:%M")
    checked = _check(client, statement, send_at=typed, send_at_zone="Asia/Yangon")
    assert checked.status_code == 200
    page = checked.content.decode()
    assert at_utc.strftime("%H:%M UTC") in page
    assert (at_utc + datetime.timedelta(hours=6, minutes=30)).strftime("%H:%M") in page
    assert "Schedule for" in page and "Send now" not in page

    response = client.post(
        "/desk/sends/new/",
        {
            "statement": statement.pk,
            "kind": "release",
            "media_lists": ["press"],
            "send_at": typed,
            "send_at_zone": "Asia/Yangon",
            "confirm": "yes",
        },
    )
    assert response.status_code == 302
    distribution = Distribution.objects.get()
    assert distribution.send_at == at_utc
    assert distribution.state == Distribution.State.QUEUED
    assert client.get(response["Location"]).context["state"] == "Scheduled"

    with time_machine.travel(at_utc - datetime.timedelta(minutes=1)):
        tasks.tick()
    assert not mail.outbox
    assert distribution.deliveries.filter(state=Delivery.State.PENDING).count() == 3

    with time_machine.travel(at_utc + datetime.timedelta(seconds=5)):
        tasks.tick()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "both@example.org",
        "en@example.org",
        "my@example.org",
    ]


def test_a_send_time_in_the_past_is_refused(client, publisher, statement, press):
    client.force_login(publisher)
    past = (timezone.now() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/desk/sends/new/",
        {
            "statement": statement.pk,
            "kind": "release",
            "media_lists": ["press"],
            "send_at": past,
            "send_at_zone": "UTC",
            "confirm": "yes",
        },
    )
    assert response.status_code == 400
    assert "That send time has passed" in response.content.decode()
    assert not Distribution.objects.exists() and not mail.outbox


# --- preview -------------------------------------------------------------------------------


def test_the_preview_shows_each_language_version_the_audience_needs(
    client, publisher, statement, press
):
    client.force_login(publisher)
    response = _check(client, statement)
    assert response.status_code == 200
    variants = {v["variant"]: v for v in response.context["variants"]}
    assert set(variants) == {"en", "my", "my+en"}  # nobody reads "en+my" first here
    assert variants["en"]["subject"] == EN_TITLE
    assert variants["my"]["subject"] == MY_TITLE
    assert variants["my+en"]["subject"] == f"{MY_TITLE} / {EN_TITLE}"
    headers = {key: dict(v["headers"]) for key, v in variants.items()}
    assert headers["en"]["Content-Language"] == "en"
    assert headers["my"]["Content-Language"] == "my"
    assert "my" in headers["my+en"]["Content-Language"]
    for key, v in variants.items():
        assert headers[key]["To"] == "journalist@example.org"  # a stand-in, not a contact
        assert "/unsubscribe/" in headers[key]["List-Unsubscribe"]
        assert headers[key]["From"]
        assert "ASEAN is complicit." in v["text"] or key == "my"

    page = response.content.decode()
    assert "Burmese and English" in page  # language names, never "my+en"
    assert "my+en</td>" not in page
    for key in variants:
        src = f"/desk/sends/preview/{statement.pk}/release/{key}/"
        assert re.search(rf'<iframe class="send-html" sandbox src="{re.escape(src)}"', page)
    assert page.count('<pre class="send-text"') == 3
    assert page.count("Send a test to me") >= 3


def test_the_html_part_is_served_alone_under_a_strict_policy(client, publisher, statement):
    client.force_login(publisher)
    response = client.get(f"/desk/sends/preview/{statement.pk}/release/my/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy  # none: default-src 'none' covers scripts
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    assert MY_TITLE in html and "<script" not in html.lower()


# --- test send -----------------------------------------------------------------------------


def test_a_test_goes_to_your_own_address_marked_and_recorded_not_delivered(
    client, publisher, statement, press
):
    client.force_login(publisher)
    back = f"/desk/sends/new/?statement={statement.pk}&kind=release&step=check&media_lists=press"
    response = _test_send(client, statement, variant="my+en", back=back)
    assert response.status_code == 302 and response["Location"] == back
    [message] = mail.outbox
    assert message.to == [publisher.email]
    assert message.subject == f"[TEST] {MY_TITLE} / {EN_TITLE}"
    for name in ("Message-ID", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert message.extra_headers.get(name), name
    assert "my" in message.extra_headers["Content-Language"]
    event = StatementEvent.objects.get(action=services.TEST_SEND_ACTION)
    assert event.actor == publisher and event.statement == statement
    assert event.data == {"kind": "release", "variant": "my+en", "sent": True}
    assert not Distribution.objects.exists() and not Delivery.objects.exists()
    shown = client.get(back).content.decode()
    assert f"was sent to {publisher.email}" in shown


def test_a_test_is_refused_without_an_address(client, publisher, statement):
    type(publisher).objects.filter(pk=publisher.pk).update(email="")
    client.force_login(publisher)
    response = _test_send(client, statement)
    assert response.status_code == 400
    assert "Your account has no email address" in response.content.decode()
    assert not mail.outbox
    assert not StatementEvent.objects.filter(action=services.TEST_SEND_ACTION).exists()


def test_a_test_of_a_statement_that_may_not_be_sent_is_refused(client, publisher):
    draft = make_statement(slug="not-yet", state=Statement.State.DRAFT)
    client.force_login(publisher)
    response = _test_send(client, draft)
    assert response.status_code == 400 and "not published" in response.content.decode()
    assert not mail.outbox


def test_test_sends_are_limited_per_person_per_hour(
    client, publisher, make_staff, statement, settings
):
    settings.DISTRIBUTION_TEST_SENDS_PER_HOUR = 2
    client.force_login(publisher)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _test_send(client, statement).status_code == 302
        assert _test_send(client, statement).status_code == 302
        third = _test_send(client, statement)
        assert third.status_code == 400 and "as many tests as allowed" in third.content.decode()
        # The limit is each person's own.
        other = make_staff("publisher", "other-publisher")
        client.force_login(other)
        assert _test_send(client, statement).status_code == 302
    assert len(mail.outbox) == 3
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
        client.force_login(publisher)
        assert _test_send(client, statement).status_code == 302


# --- cancel and states ---------------------------------------------------------------------


def test_cancel_asks_first_and_only_the_confirmation_cancels(client, publisher, statement, press):
    later = timezone.now() + datetime.timedelta(days=1)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher, send_at=later
    )
    client.force_login(publisher)
    detail = client.get(f"/desk/sends/{distribution.pk}/").content.decode()
    assert f'href="/desk/sends/{distribution.pk}/cancel/confirm/"' in detail
    assert f'action="/desk/sends/{distribution.pk}/cancel/"' not in detail
    ask = client.get(f"/desk/sends/{distribution.pk}/cancel/confirm/")
    assert ask.status_code == 200
    page = ask.content.decode()
    assert "3 messages not yet sent will not be sent" in page
    assert f'action="/desk/sends/{distribution.pk}/cancel/"' in page
    assert "<script" not in page.split("<main>")[1]
    distribution.refresh_from_db()
    assert distribution.state == Distribution.State.QUEUED  # asking changed nothing
    assert client.post(f"/desk/sends/{distribution.pk}/cancel/").status_code == 302
    distribution.refresh_from_db()
    assert distribution.state == Distribution.State.CANCELLED
    detail = client.get(f"/desk/sends/{distribution.pk}/")
    assert detail.context["state"] == "Cancelled"
    assert "The send was cancelled" in detail.content.decode()  # skip reason in words


def test_an_author_cannot_open_the_cancel_confirmation(client, author, publisher, statement, press):
    distribution = services.distribution_start(
        statement_id=statement.pk,
        media_list_slugs=["press"],
        by=publisher,
        send_at=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(author)
    assert client.get(f"/desk/sends/{distribution.pk}/cancel/confirm/").status_code == 403


def test_the_sends_page_shows_titles_and_plain_states(client, publisher, statement, press):
    services.distribution_start(
        statement_id=statement.pk,
        media_list_slugs=["press"],
        by=publisher,
        send_at=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(publisher)
    page = client.get("/desk/sends/").content.decode()
    assert EN_TITLE in page and "Regional press" in page
    assert "Scheduled" in page and "Myanmar time" in page
    assert ">queued<" not in page

"""A test send from the desk reaches a real (loopback) SMTP server through the mail backend
real sends use, marked [TEST], with the headers a real message carries."""

from __future__ import annotations

import pytest

from distribution import services
from statements.models import StatementEvent
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port)
    yield recorder
    controller.stop()


def test_a_test_send_arrives_marked_with_the_real_headers(client, make_staff, sink):
    statement = make_statement()
    publisher = make_staff("publisher")
    client.force_login(publisher)

    response = client.post(
        "/desk/sends/test/", {"statement": statement.pk, "kind": "release", "variant": "my+en"}
    )

    assert response.status_code == 302
    [(rcpt, message)] = sink.messages()
    assert rcpt == publisher.email and message["To"] == publisher.email
    # A folded header parses with the fold's leading space; a mail client shows it without.
    assert message["Subject"].strip() == f"[TEST] {MY_TITLE} / {EN_TITLE}"
    assert message["Message-ID"].strip().startswith("<pressroom.test.")
    assert message["List-Id"] and message["List-Unsubscribe-Post"] == ("List-Unsubscribe=One-Click")
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    assert "my" in message["Content-Language"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert MY_TITLE in text and EN_TITLE in text
    assert MY_TITLE in html and "<script" not in html.lower()
    # The same message the preview shows (bar the subject's mark and the recipient).
    preview = services.message_preview(statement=statement, kind="release", variant="my+en")
    assert message["Subject"].strip() == f"[TEST] {preview['subject']}"
    assert text.replace("\r\n", "\n") == preview["text"].replace("\r\n", "\n")
    event = StatementEvent.objects.get(action=services.TEST_SEND_ACTION)
    assert event.data["sent"] is True


def test_a_mail_server_refusal_is_a_clear_message(client, make_staff, sink):
    statement = make_statement()
    publisher = make_staff("publisher")
    sink.refuse[publisher.email] = [550]
    client.force_login(publisher)

    response = client.post(
        "/desk/sends/test/", {"statement": statement.pk, "kind": "release", "variant": "en"}
    )

    assert response.status_code == 400
    assert "The mail server did not take the test" in response.content.decode()
    assert sink.messages() == []

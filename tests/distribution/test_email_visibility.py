"""Emails carry only what a reader may read, sanitised as the pages are: checked at the SMTP sink.

A translation that is deferred ("Burmese to follow") or saved as a draft is never emailed; a
contact who reads only that language gets the release in its source language. A body's images,
srcset and style url() (remote resources: a tracking pixel no reviewer saw) are removed by the
same allowlist as the pages' (publishing/rendering.py).
"""

from __future__ import annotations

import pytest

from distribution import sending, services
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

TRACKER = "tracker.example.net"
ENGLISH_BODY = (
    "Paragraph **one** with a [link](https://example.org/report).\n\n"
    f"![pixel](https://{TRACKER}/md.png)\n\n"
    f'<img src="https://{TRACKER}/raw.png" srcset="https://{TRACKER}/2x.png 2x">\n\n'
    f"<p style=\"background:url('https://{TRACKER}/bg.png')\">Styled paragraph.</p>\n\n"
    f'<picture><source srcset="https://{TRACKER}/s.webp"></picture>'
    f'<link rel="stylesheet" href="https://{TRACKER}/x.css">\n\n'
    "Closing paragraph."
)
BURMESE_SECRET = "မထုတ်ပြန်ရသေးသော ဘာသာပြန်"


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port)
    yield recorder
    controller.stop()


def _statement(burmese: str):
    statement = make_statement(slug=f"burmese-{burmese}")
    english = statement.translation("en")
    english.body = ENGLISH_BODY
    english.quotes = [{"speaker": "Spokesperson", "text": f"![q](https://{TRACKER}/q.png) Now."}]
    english.save()
    translation = statement.translation("my")
    translation.body = BURMESE_SECRET
    if burmese == "deferred":
        statement.deferred_languages = ["my"]
        statement.save()
    else:
        translation.marked_complete = False
    translation.save()
    return statement


def _send(statement, publisher) -> None:
    press = MediaListFactory(slug="press")
    for email, languages in (
        ("en@example.org", ["en"]),
        ("my@example.org", ["my"]),
        ("both@example.org", ["my", "en"]),
    ):
        ContactFactory(email=email, languages=languages).lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)


def _parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }


@pytest.mark.parametrize("burmese", ["deferred", "draft"])
def test_email_has_no_remote_image_and_no_unreadable_translation(sink, make_staff, burmese):
    _send(_statement(burmese), make_staff("publisher"))

    received = dict(sink.messages())
    assert sorted(received) == ["both@example.org", "en@example.org", "my@example.org"]
    for address, message in received.items():
        parts = _parts(message)
        assert set(parts) == {"text/plain", "text/html"}
        subject = str(message["Subject"])
        assert EN_TITLE in subject and MY_TITLE not in subject, address
        assert message["Content-Language"] == "en"
        for kind, content in parts.items():
            where = f"{address} {kind}"
            assert "Paragraph" in content and "Closing paragraph." in content, where
            assert TRACKER not in content, f"{where}: a remote resource is left"
            for word in ("<img", "srcset", "url(", "<picture", "<source", "<link", 'style="back'):
                assert word not in content, f"{where}: {word}"
            # Neither the unreadable Burmese text nor its title.
            assert BURMESE_SECRET not in content and MY_TITLE not in content, where
        assert '<a href="https://example.org/report"' in parts["text/html"]
        assert "<strong>one</strong>" in parts["text/html"]


def test_a_readable_burmese_translation_is_still_emailed(sink, make_staff):
    statement = make_statement(slug="both-readable")
    _send(statement, make_staff("publisher"))
    received = dict(sink.messages())
    assert MY_TITLE in str(received["my@example.org"]["Subject"])
    assert EN_TITLE not in str(received["my@example.org"]["Subject"])
    both = received["both@example.org"]
    assert MY_TITLE in str(both["Subject"]) and EN_TITLE in str(both["Subject"])

"""What a journalist reads, checked at the SMTP sink: plain text made from the Markdown (no
markup characters), the organisation's name, the release date in UTC and Myanmar time in the
message's languages (Burmese digits and month names), the media contact, a Content-Language
naming every language in the message's order, Burmese never slanted, and the app's own Myanmar
font first in the HTML part's font stack."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from distribution import sending, services
from statements.models import Boilerplate, Organisation
from tests.distribution.helpers import EN_TITLE, MY_TITLE, make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

ORG_EN, ORG_MY = "Justice Desk", "မြန်မာ့ တရားမျှတရေး အဖွဲ့"
CONTACT_EN, CONTACT_MY = "Press office | press@justice.example", "မီဒီယာ | press@justice.example"
ENGLISH_BODY = (
    "We call on **all** governments to _act_ now.\n\n"
    "## What we ask\n\n"
    "- stop arms sales\n"
    "- read the [full report](https://example.org/report)\n\n"
    "Numbered:\n\n"
    "1. first step\n"
    "2. second step"
)
BURMESE_QUOTE = "ဤသည် *အလွန်* အရေးကြီးသည်။"
BURMESE_BODY = "ပထမ *စာပိုဒ်* ဖြစ်သည်။"
PUBLISHED_AT = datetime.datetime(2025, 4, 24, 3, 0, tzinfo=datetime.UTC)
ADDRESSES = {
    "en@example.org": ["en"],
    "my@example.org": ["my"],
    "en-my@example.org": ["en", "my"],
    "my-en@example.org": ["my", "en"],
}


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port)
    settings.SITE_URL = "https://press.example.org"
    yield recorder
    controller.stop()


@pytest.fixture
def organisation():
    organisation = Organisation.objects.get()
    organisation.name = {"en": ORG_EN, "my": ORG_MY}
    organisation.default_boilerplate = Boilerplate.objects.create(
        slug="default",
        about={"en": "We are **activists**.", "my": "ကျွန်ုပ်တို့သည် *တက်ကြွသူများ* ဖြစ်သည်။"},
        media_contact={"en": CONTACT_EN, "my": CONTACT_MY},
    )
    organisation.save()
    return organisation


def _statement():
    statement = make_statement(slug="email-content")
    statement.published_at = PUBLISHED_AT
    # As statement_create does: the organisation's default, chosen when the statement is made.
    statement.boilerplate = Organisation.objects.get().default_boilerplate
    statement.save()
    english = statement.translation("en")
    english.summary = "Summary with **bold** words."
    english.body = ENGLISH_BODY
    english.quotes = [{"speaker": "Spokesperson", "text": "We _will_ not stop."}]
    english.more_information = "- [Background](https://example.org/background)"
    english.save()
    burmese = statement.translation("my")
    burmese.body = BURMESE_BODY
    burmese.quotes = [{"speaker": "ပြောရေးဆိုခွင့်ရှိသူ", "text": BURMESE_QUOTE}]
    burmese.save()
    return statement


def _send(statement, publisher) -> dict:
    press = MediaListFactory(slug="press")
    for email, languages in ADDRESSES.items():
        ContactFactory(email=email, languages=languages).lists.add(press)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    return distribution


def _received(sink) -> dict:
    # Only the journalists' messages (staff may be notified through the same server).
    return {rcpt: m for rcpt, m in sink.messages() if rcpt in ADDRESSES}


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _html(message) -> str:
    return message.get_body(("html",)).get_content().replace("\r\n", "\n")


def test_plain_text_has_no_markdown_markup_and_links_read_text_then_url(
    sink, make_staff, organisation
):
    _send(_statement(), make_staff("publisher"))
    text = _text(_received(sink)["en@example.org"])
    body = text.split("\n--\n", 1)[0]  # before the signature (the unsubscribe token)
    for markup in ("**", "__", "_act_", "_will_", "##", "# ", "](", "[full report]", "<p>"):
        assert markup not in body, f"{markup!r} in the plain text"
    assert "We call on all governments to act now." in body
    assert "What we ask" in body
    assert "- stop arms sales" in body
    assert "- read the full report (https://example.org/report)" in body
    assert "1. first step\n2. second step" in body
    assert "Summary with bold words." in body
    assert "“We will not stop.”\nSpokesperson" in body
    assert "- Background (https://example.org/background)" in body
    assert "We are activists." in body  # About us, from the organisation's default


def test_letterhead_dates_and_media_contact_in_each_language(sink, make_staff, organisation):
    _send(_statement(), make_staff("publisher"))
    received = _received(sink)

    english = _text(received["en@example.org"])
    assert english.startswith(ORG_EN + "\n")
    assert "24 April 2025, 03:00 UTC" in english
    assert "24 April 2025, 09:30 Myanmar time" in english  # Asia/Yangon, UTC+06:30
    assert f"Media contact: {CONTACT_EN}" in english
    assert ORG_MY not in english and CONTACT_MY not in english

    burmese = _text(received["my@example.org"])
    assert burmese.startswith(ORG_MY + "\n")
    # Burmese digits and month names (publishing.rendering.when), in both time zones.
    assert "၂၀၂၅ ခုနှစ်၊ ဧပြီလ ၂၄ ရက်၊ ၀၃:၀၀ UTC" in burmese
    assert "၂၀၂၅ ခုနှစ်၊ ဧပြီလ ၂၄ ရက်၊ ၀၉:၃၀ မြန်မာစံတော်ချိန်" in burmese
    assert CONTACT_MY in burmese
    assert "*" not in burmese.split("\n--\n", 1)[0]

    both = _text(received["my-en@example.org"])
    assert both.startswith(f"{ORG_MY}\n{ORG_EN}\n")
    assert both.index("၀၃:၀၀ UTC") < both.index("03:00 UTC")  # the contact's order
    assert CONTACT_MY in both and CONTACT_EN in both
    for address in ADDRESSES:
        assert ORG_EN in _html(received[address]) or ORG_MY in _html(received[address])


def test_the_statements_own_boilerplate_comes_before_the_default(sink, make_staff, organisation):
    statement = _statement()
    statement.boilerplate = Boilerplate.objects.create(
        slug="own", about={"en": "Own about."}, media_contact={"en": "own@example.org"}
    )
    statement.save()
    _send(statement, make_staff("publisher"))
    text = _text(_received(sink)["en@example.org"])
    assert "Media contact: own@example.org" in text and CONTACT_EN not in text


def test_content_language_names_every_language_in_order(sink, make_staff, organisation):
    _send(_statement(), make_staff("publisher"))
    received = _received(sink)
    assert sorted(received) == sorted(ADDRESSES)
    expected = {
        "en@example.org": "en",
        "my@example.org": "my",
        "en-my@example.org": "en, my",
        "my-en@example.org": "my, en",
    }
    for address, message in received.items():
        assert message["Content-Language"] == expected[address], address
        subject = str(message["Subject"])
        assert (EN_TITLE in subject) == ("en" in ADDRESSES[address])
        assert (MY_TITLE in subject) == ("my" in ADDRESSES[address])


def _burmese_section(html: str) -> str:
    return re.search(r'<div lang="my" style="font-family:.*?\n</div>\n', html, re.S).group(0)


def test_burmese_is_never_slanted_and_the_apps_myanmar_font_comes_first(
    sink, make_staff, organisation
):
    _send(_statement(), make_staff("publisher"))
    received = _received(sink)
    html = _html(received["my-en@example.org"])

    burmese = _burmese_section(html)
    assert "အလွန်" in burmese and "စာပိုဒ်" in burmese and "တက်ကြွသူများ" in burmese
    assert "<em>" not in burmese and "<i>" not in burmese
    assert "italic" not in burmese
    quote = re.search(r"<blockquote[^>]*>.*?</blockquote>", burmese, re.S).group(0)
    assert 'lang="my"' in quote and "border-left" in quote
    assert "<strong>အလွန်</strong>" in quote  # emphasis shown bold, not slanted
    # English quotes may keep their italics.
    english = html.split(burmese, 1)[1]
    assert "font-style:italic" in english and "<em>will</em>" in english

    # The app's own font by URL (@font-face), then the systems' Myanmar fonts.
    assert (
        '@font-face { font-family: "Pressroom Myanmar"; '
        'src: url("https://press.example.org/static/fonts/NotoSansMyanmar-Regular.ttf")'
    ) in html
    style = re.search(r'<div lang="my" style="font-family:([^"]+)"', html).group(1)
    stack = unescape(style)
    assert stack.startswith("'Pressroom Myanmar', 'Noto Sans Myanmar', 'Myanmar Text', Padauk"), (
        stack
    )
    # An English-only message loads no Myanmar font.
    assert "@font-face" not in _html(received["en@example.org"])

"""The unsubscribe pages speak the recipient's language(s): a Burmese-only journalist reads
Burmese (lang="my", the Myanmar font), a bilingual one both, a bad link every language; styled
like the public site with its own stylesheet (the CSP allows 'self' styles only)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import override_settings
from django.utils import translation

from contacts.models import Contact
from distribution import messages
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# The Burmese of the pages' strings, as reported for locale/my (the catalogue is built
# separately); the tests install them in a catalogue of their own so they hold either way.
BURMESE = {
    "Unsubscribe": "စာရင်းမှ ထွက်မည်",
    "Unsubscribe from our press releases": "ကျွန်ုပ်တို့၏ သတင်းထုတ်ပြန်ချက်များ ရယူခြင်းမှ ထွက်ရန်",
    "Press the button to stop receiving our press releases at this address.": (
        "ဤလိပ်စာသို့ ကျွန်ုပ်တို့၏ သတင်းထုတ်ပြန်ချက်များ ပို့ခြင်းကို ရပ်ရန် ခလုတ်ကို နှိပ်ပါ။"
    ),
    "This address no longer receives our releases.": ("ဤလိပ်စာသည် ကျွန်ုပ်တို့၏ သတင်းထုတ်ပြန်ချက်များကို မရရှိတော့ပါ။"),
    "You are unsubscribed": "စာရင်းမှ ထွက်ပြီးပါပြီ",
    "You will not receive our press releases at this address again.": (
        "ဤလိပ်စာသို့ ကျွန်ုပ်တို့၏ သတင်းထုတ်ပြန်ချက်များ နောက်ထပ် ပို့တော့မည် မဟုတ်ပါ။"
    ),
    "This unsubscribe link is not valid": "ဤစာရင်းမှထွက်ရန် လင့်ခ် မမှန်ကန်ပါ",
    "It may have been copied incompletely. Reply to any of our emails and we will remove you.": (
        "လင့်ခ်ကို အပြည့်အစုံ ကူးယူထားခြင်း မရှိနိုင်ပါ။ ကျွန်ုပ်တို့၏ အီးမေးလ်တစ်စောင်စောင်ကို ပြန်စာပို့ပါက သင့်ကို စာရင်းမှ ဖယ်ရှားပေးပါမည်။"
    ),
}


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def burmese_catalogue(tmp_path, settings):
    """locale/my with the pages' strings, ahead of the project's own catalogue."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed")
    folder = tmp_path / "locale" / "my" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entries = [
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n',
        *(f"msgid {_po_string(en)}\nmsgstr {_po_string(my)}\n" for en, my in BURMESE.items()),
    ]
    (folder / "django.po").write_text("\n".join(entries), encoding="utf-8")
    subprocess.run(
        ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")], check=True
    )
    with override_settings(LOCALE_PATHS=[tmp_path / "locale", *settings.LOCALE_PATHS]):
        yield
    translation.activate("en")


def sections(page: str) -> dict[str, str]:
    """lang -> text of each language section."""
    found = re.findall(
        r'<section class="unsubscribe-text" lang="(\w+)">(.*?)</section>', page, re.S
    )
    return dict(found)


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def url_for(contact: Contact) -> str:
    return f"/unsubscribe/{messages.unsubscribe_token(contact.pk)}/"


def test_a_burmese_only_journalist_reads_the_page_in_burmese(client, burmese_catalogue):
    contact = ContactFactory(email="my-only@example.org", languages=["my"])
    response = client.get(url_for(contact), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert html_lang(page) == "my"
    assert response["Content-Language"] == "my"
    assert list(sections(page)) == ["my"]
    assert BURMESE["Unsubscribe from our press releases"] in sections(page)["my"]
    assert "Unsubscribe from our press releases" not in page  # no English at all
    assert f'<span lang="my">{BURMESE["Unsubscribe"]}</span>' in page  # the button

    done = client.post(url_for(contact)).content.decode()
    assert html_lang(done) == "my" and list(sections(done)) == ["my"]
    assert BURMESE["You are unsubscribed"] in done and "You are unsubscribed" not in done

    again = client.get(url_for(contact)).content.decode()
    assert BURMESE["This address no longer receives our releases."] in again
    assert "<form" not in again


def test_a_bilingual_journalist_reads_both_their_preferred_first(client, burmese_catalogue):
    contact = ContactFactory(email="both@example.org", languages=["my", "en"])
    response = client.get(url_for(contact))
    page = response.content.decode()
    assert html_lang(page) == "my"
    assert response["Content-Language"] == "my, en"
    assert list(sections(page)) == ["my", "en"]
    assert BURMESE["Unsubscribe from our press releases"] in sections(page)["my"]
    assert "Unsubscribe from our press releases" in sections(page)["en"]
    assert '<span lang="my">' in page and '<span lang="en">Unsubscribe</span>' in page


def test_an_english_only_journalist_reads_english(client, burmese_catalogue):
    contact = ContactFactory(email="en-only@example.org", languages=["en"])
    response = client.get(url_for(contact), HTTP_ACCEPT_LANGUAGE="my")
    page = response.content.decode()
    assert html_lang(page) == "en" and response["Content-Language"] == "en"
    assert list(sections(page)) == ["en"]
    assert 'lang="my"' not in page


def test_a_bad_link_is_answered_in_every_language(client, burmese_catalogue):
    response = client.get("/unsubscribe/not-a-token/")
    page = response.content.decode()
    assert response.status_code == 404
    assert list(sections(page)) == ["en", "my"]
    assert "This unsubscribe link is not valid" in sections(page)["en"]
    assert BURMESE["This unsubscribe link is not valid"] in sections(page)["my"]
    assert response["Content-Language"] == "en, my"


def test_strings_are_marked_for_translation(client, burmese_catalogue):
    # Every sentence of the pages goes through the catalogue: with it, no English is left in a
    # Burmese section.
    contact = ContactFactory(email="my-only-2@example.org", languages=["my"])
    for page in (
        client.get(url_for(contact)).content.decode(),
        client.get("/unsubscribe/not-a-token/").content.decode(),
    ):
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", sections(page)["my"]))


def test_pages_are_styled_like_the_public_site_without_inline_styles(client):
    contact = ContactFactory(email="styled@example.org", languages=["my"])
    for response in (client.get(url_for(contact)), client.get("/unsubscribe/not-a-token/")):
        page = response.content.decode()
        assert '<link rel="stylesheet" href="/static/css/public.css">' in page
        assert "<style" not in page and "style=" not in page
        assert 'rel="icon"' in page
        assert '<meta name="robots" content="noindex">' in page
        # The CSP lets only our own stylesheet in.
        assert "style-src 'self'" in response["Content-Security-Policy"]

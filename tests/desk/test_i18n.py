"""The desk in each staff member's language; language names, never codes; states in plain
words; Burmese tagged lang="my" wherever the desk shows it."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import InterfacePreference
from config.languages import language_list, language_name, to_follow
from statements import workflow
from tests.factories import ContactFactory, MediaListFactory
from tests.statements import conftest as statement_fixtures
from tests.statements.conftest import EN

pytestmark = pytest.mark.django_db
# The statements suite's fixtures, shared.
campaign, draft, staff = (
    statement_fixtures.campaign,
    statement_fixtures.draft,
    statement_fixtures.staff,
)


def _choose(client, language: str, **extra):
    return client.post("/desk/language/", {"language": language, **extra})


def test_a_staff_member_chooses_burmese_and_the_desk_speaks_it(client, staff):
    client.force_login(staff.editor)
    response = _choose(client, "my", next="/desk/translations/")
    assert response.status_code == 302 and response["Location"] == "/desk/translations/"
    assert InterfacePreference.objects.get(user=staff.editor).language == "my"
    page = client.get("/desk/")
    assert page["Content-Language"] == "my"
    html = page.content.decode()
    assert '<html lang="my">' in html
    with translation.override("my"):
        assert translation.gettext("Nothing waiting for your review.") in html
    # Another staff member keeps English.
    client.force_login(staff.author)
    assert '<html lang="en">' in client.get("/desk/").content.decode()


def test_the_choice_is_per_user_and_survives_a_new_login(client, staff):
    client.force_login(staff.editor)
    _choose(client, "my")
    client.logout()
    client.force_login(staff.editor)
    assert client.get("/desk/")["Content-Language"] == "my"
    _choose(client, "en")
    assert client.get("/desk/")["Content-Language"] == "en"


def test_the_public_site_keeps_its_language_prefixes(client, staff):
    client.force_login(staff.editor)
    _choose(client, "my")
    assert client.get("/en/releases/")["Content-Language"] == "en"


def test_an_unknown_language_or_a_foreign_next_is_refused_cleanly(client, staff):
    client.force_login(staff.editor)
    response = _choose(client, "xx", next="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert not InterfacePreference.objects.filter(user=staff.editor).exists()
    assert "Choose one of the languages listed." in client.get("/desk/").content.decode()
    assert _choose(client, "my", next="//evil.example/desk/")["Location"] == "/desk/"
    assert client.get("/desk/language/").status_code == 405


def test_the_header_offers_each_language_in_its_own_name(client, staff):
    client.force_login(staff.author)
    header = client.get("/desk/").content.decode().split("</header>")[0]
    assert 'value="my" lang="my"' in header and "မြန်မာ</button>" in header
    assert 'value="en" lang="en"' in header and "English</button>" in header


def test_language_names_follow_the_interface_language():
    with translation.override("en"):
        assert language_name("my") == "Burmese"
        assert language_list(["en", "my"]) == "English and Burmese"
        assert to_follow("my") == "Burmese to follow"
    with translation.override("my"):
        assert language_name("my") == "မြန်မာ"
        assert "my" not in language_list(["en", "my"])


def test_translation_overview_names_languages_not_codes(client, staff, draft):
    workflow.statement_create(
        by=staff.author, campaign=draft.campaign.slug, slug="english-only", translations={"en": EN}
    )
    client.force_login(staff.author)
    page = client.get("/desk/translations/").content.decode()
    assert '<th scope="col">Burmese</th>' in page and '<th scope="col">English</th>' in page
    assert ">my<" not in page and ">en<" not in page


def test_contacts_show_language_names_and_tag_burmese_names(client, staff):
    media_list = MediaListFactory(name="မီဒီယာ စာရင်း")
    contact = ContactFactory(name="ဒေါ်အေးအေး", languages=["en", "my"])
    contact.lists.add(media_list)
    client.force_login(staff.publisher)
    page = client.get("/desk/contacts/", {"q": "ဒေါ်အေး"}).content.decode()
    assert "English and Burmese" in page
    assert '<span lang="my">ဒေါ်အေးအေး</span>' in page
    assert '<span lang="my">မီဒီယာ စာရင်း</span>' in page
    assert 'value="ဒေါ်အေး" lang="my"' in page  # the search line


def test_states_are_plain_words_on_the_dashboard(client, staff, draft):
    workflow.statement_submit(statement_id=draft.pk, by=staff.author)
    client.force_login(staff.editor)
    page = client.get("/desk/").content.decode()
    assert ">In review<" in page
    visible = page.replace('id="state-in_review', "").replace("state-in_review-title", "")
    assert "in_review" not in visible


def test_burmese_titles_and_the_search_line_are_tagged(client, staff, draft):
    client.force_login(staff.author)
    page = client.get("/desk/search/", {"q": "စစ်ကောင်စီ"}).content.decode()
    assert 'value="စစ်ကောင်စီ" lang="my"' in page  # both search boxes
    assert '“<span lang="my">စစ်ကောင်စီ</span>”' in page
    dashboard = client.get("/desk/").content.decode()
    assert dashboard.count('lang="my"') >= 1


def test_a_zawgyi_notice_shows_its_burmese_in_the_myanmar_font():
    # The notice the editor raises (desk/views/statements.py _notify): English around the
    # converted Burmese, which must be tagged so it is read in the Myanmar font.
    notice = "my.title: converted from Zawgyi to Unicode. Check the result: မြန်မာနိုင်ငံ"
    html = render_to_string("desk/not_allowed.html", {"messages": [notice], "message": "-"})
    shown = html.split('<ul class="messages">')[1].split("</ul>")[0]
    assert "converted from Zawgyi" in shown
    assert 'Check the result: <span lang="my">မြန်မာနိုင်ငံ</span>' in shown


def test_tag_burmese_escapes_and_wraps_only_burmese_runs():
    out = Template("{% load desk_text %}{{ v|tag_burmese }}").render(
        Context({"v": '<b>x</b> မြန်မာ စာ & "q"'})
    )
    assert out == '&lt;b&gt;x&lt;/b&gt; <span lang="my">မြန်မာ စာ</span> &amp; &quot;q&quot;'
    assert Template("{% load desk_text %}{{ v|tag_burmese }}").render(Context({"v": None})) == ""

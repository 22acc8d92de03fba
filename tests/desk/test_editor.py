"""The desk's statement editor, through the desk URLs: every field of a release, structured
quotes, asks chosen or proposed, the public page showing what the desk linked, completeness in
words, required fields marked, the live preview, plain wording and the retract confirmation."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from campaigns.models import Ask
from statements import workflow
from statements.models import Boilerplate, Statement
from tests.factories import AskFactory, CampaignFactory, RoleHoldingFactory, TargetFactory

pytestmark = pytest.mark.django_db

EN = {"title": "ASEAN must act", "summary": "ASEAN is complicit.", "body": "One.\n\nTwo."}
MY = {"title": "အာဆီယံ လုပ်ဆောင်ရမည်", "summary": "အကျဉ်းချုပ်", "body": "စာကိုယ်"}
IN_2025 = datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def people(make_staff):
    class People:
        author = make_staff("author", "thida")
        author2 = make_staff("author", "aung")
        editor = make_staff("editor", "editor")
        publisher = make_staff("publisher", "publisher")

    return People


@pytest.fixture
def world(db):
    campaign = CampaignFactory(slug="asean-complicity", name={"en": "ASEAN complicity"})
    malaysia = TargetFactory(slug="malaysia", name={"en": "Malaysia", "my": "မလေးရှား"})
    asean = TargetFactory(slug="asean", name={"en": "ASEAN"}, kind="organisation")
    chair = RoleHoldingFactory(
        holder=malaysia, role__slug="asean-chair", role__name={"en": "ASEAN Chair"}
    ).role
    ask = AskFactory(campaign=campaign, slug="ban-junta", text={"en": "Ban the junta."})
    other_campaign_ask = AskFactory(slug="elsewhere", text={"en": "Another campaign's ask."})
    boilerplate = Boilerplate.objects.create(
        slug="default",
        about={"en": "We campaign for human rights in Myanmar."},
        media_contact={"en": "press@example.org"},
    )
    return {
        "campaign": campaign,
        "malaysia": malaysia,
        "asean": asean,
        "chair": chair,
        "ask": ask,
        "other_ask": other_campaign_ask,
        "boilerplate": boilerplate,
    }


def text_fields(en=EN, my=MY) -> dict:
    form = {f"en-{k}": v for k, v in en.items()} | {f"my-{k}": v for k, v in my.items()}
    return form


def full_form(**extra) -> dict:
    return {
        "statement_fields": "1",
        "campaign": "asean-complicity",
        "kind": "statement",
        "required_languages": ["en", "my"],
        "targets": ["asean"],
        "roles": ["asean-chair"],
        "asks": ["ban-junta"],
        "boilerplate": "default",
        "en-quote-speaker": ["Yadanar Maung", "Khin Ohmar"],
        "en-quote-text": ["Stop the arms.", "ASEAN has failed."],
        "my-quote-speaker": ["ရဒနာမောင်"],
        "my-quote-text": ["လက်နက် ရပ်ပါ။"],
        **text_fields(),
        **extra,
    }


def publish(statement: Statement, people) -> None:
    workflow.statement_submit(statement_id=statement.pk, by=people.author)
    workflow.statement_approve(statement_id=statement.pk, by=people.editor)
    workflow.statement_publish(statement_id=statement.pk, by=people.publisher)


# --- every field, and the public page shows what the desk linked ------------------------------


def test_a_release_made_in_the_desk_shows_targets_asks_quotes_and_boilerplate_publicly(
    client, people, world
):
    client.force_login(people.author)
    form = full_form(**{"new_ask-en": "Refer the junta to the ICC.", "new_ask_targets": ["asean"]})
    response = client.post("/desk/statements/new/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    statement = Statement.objects.get()
    assert statement.kind == "statement"
    assert {t.slug for t in statement.targets.all()} == {"asean"}
    assert {r.slug for r in statement.roles.all()} == {"asean-chair"}
    proposed = Ask.objects.get(text__en="Refer the junta to the ICC.")
    assert proposed.campaign == world["campaign"] and proposed.status == "open"
    assert {t.slug for t in proposed.targets.all()} == {"asean"}
    assert {a.slug for a in statement.asks.all()} == {"ban-junta", proposed.slug}
    assert statement.boilerplate == world["boilerplate"]
    assert statement.translation("en").quotes == [
        {"speaker": "Yadanar Maung", "text": "Stop the arms."},
        {"speaker": "Khin Ohmar", "text": "ASEAN has failed."},
    ]

    with time_machine.travel(IN_2025, tick=True):
        publish(statement, people)
        page = client.get(f"/en/releases/{statement.slug}/").content.decode()
    for shown in (
        "Addressed to",
        "ASEAN Chair: Malaysia",  # the role's holder on the release date
        "Ban the junta.",
        "Refer the junta to the ICC.",
        "Stop the arms.",
        "Khin Ohmar",
        "We campaign for human rights in Myanmar.",
        "press@example.org",
    ):
        assert shown in page, shown


def test_targets_and_roles_name_the_role_holder_on_the_release_date(client, people, world):
    client.force_login(people.author)
    with time_machine.travel(IN_2025):
        page = client.get("/desk/statements/new/").content.decode()
    assert "ASEAN Chair — Malaysia (2025)" in page
    assert "Malaysia — ASEAN Chair (2025)" in page
    with time_machine.travel(IN_2025 + datetime.timedelta(days=365)):
        page = client.get("/desk/statements/new/").content.decode()
    assert "ASEAN Chair — nobody on the release date" in page


def test_asks_of_another_campaign_are_refused_and_nothing_is_written(client, people, world):
    client.force_login(people.author)
    response = client.post("/desk/statements/new/", full_form(asks=["elsewhere"]))
    assert response.status_code == 400
    assert "own campaign" in response.content.decode()
    assert not Statement.objects.exists()


def test_a_refused_statement_leaves_no_proposed_ask_behind(client, people, world):
    client.force_login(people.author)
    workflow.statement_create(
        by=people.author, campaign="asean-complicity", slug="taken", translations={"en": EN}
    )
    before = Ask.objects.count()
    response = client.post(
        "/desk/statements/new/", full_form(slug="taken", **{"new_ask-en": "A new ask."})
    )
    assert response.status_code == 400 and "taken" in response.content.decode()
    assert Ask.objects.count() == before


def test_save_changes_statement_fields_and_a_text_only_post_keeps_them(client, people, world):
    client.force_login(people.author)
    client.post("/desk/statements/new/", full_form())
    statement = Statement.objects.get()
    form = full_form(targets=["malaysia"], asks=[], boilerplate="", kind="briefing")
    assert client.post(f"/desk/statements/{statement.pk}/save/", form).status_code == 302
    statement.refresh_from_db()
    assert [t.slug for t in statement.targets.all()] == ["malaysia"]
    assert not statement.asks.exists() and statement.boilerplate is None
    assert statement.kind == "briefing"
    # A client posting only the text (no editor marker) does not clear the other fields.
    response = client.post(f"/desk/statements/{statement.pk}/save/", text_fields())
    assert response.status_code == 302
    assert [t.slug for t in statement.targets.all()] == ["malaysia"]


def test_quotes_are_added_and_removed_as_rows(client, people, world):
    client.force_login(people.author)
    client.post("/desk/statements/new/", full_form())
    statement = Statement.objects.get()
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert page.count('name="en-quote-speaker"') == 3  # two rows and the add-row template
    assert "----" not in page
    form = full_form(**{"en-quote-speaker": ["Khin Ohmar"], "en-quote-text": ["Only this."]})
    client.post(f"/desk/statements/{statement.pk}/save/", form)
    assert statement.translation("en").quotes == [{"speaker": "Khin Ohmar", "text": "Only this."}]


def test_a_quote_with_a_speaker_but_no_text_is_refused_in_plain_words(client, people, world):
    client.force_login(people.author)
    form = full_form(**{"my-quote-speaker": ["ရဒနာမောင်"], "my-quote-text": [""]})
    response = client.post("/desk/statements/new/", form)
    assert response.status_code == 400
    assert "Burmese quote 1 has a speaker but no text" in response.content.decode()


# --- completeness, required fields, plain words --------------------------------------------


def test_completeness_is_computed_from_the_fields_with_the_reason(client, people, world):
    client.force_login(people.author)
    client.post(
        "/desk/statements/new/",
        full_form(**{"my-summary": "", "my-body": "", "my-quote-speaker": [], "my-quote-text": []}),
    )
    statement = Statement.objects.get()
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert "Burmese: missing: summary, body" in page
    assert "English: complete" in page
    # "Not ready yet" is the translator's explicit choice, never ticked for them.
    assert 'name="my-not_ready" id="id_my-not_ready" checked' not in page
    assert "Translation complete" not in page
    form = full_form(**{"my-not_ready": "on"})
    client.post(f"/desk/statements/{statement.pk}/save/", form)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert "not ready yet (marked)" in page
    assert not statement.translation("my").marked_complete


def test_required_fields_are_marked(client, people, world):
    client.force_login(people.author)
    page = client.get("/desk/statements/new/").content.decode()
    assert 'aria-required="true"' in page.split('id="id_my-summary"')[0].rsplit("<textarea", 1)[1]
    title = page.split('id="id_en-title"')[0].rsplit("<textarea", 1)[1]
    assert "required" in title and 'class="text-en grow title"' in title
    assert 'class="req"' in page


def test_states_events_and_languages_are_in_plain_words(client, people, world):
    client.force_login(people.author)
    client.post("/desk/statements/new/", full_form())
    statement = Statement.objects.get()
    response = client.post(f"/desk/statements/{statement.pk}/submit/", {}, follow=True)
    page = response.content.decode()
    assert "Sent for review." in page and "Submit: done." not in page
    assert "sent it for review" in page and "from “Draft” to “In review”" in page
    assert "draft → in_review" not in page and "in_review" not in page.split('id="history"')[1]
    assert "Full-page preview:" in page and ">Burmese</a>" in page


def test_a_zawgyi_error_names_the_field_as_people_say_it(client, people, world):
    from desk.forms import humanise

    assert humanise("translations.my.title: looks like Zawgyi") == (
        "Burmese title: looks like Zawgyi"
    )
    assert humanise("translations.my.quotes[1].speaker: x") == "Burmese quote 2, speaker: x"


# --- the live preview ----------------------------------------------------------------------


def test_the_preview_renders_the_public_template_from_posted_text(client, people, world):
    client.force_login(people.author)
    form = full_form(**{"my-body": "**ထင်ရှား**", "en-body": "", "en-summary": ""})
    response = client.post("/desk/statements/preview/", form)
    assert response.status_code == 200
    languages = json.loads(response.content)["languages"]
    assert '<article class="release" lang="my">' in languages["my"]["html"]
    assert "<strong>ထင်ရှား</strong>" in languages["my"]["html"]
    assert "Ban the junta." in languages["en"]["html"] and "ASEAN" in languages["en"]["html"]
    assert languages["en"]["text"] == "missing: summary, body"
    assert languages["my"]["text"] == "complete" and languages["my"]["complete"]
    assert not Statement.objects.exists()  # the preview writes nothing


def test_the_editor_page_shows_a_server_rendered_preview_per_language(client, people, world):
    client.force_login(people.author)
    client.post("/desk/statements/new/", full_form())
    statement = Statement.objects.get()
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    preview = page.split('id="preview-my"')[1].split("</article>")[0]
    assert MY["title"] in preview and "လက်နက် ရပ်ပါ။" in preview
    assert 'src="/static/desk/editor.js"' in page


# --- the edit lock and stale saves ----------------------------------------------------------


def _draft(people) -> Statement:
    statement, _ = workflow.statement_create(
        by=people.author, campaign="asean-complicity", translations={"en": EN, "my": MY}
    )
    return statement


def test_a_second_person_sees_who_is_editing_and_cannot_save_over_them(client, people, world):
    statement = _draft(people)
    client.force_login(people.author)
    answer = client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"}).json()
    assert answer["held"]
    since = answer["since"]  # HH:MM
    client.force_login(people.author2)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert f"thida is editing since {since} UTC." in page
    assert '<fieldset class="editor-body" disabled>' in page
    response = client.post(f"/desk/statements/{statement.pk}/save/", text_fields())
    assert response.status_code == 400
    assert f"thida is editing this statement since {since}" in response.content.decode()
    assert statement.revisions.count() == 1


def test_taking_over_moves_the_lock_and_tells_the_first_editor(client, people, world):
    statement = _draft(people)
    client.force_login(people.author)
    client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"})
    client.force_login(people.author2)
    response = client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "take_over"})
    assert response.status_code == 302
    assert client.post(f"/desk/statements/{statement.pk}/save/", text_fields()).status_code == 302
    client.force_login(people.author)
    answer = client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"}).json()
    assert not answer["held"] and "aung took over editing" in answer["message"]


def test_a_lock_without_heartbeat_expires(client, people, world):
    statement = _draft(people)
    start = timezone.now()
    client.force_login(people.author)
    with time_machine.travel(start):
        client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"})
    client.force_login(people.author2)
    with time_machine.travel(start + datetime.timedelta(minutes=2)):
        answer = client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"}).json()
        assert not answer["held"]
    with time_machine.travel(start + datetime.timedelta(minutes=4)):
        answer = client.post(f"/desk/statements/{statement.pk}/lock/", {"op": "claim"}).json()
        assert answer["held"]


def test_a_save_based_on_an_older_revision_is_refused(client, people, world):
    statement = _draft(people)
    client.force_login(people.author)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    workflow.statement_edit(
        statement_id=statement.pk, by=people.author2, translations={"en": EN | {"body": "New."}}
    )
    form = text_fields(en=EN | {"body": "Mine."}) | {"version": "1"}
    response = client.post(f"/desk/statements/{statement.pk}/save/", form)
    assert response.status_code == 400
    assert "aung saved this statement" in response.content.decode()
    assert statement.translation("en").body == "New."
    # The person's own text is still in the form, to copy.
    assert "Mine." in response.content.decode()


# --- actions: retract confirmation, a publisher's steps after publication ------------------


def test_retract_asks_for_confirmation_first(client, people, world):
    statement = _draft(people)
    publish(statement, people)
    client.force_login(people.publisher)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    retract_form = page.split(f'action="/desk/statements/{statement.pk}/retract/confirm/"')[0]
    assert retract_form.rstrip().endswith('<form method="get"')
    confirm = client.get(f"/desk/statements/{statement.pk}/retract/confirm/?reason=Wrong+date")
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Yes, retract this release" in body and "Wrong date" in body
    statement.refresh_from_db()
    assert statement.state == "published"  # nothing happens before the confirmation
    client.post(f"/desk/statements/{statement.pk}/retract/", {"reason": "Wrong date"})
    statement.refresh_from_db()
    assert statement.state == "retracted"


def test_retract_confirmation_is_for_publishers_only(client, people, world):
    statement = _draft(people)
    publish(statement, people)
    client.force_login(people.author)
    assert client.get(f"/desk/statements/{statement.pk}/retract/confirm/").status_code == 403


def test_the_publisher_of_a_published_release_sees_every_next_step(client, people, world):
    statement = _draft(people)
    workflow.statement_edit(
        statement_id=statement.pk,
        by=people.author,
        embargo_until=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    publish(statement, people)
    client.force_login(people.publisher)
    page = client.get(f"/desk/statements/{statement.pk}/").content.decode()
    assert 'value="set_embargo"' in page and 'value="retract"' in page
    steps = page.split('id="next-steps"')[1].split("</section>")[0]
    assert "as a correction with a note" in steps and "follow-up translation" in steps
    assert "Send this release" in steps and "Change the embargo" in steps
    assert 'id="statement-form"' in page  # the edit that starts a correction

"""The desk inbox: newest first, unread marked, mark read, the count in the navigation, and
each person's choice of kinds per channel (/desk/inbox/settings/)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from desk import notifications
from desk.models import Notification
from statements import workflow
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
EN = {"title": "ASEAN must act", "summary": "ASEAN is complicit.", "body": "Paragraph one."}


@pytest.fixture
def people(make_staff):
    class People:
        author = make_staff("author", "author")
        editor = make_staff("editor", "editor")
        other_editor = make_staff("editor", "other-editor")

    return People


@pytest.fixture
def submitted(people):
    CampaignFactory(slug="asean-complicity")
    statement, _ = workflow.statement_create(
        by=people.author, campaign="asean-complicity", translations={"en": EN}
    )
    workflow.statement_submit(statement_id=statement.pk, by=people.author, comment="Today, please")
    return statement


def test_the_inbox_lists_the_newest_first_with_unread_in_bold(client, people, submitted):
    older = Notification.objects.get(recipient=people.editor)
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    newer = notifications.notify(Kind.APPROVED, [people.editor], statement=submitted)[0]
    client.force_login(people.editor)
    page = client.get("/desk/inbox/").content.decode()
    assert page.index(f'data-notification="{newer.pk}"') < page.index(
        f'data-notification="{older.pk}"'
    )
    assert "author asks for a review of “" in page and "ASEAN must act" in page
    assert "Today, please" in page  # the comment given with the event
    assert f'<strong><a href="/desk/statements/{submitted.pk}/">' in page
    assert 'class="nav-inbox">Inbox <span class="count">(2)</span>' in page


def test_mark_read_and_mark_all_read(client, people, submitted):
    notifications.notify(Kind.APPROVED, [people.editor], statement=submitted)
    first = Notification.objects.filter(recipient=people.editor).last()
    client.force_login(people.editor)
    response = client.post(f"/desk/inbox/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/desk/inbox/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert notifications.unread_count(people.editor) == 1
    client.post("/desk/inbox/read-all/")
    assert notifications.unread_count(people.editor) == 0
    page = client.get("/desk/inbox/").content.decode()
    assert "<strong>" not in page.split("<main>")[1] and "nav-inbox" in page
    assert "(0)" not in page


def test_nobody_reads_or_marks_anothers_notification(client, people, submitted):
    theirs = Notification.objects.get(recipient=people.other_editor)
    client.force_login(people.editor)
    assert client.post(f"/desk/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post("/desk/inbox/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert f'data-notification="{theirs.pk}"' not in client.get("/desk/inbox/").content.decode()


def test_mark_read_is_a_post(client, people, submitted):
    mine = Notification.objects.get(recipient=people.editor)
    client.force_login(people.editor)
    assert client.get(f"/desk/inbox/{mine.pk}/read/").status_code == 405


def test_every_staff_role_has_an_inbox(client, make_staff, django_user_model):
    for role in ("author", "editor", "publisher", "admin"):
        client.force_login(make_staff(role))
        assert client.get("/desk/inbox/").status_code == 200
    client.force_login(django_user_model.objects.create_user("no-role", password="x" * 20))
    assert client.get("/desk/inbox/").status_code == 403


def test_settings_turn_kinds_off_per_channel(client, people, submitted):
    client.force_login(people.editor)
    page = client.get("/desk/inbox/settings/").content.decode()
    assert 'name="email_review_requested" id="email_review_requested" checked' in page
    assert 'name="email_send_finished" id="email_send_finished">' in page  # off by default
    everything_but_reviews = {
        f"{channel}_{kind}": "on"
        for channel in ("inbox", "email")
        for kind in Kind.values
        if kind != Kind.REVIEW_REQUESTED
    }
    response = client.post("/desk/inbox/settings/", everything_but_reviews)
    assert response.status_code == 302
    chosen = notifications.preferences_of(people.editor)
    assert not chosen["inbox"][Kind.REVIEW_REQUESTED] and not chosen["email"][Kind.REVIEW_REQUESTED]
    assert chosen["email"][Kind.SEND_FINISHED]
    Notification.objects.all().delete()
    workflow.statement_request_changes(
        statement_id=submitted.pk, by=people.other_editor, comment="x"
    )
    workflow.statement_submit(statement_id=submitted.pk, by=people.author)
    assert not Notification.objects.filter(recipient=people.editor).exists()
    assert Notification.objects.filter(recipient=people.other_editor).exists()

"""The desk's page of Telegram posts and mirrors: every role reads it; publishers resolve a
post not known to be posted (it is there / post it again) and push the mirrors."""

from __future__ import annotations

import pytest

from channels import services
from channels.models import MirrorPush, TelegramPost
from tests.statements.conftest import MY

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncertain_post(telegram, release):
    r = release()
    r.publish()
    post = TelegramPost.objects.get(statement_id=r.pk, language="my")
    TelegramPost.objects.filter(pk=post.pk).update(
        state="uncertain", request_started_at=post.created_at, last_error="worker stopped"
    )
    return post


def test_every_role_sees_the_posts_with_their_state(client, make_staff, uncertain_post):
    client.force_login(make_staff("author"))
    page = client.get("/desk/channels/").content.decode()
    assert "@pressroom_my" in page and "@pressroom_en" in page
    assert "Not known if posted" in page and "1 post is not known to be posted." in page
    assert f'lang="my">{MY["title"]}</a>' in page  # a Burmese title is tagged for its font
    assert "It is in the channel" not in page  # no actions for an author


def test_an_author_may_not_resolve_a_post(client, make_staff, uncertain_post, telegram):
    client.force_login(make_staff("author"))
    response = client.post(f"/desk/channels/posts/{uncertain_post.pk}/retry/")
    assert response.status_code == 403
    assert TelegramPost.objects.get(pk=uncertain_post.pk).state == "uncertain"
    assert not telegram.of("sendMessage", "@pressroom_my")


def test_a_publisher_records_a_post_found_in_the_channel(client, make_staff, uncertain_post):
    publisher = make_staff("publisher")
    client.force_login(publisher)
    response = client.post(f"/desk/channels/posts/{uncertain_post.pk}/posted/")
    assert response.status_code == 302 and response["Location"] == "/desk/channels/"
    post = TelegramPost.objects.get(pk=uncertain_post.pk)
    assert post.state == "sent" and post.resolved_by == publisher
    # Only an uncertain post can be marked: a second click is a clear refusal.
    again = client.post(f"/desk/channels/posts/{uncertain_post.pk}/posted/")
    assert again.status_code == 400 and "not known to be posted" in again.content.decode()


def test_a_publisher_posts_a_missing_post_again_once(client, make_staff, uncertain_post, telegram):
    client.force_login(make_staff("publisher"))
    response = client.post(f"/desk/channels/posts/{uncertain_post.pk}/retry/")
    assert response.status_code == 302
    assert TelegramPost.objects.get(pk=uncertain_post.pk).state == "pending"
    from channels import tasks

    tasks.sweep()
    assert TelegramPost.objects.get(pk=uncertain_post.pk).state == "sent"
    assert len(telegram.of("sendMessage", "@pressroom_my")) == 1


def test_a_retracted_release_is_not_posted_again(make_staff, uncertain_post, release):
    from config.errors import RuleBroken
    from statements import workflow

    workflow.statement_retract(
        statement_id=uncertain_post.statement_id, by=make_staff("publisher"), reason="Wrong"
    )
    with pytest.raises(RuleBroken, match="no longer public"):
        services.post_retry(post_id=uncertain_post.pk, by=make_staff("publisher"))


def test_a_publisher_pushes_the_mirrors_by_hand(client, make_staff, settings, tmp_path):
    settings.MIRROR_TARGETS = [str(tmp_path / "mirror")]
    client.force_login(make_staff("editor"))
    assert client.post("/desk/channels/mirrors/push/").status_code == 403
    client.force_login(make_staff("publisher"))
    assert client.post("/desk/channels/mirrors/push/").status_code == 302
    assert MirrorPush.objects.get().reason == "by hand"
    page = client.get("/desk/channels/").content.decode()
    assert str(tmp_path / "mirror") in page and "Push the mirrors now" in page


def test_without_configuration_the_page_says_so(client, make_staff, settings):
    settings.TELEGRAM_BOT_TOKEN, settings.MIRROR_TARGETS = "", []
    client.force_login(make_staff("editor"))
    page = client.get("/desk/channels/").content.decode()
    assert "No Telegram channel is configured" in page and "No mirror is configured" in page

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from config.errors import NotAllowed, RuleBroken
from contacts.models import Contact, Suppression, address_hash
from distribution import sending, services, tasks
from distribution.models import Delivery, Distribution
from statements.models import Statement
from tests.distribution.helpers import MY_TITLE, make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


def start(publisher, statement, lists, capture, **kwargs):
    with capture(execute=True):
        return services.distribution_start(
            statement_id=statement.pk, media_list_slugs=lists, by=publisher, **kwargs
        )


def by_address():
    return {m.to[0]: m for m in mail.outbox}


def test_each_active_contact_gets_one_message_in_their_languages(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    distribution = start(
        publisher, statement, ["press", "wire"], django_capture_on_commit_callbacks
    )
    sent = by_address()
    assert sorted(sent) == ["both@example.org", "en@example.org", "my@example.org"]
    assert len(mail.outbox) == 3
    assert "ASEAN must stop" in sent["en@example.org"].subject
    assert MY_TITLE not in sent["en@example.org"].subject
    assert sent["my@example.org"].subject == MY_TITLE
    # Both languages in one message, the preferred one first.
    both = sent["both@example.org"]
    assert both.subject.index(MY_TITLE) < both.subject.index("ASEAN")
    assert both.body.index("ပထမ") < both.body.index("Paragraph")
    distribution.refresh_from_db()
    assert distribution.state == Distribution.State.DONE
    counts = services.distribution_counts(distribution=distribution)
    assert counts == {
        "pending": 0,
        "sending": 0,
        "sent": 3,
        "failed": 0,
        "bounced": 0,
        "skipped": 1,
    }
    skipped = Delivery.objects.get(state="skipped")
    assert skipped.skip_reason == "unsubscribed"


def test_message_has_headers_links_and_both_parts(
    publisher, statement, audience, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://press.example.org"
    start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    message = by_address()["my@example.org"]
    built = message.message()
    assert built["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<https://press.example.org/unsubscribe/" in built["List-Unsubscribe"]
    assert "mailto:" in built["List-Unsubscribe"]
    assert built["List-Id"].endswith("<releases.press.example.org>")
    delivery = Delivery.objects.get(address="my@example.org")
    assert built["Message-ID"] == delivery.message_id
    assert "https://press.example.org/my/releases/asean-must-stop/" in message.body
    assert "https://press.example.org/my/releases/asean-must-stop.pdf" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="my"' in html and "Noto Sans Myanmar" in html
    # Styles are inline (many mail clients drop <style>); the one <style> holds only the
    # @font-face of the app's own Myanmar font, for the clients that honour it.
    assert html.count("<style") == 1
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    rules = [rule for rule in style.split("}") if rule.strip()]
    assert rules and all(r.strip().startswith("@font-face") for r in rules), rules
    assert "https://press.example.org/static/fonts/NotoSansMyanmar-Regular" in style
    token_url = built["List-Unsubscribe"].split("<", 1)[1].split(">", 1)[0]
    assert token_url in message.body and token_url in html


def test_contact_on_two_lists_gets_one_delivery(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    distribution = start(
        publisher, statement, ["press", "wire"], django_capture_on_commit_callbacks
    )
    assert distribution.deliveries.filter(contact=audience["both"]).count() == 1
    assert [m.to for m in mail.outbox].count(["both@example.org"]) == 1


def test_suppressed_address_is_skipped(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    Suppression.objects.create(address_hash=address_hash("EN@example.org"), reason="manual")
    start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    assert "en@example.org" not in by_address()
    assert Delivery.objects.get(address="en@example.org").skip_reason == "suppressed"


def test_only_publishers_send(make_staff, statement, audience):
    for role in ("author", "editor"):
        with pytest.raises(NotAllowed):
            services.distribution_start(
                statement_id=statement.pk, media_list_slugs=["press"], by=make_staff(role)
            )


def test_unpublished_statement_is_refused_with_the_reason(publisher, audience):
    draft = make_statement(slug="draft-one", state=Statement.State.APPROVED)
    Statement.objects.filter(pk=draft.pk).update(published_at=None)
    with pytest.raises(RuleBroken, match="not published"):
        services.distribution_start(statement_id=draft.pk, media_list_slugs=["press"], by=publisher)
    assert not Distribution.objects.exists()


def test_embargoed_statement_goes_only_to_trusted_lists_and_says_so(
    publisher, audience, django_capture_on_commit_callbacks
):
    embargo = timezone.now() + datetime.timedelta(hours=5)
    statement = make_statement(slug="embargoed", embargo_until=embargo)
    with pytest.raises(RuleBroken, match="embargo") as refused:
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=publisher
        )
    assert refused.value.extra["untrusted_lists"] == ["press"]
    trusted = MediaListFactory(slug="trusted", embargo_trusted=True)
    audience["en"].lists.add(trusted)
    audience["my"].lists.add(trusted)
    start(publisher, statement, ["trusted"], django_capture_on_commit_callbacks)
    utc = embargo.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    local = (embargo + datetime.timedelta(hours=6, minutes=30)).strftime("%Y-%m-%d %H:%M")
    for message in mail.outbox:
        assert "EMBARGOED" in message.subject
        assert f"EMBARGOED UNTIL {utc} / {local}" in message.body
    assert len(mail.outbox) == 2


def test_title_cannot_inject_headers(publisher, audience, django_capture_on_commit_callbacks):
    statement = make_statement(slug="inject", en_title="Hello\r\nBcc: victim@example.org")
    start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    built = by_address()["en@example.org"].message()
    assert built["Bcc"] is None
    assert "\n" not in built["Subject"] and "Bcc: victim" in str(built["Subject"])


@pytest.fixture
def refusing(settings):
    from tests.distribution.backends import RefusingBackend

    settings.EMAIL_BACKEND = "tests.distribution.backends.RefusingBackend"
    RefusingBackend.refusals = {}
    yield RefusingBackend.refusals
    RefusingBackend.refusals = {}


def test_temporary_refusal_is_retried_with_backoff(
    publisher, statement, audience, refusing, django_capture_on_commit_callbacks
):
    refusing["en@example.org"] = [451, 451]
    distribution = start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(address="en@example.org")
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    for _ in range(2):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        tasks.send_distribution(distribution.pk)
    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 3
    distribution.refresh_from_db()
    assert distribution.state == "done"


def test_retries_are_bounded(
    publisher, statement, audience, refusing, django_capture_on_commit_callbacks, settings
):
    settings.DISTRIBUTION_MAX_ATTEMPTS = 3
    refusing["en@example.org"] = [421, 451, 452, 451]
    distribution = start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    for _ in range(3):
        Delivery.objects.filter(state="pending").update(next_attempt_at=timezone.now())
        tasks.send_distribution(distribution.pk)
    delivery = Delivery.objects.get(address="en@example.org")
    assert delivery.state == "failed" and delivery.attempts == 3
    assert not Suppression.covers("en@example.org")  # temporary trouble never suppresses


def test_permanent_refusal_fails_and_suppresses(
    publisher, statement, audience, refusing, django_capture_on_commit_callbacks
):
    refusing["my@example.org"] = [550]
    start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(address="my@example.org")
    assert delivery.state == "failed" and delivery.attempts == 1
    assert Suppression.covers("my@example.org")
    assert Contact.objects.get(email="my@example.org").status == "bounced"


def test_backoff_grows_and_stays_bounded(settings):
    settings.DISTRIBUTION_RETRY_BASE_SECONDS = 10
    settings.DISTRIBUTION_RETRY_MAX_SECONDS = 80
    delays = [sending.retry_delay(n) for n in range(1, 8)]
    assert 5 <= delays[0] <= 10 and 40 <= delays[3] <= 80
    assert max(delays) <= 80 < tasks.MAX_COUNTDOWN < 3600


def test_pause_resume_cancel(publisher, statement, audience, django_capture_on_commit_callbacks):
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )  # not committed: nothing sent yet
    services.distribution_pause(distribution_id=distribution.pk, by=publisher)
    with pytest.raises(RuleBroken):
        services.distribution_pause(distribution_id=distribution.pk, by=publisher)
    assert sending.distribution_work(distribution_id=distribution.pk).sent_batches == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_resume(distribution_id=distribution.pk, by=publisher)
    assert len(mail.outbox) == 3
    distribution.refresh_from_db()
    assert distribution.state == "done"
    with pytest.raises(RuleBroken, match="already done"):
        services.distribution_cancel(distribution_id=distribution.pk, by=publisher)


def test_cancel_skips_what_is_pending(publisher, statement, audience):
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    services.distribution_cancel(distribution_id=distribution.pk, by=publisher)
    sending.distribution_work(distribution_id=distribution.pk)
    assert mail.outbox == []
    counts = services.distribution_counts(distribution=distribution)
    assert counts["skipped"] == 4 and counts["pending"] == 0


def test_expired_lease_is_handed_back_and_sent_once(publisher, statement, audience):
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    claimed = sending.claim_batch(distribution_id=distribution.pk, size=10)
    assert len(claimed) == 3
    # The worker holding them dies: nothing else may take them until the lease runs out.
    assert sending.claim_batch(distribution_id=distribution.pk, size=10) == []
    later = timezone.now() + datetime.timedelta(seconds=3600)
    assert sending.leases_hand_back(now=later) == 3
    sending.distribution_work(distribution_id=distribution.pk)
    assert len(mail.outbox) == 3


def test_scheduled_send_starts_when_due_and_waits_for_a_person_when_late(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    at = timezone.now() + datetime.timedelta(hours=1)
    on_time = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher, send_at=at
    )
    late = services.distribution_start(
        statement_id=statement.pk,
        media_list_slugs=["wire"],
        by=publisher,
        send_at=at - datetime.timedelta(minutes=30),
    )
    assert on_time.state == late.state == "queued"
    with (
        time_machine.travel(at + datetime.timedelta(seconds=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.tick()
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.state == "done" and not on_time.needs_confirmation
    assert late.state == "queued" and late.needs_confirmation
    assert "system was not running" in late.hold_reason
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_confirm_late(distribution_id=late.pk, by=publisher)
    late.refresh_from_db()
    assert late.state == "done" and late.confirmed_by == publisher
    assert len(mail.outbox) == 4


def test_correction_goes_to_everyone_who_received_the_original(
    publisher, statement, audience, django_capture_on_commit_callbacks
):
    start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    newcomer = ContactFactory(email="new@example.org")
    newcomer.lists.add(audience["press"])
    Statement.objects.filter(pk=statement.pk).update(state="corrected")
    mail.outbox.clear()
    start(publisher, statement, [], django_capture_on_commit_callbacks, kind="correction")
    assert sorted(by_address()) == ["both@example.org", "en@example.org", "my@example.org"]
    assert by_address()["en@example.org"].subject.startswith("CORRECTION: ")
    with pytest.raises(RuleBroken, match="retracted"):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=[], by=publisher, kind="retraction"
        )


def test_unsubscribed_after_snapshot_is_not_sent(publisher, statement, audience):
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    Contact.objects.filter(email="en@example.org").update(status="unsubscribed")
    sending.distribution_work(distribution_id=distribution.pk)
    assert "en@example.org" not in by_address()
    assert Delivery.objects.get(address="en@example.org").skip_reason == "unsubscribed"


def test_variants_are_rendered_once_per_distribution(
    publisher, statement, audience, django_capture_on_commit_callbacks, monkeypatch
):
    from distribution import messages

    calls = []
    original = messages.render_variant
    monkeypatch.setattr(
        messages, "render_variant", lambda **kw: calls.append(kw["variant"]) or original(**kw)
    )
    for n in range(20):
        ContactFactory(email=f"extra{n}@example.org").lists.add(audience["press"])
    distribution = start(publisher, statement, ["press"], django_capture_on_commit_callbacks)
    assert sorted(calls) == ["en", "my", "my+en"]
    assert set(distribution.__class__.objects.get(pk=distribution.pk).rendered) == {
        "en",
        "my",
        "my+en",
    }


@pytest.mark.parametrize(
    "action, state, reason",
    [
        ("pause", "pending", ""),
        ("cancel", "skipped", "cancelled"),
    ],
)
def test_a_worker_notices_pause_or_cancel_mid_batch(
    publisher, statement, audience, monkeypatch, action, state, reason
):
    monkeypatch.setattr(sending, "_STATE_CHECK_SECONDS", -1)  # look before every message
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )
    batch = sending.claim_batch(distribution_id=distribution.pk, size=10)
    getattr(services, f"distribution_{action}")(distribution_id=distribution.pk, by=publisher)
    sending.send_batch(distribution=distribution, batch=batch)
    assert mail.outbox == []
    rows = Delivery.objects.filter(pk__in=[d.pk for d in batch])
    assert {(d.state, d.skip_reason, d.attempts) for d in rows} == {
        (state, reason, 0 if action == "pause" else 1)
    }


def test_claims_shrink_near_the_end_so_parallel_workers_finish_together(
    publisher, statement, audience, settings
):
    settings.DISTRIBUTION_BATCH_SIZE = 200
    settings.DISTRIBUTION_PARALLEL_TASKS = 2
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=["press"], by=publisher
    )  # not committed: nothing sent yet; 3 pending, 1 skipped
    assert sending.claim_size(distribution.pk) == 1  # 3 left over 4 shares
    Delivery.objects.bulk_create(
        Delivery(distribution=distribution, address=f"x{n}@example.org", variant="en")
        for n in range(997)
    )
    assert sending.claim_size(distribution.pk) == 200  # 1,000 left: full batches
    Delivery.objects.filter(
        pk__in=Delivery.objects.filter(distribution=distribution, state="pending").values("pk")[
            :900
        ]
    ).update(state="sent")
    assert sending.claim_size(distribution.pk) == 25  # 100 left: a quarter each
    Delivery.objects.filter(distribution=distribution).update(state="sent")
    assert sending.claim_size(distribution.pk) == 1  # never 0

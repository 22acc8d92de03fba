"""The rules of a distribution: who may send what to whom, and when.

The API, the desk and the periodic task call these. Sending itself is distribution/sending.py.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from accounts.policy import require
from config.errors import RuleBroken
from contacts.models import MediaList, Segment
from contacts.segments import segments_by_slug
from distribution import messages, recipients
from distribution.models import Delivery, Distribution
from distribution.signals import distribution_finished
from publishing.visibility import is_public, published_under_embargo
from statements.models import Statement, StatementEvent


def _require_publisher(user) -> None:
    require(user, "sends.start")  # accounts/policy.py decides


def embargo_refusals(*, media_lists: list[MediaList], segments: list[Segment] = ()) -> list[str]:
    """The one embargo rule for an audience: which of its lists and segments may not receive
    a statement under embargo. A list may when it is marked embargo_trusted; a segment may
    only when it selects embargo-trusted contacts alone (its filter says embargo_trusted
    yes), so every contact it yields, now or later, is personally trusted."""
    untrusted = [m.slug for m in media_lists if not m.embargo_trusted]
    untrusted += [f"segment {s.slug}" for s in segments if s.embargo_trusted is not True]
    return untrusted


def check_sendable(
    *,
    statement: Statement,
    kind: str,
    media_lists: list[MediaList],
    segments: list[Segment] = (),
    now: datetime.datetime | None = None,
) -> None:
    """Raise RuleBroken saying why this statement may not go to these lists and segments now."""
    now = now or timezone.now()
    if kind == Distribution.Kind.RETRACTION:
        if statement.state != Statement.State.RETRACTED:
            raise RuleBroken(
                "Only a retracted statement can be sent as a retraction.", state=statement.state
            )
        return
    if kind == Distribution.Kind.CORRECTION and statement.state != Statement.State.CORRECTED:
        raise RuleBroken(
            "Only a corrected statement can be sent as a correction.", state=statement.state
        )
    if kind == Distribution.Kind.RELEASE and not media_lists and not segments:
        raise RuleBroken("Choose at least one media list or segment.")
    if is_public(statement, now):
        return
    if published_under_embargo(statement, now):
        untrusted = embargo_refusals(media_lists=media_lists, segments=segments)
        if untrusted:
            raise RuleBroken(
                "This statement is under embargo: it may go only to lists marked for "
                "embargoed material and to segments of embargo-trusted contacts only, and "
                f"these are not: {', '.join(untrusted)}.",
                untrusted_lists=untrusted,
            )
        return
    raise RuleBroken(
        f"This statement is not published (state: {statement.state}); only a public "
        "statement, or an embargoed one to trusted lists, can be sent.",
        state=statement.state,
    )


def _lists(slugs: list[str]) -> list[MediaList]:
    found = {m.slug: m for m in MediaList.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise RuleBroken(f"Unknown media list(s): {', '.join(missing)}.", lists=missing)
    return [found[s] for s in dict.fromkeys(slugs)]


def recipient_preview(
    *,
    statement: Statement,
    media_list_slugs: list[str],
    kind: str = Distribution.Kind.RELEASE,
    segment_slugs: list[str] = (),
) -> dict:
    """What a send would do, for the desk's confirmation step: counts by language variant."""
    lists = _lists(media_list_slugs) if media_list_slugs else []
    segments = segments_by_slug(list(segment_slugs)) if segment_slugs else []
    return recipients.preview(
        statement=statement,
        contacts=recipients.audience(
            statement=statement, kind=kind, media_lists=lists, segments=segments
        ),
        embargoed=kind == Distribution.Kind.RELEASE and published_under_embargo(statement),
    )


def distribution_start(
    *,
    statement_id: int,
    media_list_slugs: list[str],
    by,
    kind: str = Distribution.Kind.RELEASE,
    send_at: datetime.datetime | None = None,
    segment_slugs: list[str] = (),
) -> Distribution:
    """Check the rules, snapshot the recipients, and queue the send (now or at send_at).
    A segment's contacts are frozen here, with the lists': one added to it later, or
    matching it later, does not get this send."""
    _require_publisher(by)
    if kind not in Distribution.Kind.values:
        raise RuleBroken(f"Unknown kind {kind!r}; one of {', '.join(Distribution.Kind.values)}.")
    now = timezone.now()
    with transaction.atomic():
        try:
            statement = Statement.objects.select_for_update().get(pk=statement_id)
        except Statement.DoesNotExist as err:
            raise RuleBroken(f"No statement {statement_id}.") from err
        lists = _lists(media_list_slugs or [])
        segments = segments_by_slug(list(segment_slugs or []))
        check_sendable(
            statement=statement, kind=kind, media_lists=lists, segments=segments, now=now
        )
        later = send_at is not None and send_at > now
        distribution = Distribution.objects.create(
            statement=statement,
            kind=kind,
            created_by=by,
            send_at=send_at if later else now,
            state=Distribution.State.QUEUED if later else Distribution.State.SENDING,
            started_at=None if later else now,
        )
        distribution.media_lists.set(lists)
        distribution.segments.set(segments)
        count = recipients.snapshot(
            distribution,
            recipients.audience(
                statement=statement, kind=kind, media_lists=lists, segments=segments
            ),
        )
        if not later:
            _finish_if_empty(distribution)
        if not later:
            _kick_on_commit(distribution.pk)
    distribution.recipient_count = count
    return distribution


def _kick_on_commit(distribution_id: int) -> None:
    from distribution import tasks

    transaction.on_commit(lambda: tasks.kick(distribution_id))


def _finish_if_empty(distribution: Distribution) -> None:
    if not distribution.deliveries.filter(
        state__in=[Delivery.State.PENDING, Delivery.State.SENDING]
    ).exists():
        finished = Distribution.objects.filter(
            pk=distribution.pk, state=Distribution.State.SENDING
        ).update(state=Distribution.State.DONE, finished_at=timezone.now())
        if finished:
            distribution_finished.send(sender=Distribution, distribution_id=distribution.pk)


def _locked(distribution_id: int) -> Distribution:
    try:
        return Distribution.objects.select_for_update().get(pk=distribution_id)
    except Distribution.DoesNotExist as err:
        raise RuleBroken(f"No distribution {distribution_id}.") from err


def distribution_pause(*, distribution_id: int, by) -> Distribution:
    _require_publisher(by)
    with transaction.atomic():
        distribution = _locked(distribution_id)
        if distribution.state not in Distribution.ACTIVE_STATES:
            raise RuleBroken(
                f"Only a queued or sending distribution can be paused "
                f"(this one is {distribution.state})."
            )
        distribution.state = Distribution.State.PAUSED
        distribution.save(update_fields=["state"])
    return distribution


def distribution_resume(*, distribution_id: int, by) -> Distribution:
    _require_publisher(by)
    with transaction.atomic():
        distribution = _locked(distribution_id)
        if distribution.state != Distribution.State.PAUSED:
            raise RuleBroken(
                f"Only a paused distribution can be resumed (this one is {distribution.state})."
            )
        now = timezone.now()
        if distribution.started_at is None and distribution.send_at > now:
            distribution.state = Distribution.State.QUEUED
        else:
            # Re-check: the statement may have been retracted, or its lists changed, meanwhile.
            check_sendable(
                statement=distribution.statement,
                kind=distribution.kind,
                media_lists=list(distribution.media_lists.all()),
                segments=list(distribution.segments.all()),
                now=now,
            )
            distribution.state = Distribution.State.SENDING
            distribution.started_at = distribution.started_at or now
            _kick_on_commit(distribution.pk)
        distribution.save(update_fields=["state", "started_at"])
    return distribution


def distribution_cancel(*, distribution_id: int, by) -> Distribution:
    """Stop for good. Messages already accepted by the mail server stay sent."""
    _require_publisher(by)
    with transaction.atomic():
        distribution = _locked(distribution_id)
        if distribution.state in (Distribution.State.DONE, Distribution.State.CANCELLED):
            raise RuleBroken(f"This distribution is already {distribution.state}.")
        distribution.state = Distribution.State.CANCELLED
        distribution.cancel_reason = Distribution.CancelReason.CANCELLED
        distribution.finished_at = timezone.now()
        distribution.needs_confirmation = False
        distribution.save(
            update_fields=["state", "cancel_reason", "finished_at", "needs_confirmation"]
        )
        # Messages in flight (state sending) are settled by their worker, or by the tick
        # when the lease runs out.
        distribution.deliveries.filter(state=Delivery.State.PENDING).update(
            state=Delivery.State.SKIPPED, skip_reason="cancelled", next_attempt_at=None
        )
    return distribution


def distributions_stop_for_retraction(*, statement_id: int) -> int:
    """A retracted statement reaches nobody more: its sends that are queued, sending or paused
    are cancelled and every pending delivery is skipped with reason "retracted". A worker in
    the middle of a batch sees it before its next message or so (sending.py) and skips the
    rest of its claim the same way. A retraction notice (kind retraction) is not stopped.

    Called after the retraction commits (the release_changed receiver, distribution/apps.py),
    by the first worker to notice, and by the periodic tick; idempotent. Returns how many
    sends it stopped."""
    with transaction.atomic():
        retracted = Statement.objects.filter(
            pk=statement_id, state=Statement.State.RETRACTED
        ).exists()
        if not retracted:
            return 0
        ids = list(
            Distribution.objects.select_for_update()
            .filter(statement_id=statement_id, state__in=Distribution.UNFINISHED_STATES)
            .exclude(kind=Distribution.Kind.RETRACTION)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Distribution.objects.filter(pk__in=ids).update(
            state=Distribution.State.CANCELLED,
            cancel_reason=Distribution.CancelReason.RETRACTED,
            finished_at=timezone.now(),
            needs_confirmation=False,
        )
        Delivery.objects.filter(distribution_id__in=ids, state=Delivery.State.PENDING).update(
            state=Delivery.State.SKIPPED,
            skip_reason=Distribution.CancelReason.RETRACTED,
            next_attempt_at=None,
        )
    return len(ids)


def distribution_confirm_late(*, distribution_id: int, by) -> Distribution:
    """A person decides that a send which missed its time may go now."""
    _require_publisher(by)
    with transaction.atomic():
        distribution = _locked(distribution_id)
        if not distribution.needs_confirmation:
            raise RuleBroken("This distribution is not waiting for confirmation.")
        now = timezone.now()
        check_sendable(
            statement=distribution.statement,
            kind=distribution.kind,
            media_lists=list(distribution.media_lists.all()),
            segments=list(distribution.segments.all()),
            now=now,
        )
        distribution.needs_confirmation = False
        distribution.hold_reason = ""
        distribution.confirmed_by = by
        distribution.state = Distribution.State.SENDING
        distribution.started_at = now
        distribution.save()
        _kick_on_commit(distribution.pk)
    return distribution


def distribution_start_due(*, distribution_id: int, now: datetime.datetime | None = None) -> bool:
    """Called by the periodic task for a queued send whose time came. True if it started."""
    now = now or timezone.now()
    with transaction.atomic():
        distribution = _locked(distribution_id)
        if (
            distribution.state != Distribution.State.QUEUED
            or distribution.needs_confirmation
            or distribution.send_at > now
        ):
            return False
        late = now - distribution.send_at
        if late > settings.DISTRIBUTION_LATE_AFTER:
            distribution.needs_confirmation = True
            distribution.hold_reason = (
                f"Its time passed {int(late.total_seconds() // 60)} minutes ago while the "
                "system was not running; sending late can break an embargo agreement."
            )
            distribution.save(update_fields=["needs_confirmation", "hold_reason"])
            return False
        try:
            check_sendable(
                statement=distribution.statement,
                kind=distribution.kind,
                media_lists=list(distribution.media_lists.all()),
                segments=list(distribution.segments.all()),
                now=now,
            )
        except RuleBroken as err:
            distribution.needs_confirmation = True
            distribution.hold_reason = err.message
            distribution.save(update_fields=["needs_confirmation", "hold_reason"])
            return False
        distribution.state = Distribution.State.SENDING
        distribution.started_at = now
        distribution.save(update_fields=["state", "started_at"])
        _kick_on_commit(distribution.pk)
    return True


def distribution_counts(*, distribution: Distribution) -> dict[str, int]:
    counts = dict.fromkeys(Delivery.State.values, 0)
    for row in distribution.deliveries.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


# --- The desk's preview and test send ---------------------------------------------------

# Stands for "some list trusted with embargoed material" when asking which kinds of send a
# statement allows at all, before any list is chosen.
_ANY_TRUSTED_LIST = MediaList(slug="any-trusted-list", name="", embargo_trusted=True)
TEST_SEND_ACTION = "test_send"
PREVIEW_HEADERS = ("From", "To", "Reply-To", "List-Unsubscribe", "Content-Language")


def sendable_kinds(*, statement: Statement, now: datetime.datetime | None = None) -> list[str]:
    """The kinds of send (release, correction, retraction) this statement allows now, to
    suitable lists: the desk offers "Send this release" only when there is one."""
    kinds = []
    for kind in Distribution.Kind.values:
        try:
            check_sendable(statement=statement, kind=kind, media_lists=[_ANY_TRUSTED_LIST], now=now)
        except RuleBroken:
            continue
        kinds.append(kind)
    return kinds


def _check_variant(variant: str) -> list[str]:
    from config.languages import language_codes

    codes = variant.split(messages.VARIANT_SEPARATOR)
    if not variant or any(code not in language_codes() for code in codes):
        raise RuleBroken(
            gettext("Unknown language version %(variant)s.") % {"variant": variant},
            variant=variant,
        )
    return codes


def _check_previewable(statement: Statement, kind: str, variant: str) -> None:
    if kind not in Distribution.Kind.values:
        raise RuleBroken(f"Unknown kind {kind!r}; one of {', '.join(Distribution.Kind.values)}.")
    _check_variant(variant)
    check_sendable(statement=statement, kind=kind, media_lists=[_ANY_TRUSTED_LIST])


def message_preview(*, statement: Statement, kind: str, variant: str) -> dict:
    """One language version of a send as its recipients get it, read back from the message's
    own bytes (messages.preview_message builds it as a real send does): subject, the headers
    that matter, the plain-text and HTML parts."""
    _check_previewable(statement, kind, variant)
    message = messages.preview_message(statement=statement, variant=variant, kind=kind)
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return {
        "variant": variant,
        "languages": variant.split(messages.VARIANT_SEPARATOR),
        # As a mail client shows them: decoded, without the folding's leading space.
        "subject": str(parsed["Subject"] or "").strip(),
        "headers": [(name, str(parsed[name] or "").strip()) for name in PREVIEW_HEADERS],
        "text": text.get_content() if text is not None else "",
        "html": html_part.get_content() if html_part is not None else "",
    }


def test_sends_left(*, by, now: datetime.datetime | None = None) -> int:
    """The one rate rule for test sends: DISTRIBUTION_TEST_SENDS_PER_HOUR per person in any
    hour, counted from the audit log, so it holds across workers and restarts."""
    now = now or timezone.now()
    limit = settings.DISTRIBUTION_TEST_SENDS_PER_HOUR
    used = StatementEvent.objects.filter(
        actor=by, action=TEST_SEND_ACTION, created_at__gt=now - datetime.timedelta(hours=1)
    ).count()
    return max(limit - used, 0)


def distribution_test_send(*, statement_id: int, kind: str, variant: str, by) -> str:
    """Send one language version to the caller's own address, through the same mail backend
    as real sends, with "[TEST]" before the subject. Recorded in the statement's history (no
    delivery: it counts toward nothing). Returns the address it went to."""
    _require_publisher(by)
    address = (getattr(by, "email", "") or "").strip()
    if not address:
        raise RuleBroken(
            gettext(
                "Your account has no email address, so a test cannot be sent to you. "
                "Ask an admin to add one."
            )
        )
    with transaction.atomic():
        # One person's test sends one at a time, so two clicks cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=by.pk).first()
        try:
            statement = Statement.objects.get(pk=statement_id)
        except Statement.DoesNotExist as err:
            raise RuleBroken(f"No statement {statement_id}.") from err
        _check_previewable(statement, kind, variant)
        if test_sends_left(by=by) <= 0:
            raise RuleBroken(
                gettext(
                    "You have sent as many tests as allowed in an hour (%(limit)s). "
                    "Try again later."
                )
                % {"limit": settings.DISTRIBUTION_TEST_SENDS_PER_HOUR}
            )
        event = StatementEvent.record(
            statement, by=by, action=TEST_SEND_ACTION, kind=kind, variant=variant, sent=False
        )
    message = messages.preview_message(
        statement=statement, variant=variant, kind=kind, address=address
    )
    message.subject = f"[TEST] {message.subject}"
    message.extra_headers["Message-ID"] = (
        f"<pressroom.test.{uuid.uuid4().hex}@{messages.message_domain()}>"
    )
    try:
        get_connection(fail_silently=False).send_messages([message])
    except Exception as err:  # the mail server's answer is the message worth showing
        raise RuleBroken(
            gettext("The mail server did not take the test: %(error)s") % {"error": err}
        ) from err
    StatementEvent.objects.filter(pk=event.pk).update(data={**event.data, "sent": True})
    return address

"""Telegram posts: which rows a release change calls for, claiming and sending them, the
sweep that recovers from dead workers, and the desk's resolutions.

At most once, never twice: a post is claimed with a lease and a claim token; just before each
request to Telegram the row records request_started_at (committed), and clears it with the
answer. If the lease runs out with request_started_at set, the worker died (or hung) while
Telegram was being asked: Telegram may or may not have posted, and it offers no idempotency key
to ask again safely. Such a row becomes "uncertain" and the desk asks a person to look at the
channel ("it was posted" / "post again"). A lease that runs out before any request left is
simply handed back. A duplicate in a public channel (a second copy of a statement, or of its
retraction) would confuse readers who are told to trust only the organisation's posts; a
missing post is visible in the desk and fixed with one click.

Mirrors are in channels/mirrors.py; both are queued from on_release_changed.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.policy import require
from channels import telegram
from channels.config import telegram_channels
from channels.models import TelegramPost
from config.errors import RuleBroken
from publishing.rendering import page_path, truncate
from publishing.visibility import (
    is_public,
    is_tombstone,
    readable_languages,
    with_release_data,
)
from statements.models import Statement

log = logging.getLogger(__name__)
State, Kind = TelegramPost.State, TelegramPost.Kind

SUMMARY_LIMIT = 700  # characters; a message may hold 4096, a reader on a phone wants less
CAPTION_LIMIT = 900  # Telegram's caption limit is 1024 characters after entities are parsed
RETRACTED = "retracted"


# --- which posts a release calls for ------------------------------------------------------


def release_version(statement: Statement) -> tuple[str, str] | None:
    """(version key, kind) of what readers see now: "published", "correction-N" or
    "retracted"; None while nothing is public (draft, embargo running)."""
    if is_public(statement):
        last = statement.corrections.order_by("-number").first()
        if last is not None:
            return f"correction-{last.number}", Kind.CORRECTION
        return "published", Kind.RELEASE
    if is_tombstone(statement):
        return RETRACTED, Kind.RETRACTION
    return None


def posts_for_release(*, statement_id: int) -> list[TelegramPost]:
    """Write the rows the release's current version calls for, one per channel whose language
    readers may read it in (idempotent: the unique constraint keeps one row per version).
    A retraction goes to the channels that carried the release, and stops its posts not yet
    sent; a correction makes the older versions not yet sent unnecessary."""
    channels = telegram_channels()
    if not channels:
        return []
    statement = Statement.objects.filter(pk=statement_id).prefetch_related("translations").first()
    if statement is None:
        return []
    found = release_version(statement)
    if found is None:
        return []
    version, kind = found
    readable = set(readable_languages(statement))
    if kind == Kind.RETRACTION:
        retracted = gettext_noop("The release was retracted.")
        posts_cancel_outdated(statement_id=statement_id, reason=retracted)
        carried = set(
            TelegramPost.objects.filter(
                statement_id=statement_id,
                state__in=[State.SENT, State.UNCERTAIN, State.SENDING],
            ).values_list("channel", flat=True)
        )
        wanted = [c for c in channels if c.chat in carried]
    else:
        wanted = [c for c in channels if c.language in readable]
    made = []
    for channel in wanted:
        try:
            with transaction.atomic():
                post, created = TelegramPost.objects.get_or_create(
                    statement_id=statement_id,
                    channel=channel.chat,
                    version=version,
                    defaults={"language": channel.language, "kind": kind},
                )
        except IntegrityError:  # another worker wrote it between the read and the write
            continue
        if created:
            made.append(post)
    return made


def posts_cancel_outdated(*, statement_id: int, reason: str) -> int:
    """Stop the waiting posts of a release that must not go out any more."""
    return (
        TelegramPost.objects.filter(statement_id=statement_id, state=State.PENDING)
        .exclude(version=RETRACTED)
        .update(state=State.CANCELLED, last_error=reason[:500], updated_at=timezone.now())
    )


def on_release_changed(*, statement_id: int, action: str = "") -> None:
    """The release_changed receiver: posts and mirror pushes, queued after commit."""
    from channels import mirrors, tasks

    posts = posts_for_release(statement_id=statement_id)
    pushes = mirrors.pushes_request(reason=action or "changed")
    transaction.on_commit(lambda: tasks.queue_posts([p.pk for p in posts]))
    if pushes:
        transaction.on_commit(tasks.queue_mirrors)


# --- the message ----------------------------------------------------------------------------


def _page_url(statement: Statement, language: str) -> str:
    return settings.SITE_URL + page_path(statement.slug, language)


def render_post(statement: Statement, post: TelegramPost) -> tuple[str, str]:
    """(message HTML, document caption HTML) in the channel's language. Only Telegram's small
    HTML set is used (b, a); every text is escaped."""
    language = post.language
    tr = statement.translation(language)
    title = tr.title if tr else statement.slug
    url = _page_url(statement, language)
    with translation.override(language):
        lines: list[str] = []
        if post.kind == Kind.RETRACTION:
            lines.append(f"<b>{escape(_('Retracted'))}:</b> {escape(title)}")
            if statement.retraction_reason:
                lines.append(escape(truncate(statement.retraction_reason, SUMMARY_LIMIT)))
            lines.append(
                escape(_("We have withdrawn this statement. Please do not share it any more."))
            )
        else:
            if post.kind == Kind.CORRECTION:
                last = statement.corrections.order_by("-number").first()
                note = last.note_in(language) if last else ""
                lines.append(f"<b>{escape(_('Correction'))}:</b> {escape(note)}".rstrip(": "))
            lines.append(f"<b>{escape(title)}</b>")
            if tr and tr.summary:
                lines.append(escape(truncate(tr.summary, SUMMARY_LIMIT)))
        lines.append(f'<a href="{escape(url)}">{escape(_("Read the statement"))}</a>')
        caption = escape(truncate(f"{title} (PDF)", CAPTION_LIMIT))
    return "\n\n".join(lines), caption


def _pdf(statement: Statement, language: str) -> tuple[str, bytes]:
    from publishing.pdf import ensure_pdf

    release = with_release_data(Statement.objects.filter(pk=statement.pk)).get()
    path = ensure_pdf(release, language)
    return f"{statement.slug}.{language}.pdf", path.read_bytes()


# --- claiming and sending -----------------------------------------------------------------


@dataclass
class PostResult:
    state: str | None  # None: not claimed (someone else has it, or not due)
    next_due: datetime.datetime | None = None


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TELEGRAM_LEASE_SECONDS)


def post_claim(post_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Take a due post for this worker: one UPDATE decides between workers."""
    now = now or timezone.now()
    claim = secrets.token_hex(16)
    taken = TelegramPost.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=post_id,
        state=State.PENDING,
    ).update(
        state=State.SENDING,
        claim=claim,
        lease_expires_at=now + _lease(),
        updated_at=now,
    )
    return claim if taken else None


def _mine(post_id: int, claim: str):
    return TelegramPost.objects.filter(pk=post_id, state=State.SENDING, claim=claim)


def _still_wanted(statement: Statement, post: TelegramPost) -> str | None:
    """Why this post must not go out now (checked after the claim, before each request).
    Reasons kept on the row are stored in English and translated where shown."""
    current = release_version(statement)
    if post.kind == Kind.RETRACTION:
        return None if current and current[0] == RETRACTED else gettext_noop("No longer retracted.")
    if current is None or current[0] == RETRACTED:
        return gettext_noop("The release is no longer public.")
    if current[0] != post.version:
        return gettext_noop("A newer version of the release replaced it.")
    if post.language not in readable_languages(statement):
        return gettext_noop("The release is no longer readable in this language.")
    return None


def _backoff(attempts: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return max(retry_after, 1.0)
    base = settings.TELEGRAM_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return min(base, settings.TELEGRAM_RETRY_MAX_SECONDS)


def post_work(*, post_id: int) -> PostResult:
    """Claim one post and send it: the message, then (not for a retraction) the PDF."""
    claim = post_claim(post_id)
    if claim is None:
        return PostResult(state=None)
    post = TelegramPost.objects.select_related("statement").get(pk=post_id)
    statement = Statement.objects.prefetch_related("translations").get(pk=post.statement_id)
    steps = []
    if post.message_id is None:
        steps.append("message")
    if post.kind != Kind.RETRACTION and post.document_message_id is None:
        steps.append("document")
    for step in steps:
        why_not = _still_wanted(statement, post)
        if why_not:
            _mine(post_id, claim).update(
                state=State.CANCELLED, last_error=why_not, claim="", lease_expires_at=None
            )
            return PostResult(state=State.CANCELLED)
        try:
            if step == "message":
                text, _caption = render_post(statement, post)
                payload = ("message", text)
            else:
                _text, caption = render_post(statement, post)
                filename, data = _pdf(statement, post.language)
                payload = ("document", caption, filename, data)
        except Exception as err:  # a PDF that cannot be made: nothing was sent; try later
            log.exception("telegram post %s: could not prepare the %s", post_id, step)
            return _record_failure(
                post_id, claim, telegram.TelegramError(str(err)[:300], kind=telegram.TEMPORARY)
            )
        now = timezone.now()
        # Committed before the request leaves: the sweep must know a request may be out.
        if not _mine(post_id, claim).update(
            request_started_at=now, lease_expires_at=now + _lease(), attempts=post.attempts + 1
        ):
            return PostResult(state=None)  # the lease was lost to the sweep
        post.attempts += 1
        try:
            if payload[0] == "message":
                sent = telegram.send_message(post.channel, payload[1])
            else:
                sent = telegram.send_document(post.channel, payload[2], payload[3], payload[1])
        except telegram.TelegramError as err:
            return _record_failure(post_id, claim, err)
        field = "message_id" if step == "message" else "document_message_id"
        setattr(post, field, sent.message_id)
        _mine(post_id, claim).update(
            **{field: sent.message_id}, request_started_at=None, last_error=""
        )
    now = timezone.now()
    _mine(post_id, claim).update(
        state=State.SENT, sent_at=now, claim="", lease_expires_at=None, request_started_at=None
    )
    return PostResult(state=State.SENT)


def _record_failure(post_id: int, claim: str, err: telegram.TelegramError) -> PostResult:
    now = timezone.now()
    post = TelegramPost.objects.get(pk=post_id)
    message = str(err)[:500]
    if err.kind == telegram.UNCERTAIN:
        _mine(post_id, claim).update(
            state=State.UNCERTAIN, last_error=message, claim="", lease_expires_at=None
        )
        log.warning("telegram post %s: %s", post_id, message)
        return PostResult(state=State.UNCERTAIN)
    if err.kind == telegram.PERMANENT or post.attempts >= settings.TELEGRAM_MAX_ATTEMPTS:
        _mine(post_id, claim).update(
            state=State.FAILED,
            last_error=message,
            claim="",
            lease_expires_at=None,
            request_started_at=None,
        )
        log.warning("telegram post %s failed: %s", post_id, message)
        return PostResult(state=State.FAILED)
    due = now + datetime.timedelta(seconds=_backoff(post.attempts, err.retry_after))
    _mine(post_id, claim).update(
        state=State.PENDING,
        next_attempt_at=due,
        last_error=message,
        claim="",
        lease_expires_at=None,
        request_started_at=None,
    )
    return PostResult(state=State.PENDING, next_due=due)


def posts_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Expired leases: handed back when no request had left, else "uncertain". Returns the
    ids of the posts now due (for the caller to queue)."""
    now = now or timezone.now()
    expired = TelegramPost.objects.filter(state=State.SENDING, lease_expires_at__lt=now)
    expired.filter(request_started_at__isnull=True).update(
        state=State.PENDING, claim="", lease_expires_at=None, updated_at=now
    )
    uncertain = expired.filter(request_started_at__isnull=False).update(
        state=State.UNCERTAIN,
        claim="",
        lease_expires_at=None,
        last_error=gettext_noop(
            "The worker stopped while Telegram was being asked: look at the channel, then "
            "say whether it was posted."
        ),
        updated_at=now,
    )
    if uncertain:
        log.warning("telegram: %s post(s) uncertain after a worker stopped", uncertain)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return list(
        TelegramPost.objects.filter(due, state=State.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )


def posts_catch_up(*, now: datetime.datetime | None = None) -> list[TelegramPost]:
    """Rows for releases changed in the last hour whose signal was lost (a crash between
    commit and the after-commit hook)."""
    if not telegram_channels():
        return []
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=1)
    recent = Statement.objects.filter(
        Q(published_at__gte=since, published_at__lte=now)
        | Q(corrected_at__gte=since)
        | Q(retracted_at__gte=since)
        | Q(embargo_until__gte=since, embargo_until__lte=now)
    ).values_list("pk", flat=True)
    made = []
    for statement_id in recent:
        made += posts_for_release(statement_id=statement_id)
    return made


# --- the desk's resolutions ---------------------------------------------------------------


def _locked(post_id: int) -> TelegramPost:
    try:
        return TelegramPost.objects.select_for_update().get(pk=post_id)
    except TelegramPost.DoesNotExist as err:
        raise RuleBroken(_("No such post.")) from err


def post_retry(*, post_id: int, by) -> TelegramPost:
    """A person asks for a failed or uncertain post to be sent (again): after looking at an
    uncertain one's channel and seeing it is not there."""
    require(by, "channels.manage")
    with transaction.atomic():
        post = _locked(post_id)
        if post.state not in (State.FAILED, State.UNCERTAIN):
            raise RuleBroken(_("Only a failed post, or one not known to be posted, is retried."))
        statement = Statement.objects.prefetch_related("translations").get(pk=post.statement_id)
        why_not = _still_wanted(statement, post)
        if why_not:
            raise RuleBroken(_(why_not))
        post.state, post.attempts, post.next_attempt_at = State.PENDING, 0, None
        post.request_started_at, post.resolved_by = None, by
        post.last_error = ""
        post.save()
    from channels import tasks

    transaction.on_commit(lambda: tasks.queue_posts([post.pk]))
    return post


def post_mark_posted(*, post_id: int, by) -> TelegramPost:
    """A person saw an uncertain post in its channel: record it as posted."""
    require(by, "channels.manage")
    with transaction.atomic():
        post = _locked(post_id)
        if post.state != State.UNCERTAIN:
            raise RuleBroken(_("Only a post not known to be posted can be marked as posted."))
        post.state, post.sent_at, post.resolved_by = State.SENT, timezone.now(), by
        post.request_started_at = None
        post.last_error = gettext_noop("Marked as posted by a person.")
        post.save()
    return post

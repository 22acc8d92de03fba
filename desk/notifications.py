"""Staff notifications: who is told of what, the inbox, and the emails.

Events come from two signals sent inside the transaction that makes them
(statements.signals.statement_transitioned, distribution.signals.distribution_finished): the
Notification rows are written in that transaction, so an event and its notifications commit
together. Each row that should be emailed is an outbox entry: a task queued after commit claims
it with a lease (one UPDATE ... WHERE not emailed and the lease expired: two workers never both
get it), sends it through Django's email backend (EMAIL_URL, as releases are), and marks it
emailed once the server accepted it. A temporary failure sets the next attempt; the periodic
sweep (beat) sends whatever is due, so a lost task or a dead worker loses nothing.

Who is told (CONTRACT.md "Staff notifications"); nobody is told of their own action:
- review requested: everyone who may review it, minus those four eyes keeps from approving it
  (statements.transitions.four_eyes decides: its author and who edited it since approval);
- changes requested: its author and who edited it since its last approval;
- approved and ready to publish, scheduled publication overdue: every publisher;
- send finished or failed: whoever started the send, else every publisher;
- embargo lifted: every publisher and the author.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from config.errors import RuleBroken
from config.languages import language_codes
from desk.models import Notification, NotificationPreferences
from distribution.models import Delivery, Distribution
from distribution.sending import classify
from distribution.services import distribution_counts
from statements import transitions
from statements.models import Statement

log = logging.getLogger(__name__)
User = get_user_model()
Kind = Notification.Kind

# A claimed email is the worker's for this long (the SMTP timeout and then some).
EMAIL_LEASE = datetime.timedelta(seconds=max(settings.EMAIL_TIMEOUT * 2, 60))
EMAIL_MAX_ATTEMPTS = 8
EMAIL_RETRY_BASE_SECONDS = 30
EMAIL_RETRY_MAX_SECONDS = 3600
SWEEP_BATCH = 200


@dataclass(frozen=True)
class KindText:
    subject: str  # %(title)s
    headline: str  # %(title)s, %(actor)s


# Subjects keep the words CONTRACT.md promises ("review", "changes", "approved").
TEXTS: dict[str, KindText] = {
    Kind.REVIEW_REQUESTED: KindText(
        gettext_lazy("Please review: %(title)s"),
        gettext_lazy("%(actor)s asks for a review of %(title)s."),
    ),
    Kind.CHANGES_REQUESTED: KindText(
        gettext_lazy("Changes requested: %(title)s"),
        gettext_lazy("%(actor)s asks for changes to %(title)s."),
    ),
    Kind.APPROVED: KindText(
        gettext_lazy("Approved, ready to publish: %(title)s"),
        gettext_lazy("%(title)s is approved and ready to publish."),
    ),
    Kind.PUBLICATION_OVERDUE: KindText(
        gettext_lazy("Scheduled publication overdue: %(title)s"),
        gettext_lazy("%(title)s was not published at its scheduled time."),
    ),
    Kind.SEND_FINISHED: KindText(
        gettext_lazy("Send finished: %(title)s"),
        gettext_lazy("The send of %(title)s has finished."),
    ),
    Kind.SEND_FAILED: KindText(
        gettext_lazy("Send failed for some recipients: %(title)s"),
        gettext_lazy("The send of %(title)s has finished, but some messages failed."),
    ),
    Kind.EMBARGO_LIFTED: KindText(
        gettext_lazy("Embargo lifted: %(title)s"),
        gettext_lazy("The embargo on %(title)s is lifted: the release is public now."),
    ),
}
assert set(TEXTS) == set(Kind.values), "every kind has its texts"

INBOX, EMAIL = "inbox", "email"
# What a person gets until they choose: everything in the inbox; by email everything that
# asks something of them or went wrong. A send that simply finished is in the inbox only
# (its publisher watches it in the desk); anyone may turn its email on.
DEFAULTS: dict[str, dict[str, bool]] = {
    INBOX: dict.fromkeys(Kind.values, True),
    EMAIL: dict.fromkeys(Kind.values, True) | {Kind.SEND_FINISHED: False},
}


# --- who --------------------------------------------------------------------------------------


def _holders(permission: str) -> list:
    """Active users whose role holds `permission` (accounts/roles.py gives roles permissions)."""
    return list(
        User.objects.with_perm(
            permission,
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
    )


def _users(ids: Iterable[int | None]) -> list:
    return list(User.objects.filter(pk__in=[i for i in ids if i], is_active=True))


def _four_eyes_allows(statement: Statement, user) -> bool:
    try:
        transitions.four_eyes(statement, user)
    except RuleBroken:
        return False
    return True


def reviewers_for(statement: Statement) -> list:
    """Who may review `statement` now: the review permission, and four eyes."""
    candidates = _holders(transitions.permission_of("approve"))
    return [user for user in candidates if _four_eyes_allows(statement, user)]


def authors_of(statement: Statement) -> list:
    """Its author and everyone who edited it since its last approval."""
    return _users({statement.created_by_id} | transitions.editors_since_last_approval(statement))


def publishers() -> list:
    return _holders(transitions.permission_of("publish"))


# --- writing notifications ---------------------------------------------------------------------


def _wants(prefs: NotificationPreferences | None, channel: str, kind: str) -> bool:
    chosen = getattr(prefs, channel, None) or {}
    return bool(chosen.get(kind, DEFAULTS[channel][kind]))


def preferences_of(user) -> dict[str, dict[str, bool]]:
    """{channel: {kind: on?}} for every kind, the person's choices over the defaults."""
    prefs = NotificationPreferences.objects.filter(user=user).first()
    return {
        channel: {kind: _wants(prefs, channel, kind) for kind in Kind.values}
        for channel in (INBOX, EMAIL)
    }


def notify(
    kind: str,
    recipients: Iterable,
    *,
    statement: Statement | None = None,
    distribution: Distribution | None = None,
    actor_id: int | None = None,
    message: str = "",
) -> list[Notification]:
    """One row per recipient (never the actor), as each one's preferences say; emails are
    queued after the caller's transaction commits."""
    unique = {user.pk: user for user in recipients if user is not None and user.pk != actor_id}
    if not unique:
        return []
    prefs = {p.user_id: p for p in NotificationPreferences.objects.filter(user_id__in=list(unique))}
    rows = []
    for user in unique.values():
        pref = prefs.get(user.pk)
        in_inbox = _wants(pref, INBOX, kind)
        emailed = bool(user.email) and _wants(pref, EMAIL, kind)
        if not in_inbox and not emailed:
            continue
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                statement=statement,
                distribution=distribution,
                actor_id=actor_id,
                message=message[:2000],
                in_inbox=in_inbox,
                email_state=Notification.Email.PENDING if emailed else Notification.Email.NONE,
            )
        )
    created = Notification.objects.bulk_create(rows)  # ids come back (RETURNING)
    ids = [n.pk for n in created if n.email_state == Notification.Email.PENDING]
    if ids:
        transaction.on_commit(lambda: _queue_emails(ids))
    return created


def _queue_emails(ids: list[int]) -> None:
    from desk import tasks

    for pk in ids:
        try:
            tasks.email_notification.delay(pk)
        except Exception:  # the broker is down: the sweep sends it
            log.warning("notification %s: could not queue its email; the sweep will", pk)


def on_statement_transitioned(
    sender, *, statement_id: int, action: str, by_id: int | None, comment: str = "", **_kw
) -> None:
    """The workflow's signal, inside its transaction."""
    rules = {
        "submit": (Kind.REVIEW_REQUESTED, reviewers_for),
        "returned_to_review": (Kind.REVIEW_REQUESTED, reviewers_for),
        "request_changes": (Kind.CHANGES_REQUESTED, authors_of),
        "approved": (Kind.APPROVED, lambda s: publishers()),
        "overdue": (Kind.PUBLICATION_OVERDUE, lambda s: publishers()),
        "embargo_lifted": (
            Kind.EMBARGO_LIFTED,
            lambda s: publishers() + _users([s.created_by_id]),
        ),
    }
    if action not in rules:
        return
    kind, who = rules[action]
    statement = Statement.objects.get(pk=statement_id)
    notify(kind, who(statement), statement=statement, actor_id=by_id, message=comment)


def on_distribution_finished(sender, *, distribution_id: int, **_kw) -> None:
    """The send's signal, inside the transaction that marks it done."""
    distribution = Distribution.objects.select_related("statement", "created_by").get(
        pk=distribution_id
    )
    counts = distribution_counts(distribution=distribution)
    failed = counts[Delivery.State.FAILED] + counts[Delivery.State.BOUNCED]
    starter = distribution.created_by
    recipients = [starter] if starter is not None and starter.is_active else publishers()
    # The starter is told even though they acted: the send finished long after they did.
    notify(
        Kind.SEND_FAILED if failed else Kind.SEND_FINISHED,
        recipients,
        statement=distribution.statement,
        distribution=distribution,
    )


# --- words -------------------------------------------------------------------------------------


def _title(statement: Statement | None, language: str) -> tuple[str, str]:
    """The statement's title in `language` (else its source language) and that title's
    language, for lang= on Burmese."""
    if statement is None:
        return gettext("a deleted statement"), language
    translation_row = statement.translation(language) or statement.translation(
        statement.source_language
    )
    if translation_row is None:
        return statement.slug, "en"
    return translation_row.title or statement.slug, translation_row.language


def _actor_name(notification: Notification) -> str:
    actor = notification.actor
    if actor is None:
        return gettext("Someone")
    return actor.get_full_name() or actor.username


def subject(notification: Notification) -> str:
    """In the active language."""
    title, _lang = _title(notification.statement, translation.get_language() or "en")
    return str(TEXTS[notification.kind].subject) % {"title": title}


def headline(notification: Notification) -> str:
    title, _lang = _title(notification.statement, translation.get_language() or "en")
    return str(TEXTS[notification.kind].headline) % {
        "title": f"“{title}”",
        "actor": _actor_name(notification),
    }


def headline_html(notification: Notification) -> SafeString:
    """The headline with the title in <span lang=...> (the Myanmar font for Burmese)."""
    title, lang = _title(notification.statement, translation.get_language() or "en")
    span = format_html('“<span lang="{}">{}</span>”', lang, title)
    # Safe: the translated text is escaped; only the escaped title's span is added.
    return mark_safe(  # noqa: S308
        escape(str(TEXTS[notification.kind].headline))
        % {"title": span, "actor": escape(_actor_name(notification))}
    )


def detail(notification: Notification) -> str:
    """A line under the headline: the comment given, or a send's counts as they are now."""
    if notification.distribution_id:
        counts = distribution_counts(distribution=notification.distribution)
        return gettext("Sent: %(sent)d. Failed or bounced: %(failed)d. Skipped: %(skipped)d.") % {
            "sent": counts[Delivery.State.SENT],
            "failed": counts[Delivery.State.FAILED] + counts[Delivery.State.BOUNCED],
            "skipped": counts[Delivery.State.SKIPPED],
        }
    return notification.message


def link(notification: Notification) -> str:
    """Where the notification leads in the desk: the send, else the statement."""
    if notification.distribution_id:
        return reverse("desk-send", args=[notification.distribution_id])
    if notification.statement_id:
        return reverse("desk-statement", args=[notification.statement_id])
    return reverse("desk-inbox")


# --- email -------------------------------------------------------------------------------------


def language_of(user) -> str:
    """The interface language the person chose in the desk, else English."""
    try:
        language = user.interface_preference.language
    except (AttributeError, ObjectDoesNotExist):
        return "en"
    return language if language in language_codes() else "en"


def build_email(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(language_of(user)):
        lang = translation.get_language()
        context = {
            "notification": notification,
            "recipient": user,
            "headline": headline(notification),
            "headline_html": headline_html(notification),
            "kind_label": notification.get_kind_display(),
            "detail": detail(notification),
            "url": settings.SITE_URL + link(notification),
            "settings_url": settings.SITE_URL + reverse("desk-inbox-settings"),
            "language": lang,
        }
        text = render_to_string("emails/notification_body.txt", context)
        html = render_to_string("emails/notification_body.html", context)
        message = EmailMultiAlternatives(
            subject=subject(notification).replace("\n", " ")[:250],
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={
                "Content-Language": lang,
                "Auto-Submitted": "auto-generated",
                "X-Pressroom-Notification": str(notification.pk),
            },
        )
        message.attach_alternative(html, "text/html")
    return message


def _claim(notification_id: int, now: datetime.datetime) -> bool:
    """Take the row for one attempt: one UPDATE decides, so two workers never both send it."""
    return bool(
        Notification.objects.filter(
            pk=notification_id,
            email_state=Notification.Email.PENDING,
            emailed_at__isnull=True,
        )
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lte=now))
        .update(email_claimed_until=now + EMAIL_LEASE, email_attempts=F("email_attempts") + 1)
    )


def _retry_delay(attempts: int) -> datetime.timedelta:
    ceiling = min(EMAIL_RETRY_MAX_SECONDS, EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return datetime.timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311


def email_notification(*, notification_id: int, connection=None) -> str:
    """Email one notification if it is due and nobody else has it. Returns what happened:
    "sent", "retry", "failed", "skipped" (not ours to send now)."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return "skipped"
    notification = Notification.objects.select_related(
        "recipient", "actor", "statement", "distribution"
    ).get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, email_state=Notification.Email.PENDING)
    if not notification.recipient.email or not notification.recipient.is_active:
        mine.update(email_state=Notification.Email.NONE, email_claimed_until=None)
        return "skipped"
    try:
        message = build_email(notification)
        message.connection = connection or get_connection(fail_silently=False)
        message.send()
    except Exception as exc:
        error = classify(exc)
        attempts = notification.email_attempts
        if error.permanent or attempts >= EMAIL_MAX_ATTEMPTS:
            log.error("notification %s: email failed for good: %s", notification_id, error)
            mine.update(
                email_state=Notification.Email.FAILED,
                email_claimed_until=None,
                email_error=str(error)[:400],
            )
            return "failed"
        log.warning("notification %s: email failed, will retry: %s", notification_id, error)
        mine.update(
            email_claimed_until=timezone.now() + _retry_delay(attempts),
            email_error=str(error)[:400],
        )
        return "retry"
    mine.update(
        email_state=Notification.Email.SENT,
        emailed_at=timezone.now(),
        email_claimed_until=None,
        email_error="",
    )
    return "sent"


def emails_due(now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    now = now or timezone.now()
    return list(
        Notification.objects.filter(email_state=Notification.Email.PENDING, emailed_at__isnull=True)
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def sweep_emails() -> dict[str, int]:
    """The periodic task: send every notification email that is due (never queued, its task
    lost, its worker dead, or its retry time come), over one connection."""
    done: dict[str, int] = {}
    ids = emails_due()
    if not ids:
        return done
    connection = get_connection(fail_silently=False)
    try:
        for pk in ids:
            result = email_notification(notification_id=pk, connection=connection)
            done[result] = done.get(result, 0) + 1
    finally:
        try:
            connection.close()
        except Exception:  # a dead connection must not lose the records made
            log.debug("closing the notification SMTP connection failed", exc_info=True)
    return done


# --- the inbox ---------------------------------------------------------------------------------


def inbox_of(user):
    return (
        Notification.objects.filter(recipient=user, in_inbox=True)
        .select_related("actor", "statement", "distribution")
        .prefetch_related("statement__translations")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).count()


def mark_read(*, user, notification_id: int) -> bool:
    """False when there is no such notification of this user's."""
    mine = Notification.objects.filter(pk=notification_id, recipient=user, in_inbox=True)
    if not mine.exists():
        return False
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_save(*, user, inbox: Iterable[str], email: Iterable[str]) -> None:
    """Turn on exactly the kinds given per channel (unknown kinds are ignored); every kind is
    stored, so a later change of the defaults does not change what a person chose."""
    on = {INBOX: set(inbox), EMAIL: set(email)}
    NotificationPreferences.objects.update_or_create(
        user=user,
        defaults={
            channel: {kind: kind in on[channel] for kind in Kind.values}
            for channel in (INBOX, EMAIL)
        },
    )

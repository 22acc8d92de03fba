"""Sending deliveries: claim a batch under a lease, send it over one SMTP connection, record.

At-least-once, with a duplicate only for a message in flight at a crash: a delivery is claimed
(state sending, lease) in a short transaction with SELECT ... FOR UPDATE SKIP LOCKED, marked
sent only after the server accepted it, and handed back by the periodic task if its lease runs
out (the worker died). Nothing depends on Redis keeping a message.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import random
import re
import smtplib
import socket
import time
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from contacts.models import Contact, Suppression, address_hash
from distribution import dkim, leak_refs, messages, smtp_wire
from distribution.models import Delivery, Distribution
from distribution.sent_marks import SentMarks
from distribution.signals import distribution_finished

log = logging.getLogger(__name__)

# How often a worker asks outright whether it may go on (pause, cancel, retraction) while
# sending a batch; between these, each message's sent mark answers it (SentMarks.stop_reason).
_STATE_CHECK_SECONDS = 1.0


@dataclass
class TransportError(Exception):
    """What went wrong with one message, and whether trying again could help."""

    detail: str
    code: int | None = None
    permanent: bool = False
    connection_lost: bool = False

    def __str__(self) -> str:
        return f"{self.code} {self.detail}" if self.code else self.detail


def classify(exc: BaseException) -> TransportError:
    """SMTP 5xx is permanent; 4xx, timeouts and lost connections are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return TransportError(
            text[:400],
            code,
            permanent=bool(code and 500 <= code < 600),
            connection_lost=code == 421,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        code = exc.smtp_code
        lost = code in (421, -1)
        return TransportError(text[:400], code, permanent=500 <= code < 600, connection_lost=lost)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return TransportError(
            f"connection: {type(exc).__name__}: {exc}"[:400], connection_lost=True
        )
    if isinstance(exc, smtplib.SMTPException):
        return TransportError(f"{type(exc).__name__}: {exc}"[:400], connection_lost=True)
    # Our own error building the message (a bad header, say): retrying cannot help.
    return TransportError(f"{type(exc).__name__}: {exc}"[:400], permanent=True)


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, bounded: 50-100% of base * 2^(attempts-1)."""
    ceiling = min(
        settings.DISTRIBUTION_RETRY_MAX_SECONDS,
        settings.DISTRIBUTION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return ceiling * random.uniform(0.5, 1.0)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.DISTRIBUTION_LEASE_SECONDS)


_CLAIM_SQL = """
UPDATE distribution_delivery
   SET state = 'sending', lease_expires_at = %s, attempts = attempts + 1, updated_at = %s
 WHERE id IN (
       SELECT id FROM distribution_delivery
        WHERE distribution_id = %s AND state = 'pending'
          AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
        ORDER BY id
        LIMIT %s
          FOR UPDATE SKIP LOCKED)
RETURNING id, contact_id, address, languages, variant, attempts
"""


def claim_size(distribution_id: int) -> int:
    """Full batches while plenty is left; near the end smaller ones, so that parallel workers
    finish together instead of one sending the last full batch alone."""
    full = settings.DISTRIBUTION_BATCH_SIZE
    shares = 2 * settings.DISTRIBUTION_PARALLEL_TASKS
    # Counting stops at what decides the answer: cheap however large the send.
    left = Delivery.objects.filter(distribution_id=distribution_id, state=Delivery.State.PENDING)[
        : full * shares
    ].count()
    return max(min(full, -(-left // shares)), 1)


def claim_batch(*, distribution_id: int, size: int) -> list[Delivery]:
    """Take up to `size` due deliveries that nobody else holds; concurrent workers skip them."""
    now = timezone.now()
    if db_connection.vendor == "postgresql":
        # One statement, one round trip: SELECT ... FOR UPDATE SKIP LOCKED inside the UPDATE.
        with transaction.atomic(), db_connection.cursor() as cursor:
            # Not waiting for the disk: a claim lost in a PostgreSQL crash is simply pending.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(_CLAIM_SQL, [now + _lease(), now, distribution_id, now, size])
            rows = cursor.fetchall()
        return sorted(
            (
                Delivery(
                    id=pk,
                    distribution_id=distribution_id,
                    contact_id=contact_id,
                    address=address,
                    languages=json.loads(languages) if isinstance(languages, str) else languages,
                    variant=variant,
                    attempts=attempts,
                    state=Delivery.State.SENDING,
                )
                for pk, contact_id, address, languages, variant, attempts in rows
            ),
            key=lambda d: d.pk,
        )
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(distribution_id=distribution_id, state=Delivery.State.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            state=Delivery.State.SENDING,
            lease_expires_at=now + _lease(),
            attempts=F("attempts") + 1,
        )
    return list(Delivery.objects.filter(id__in=ids).order_by("id"))


def _renew_lease(ids: list[int]) -> None:
    Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
        lease_expires_at=timezone.now() + _lease()
    )


def stop_reason(distribution_id: int) -> str | None:
    """None while this distribution may keep sending; else 'paused', 'cancelled' or
    'retracted' (Distribution.stop_reason_sql)."""
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT " + Distribution.stop_reason_sql("%s"), [distribution_id])
        row = cursor.fetchone()
    value = row[0] if row else None
    return Distribution.CancelReason.CANCELLED if value is None else (value or None)


def _stop(distribution: Distribution, ids: list[int], reason: str) -> None:
    """A worker that learns it must stop hands back the rest of its claim: to pending for a
    pause, skipped (with the reason) for a cancel or a retraction."""
    if reason == Distribution.CancelReason.RETRACTED:
        from distribution.services import distributions_stop_for_retraction

        # The receiver of the retraction may not have run yet (or its process died): the
        # first worker to notice stops every send of the statement.
        distributions_stop_for_retraction(statement_id=distribution.statement_id)
    _hand_back(ids, reason="" if reason == "paused" else reason)


def _hand_back(ids: list[int], *, reason: str = "") -> None:
    """Unsent claimed deliveries go back to pending (pause) or are skipped (cancel)."""
    if not ids:
        return
    rows = Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING)
    if reason:
        rows.update(state=Delivery.State.SKIPPED, skip_reason=reason, lease_expires_at=None)
    else:
        rows.update(state=Delivery.State.PENDING, lease_expires_at=None, attempts=F("attempts") - 1)


def ensure_rendered(distribution: Distribution, batch: list[Delivery] | None = None) -> dict:
    """Every variant this distribution needs, rendered once and stored on it."""
    if batch is not None and {d.variant for d in batch} <= set(distribution.rendered):
        return distribution.rendered
    needed = set(distribution.deliveries.values_list("variant", flat=True).distinct())
    if needed <= set(distribution.rendered):
        return distribution.rendered
    with transaction.atomic():
        locked = Distribution.objects.select_for_update().get(pk=distribution.pk)
        rendered = dict(locked.rendered)
        statement = locked.statement
        for variant in sorted(needed - set(rendered)):
            rendered[variant] = messages.render_variant(
                statement=statement, variant=variant, kind=locked.kind
            )
        locked.rendered = rendered
        locked.save(update_fields=["rendered"])
    distribution.rendered = rendered
    return rendered


def _not_deliverable(batch: list[Delivery]) -> dict[int, str]:
    """Re-check at send time: someone may have unsubscribed or bounced since the snapshot."""
    statuses = dict(
        Contact.objects.filter(pk__in=[d.contact_id for d in batch]).values_list("pk", "status")
    )
    hashes = {d.pk: address_hash(d.address) for d in batch}
    suppressed = set(
        Suppression.objects.filter(address_hash__in=hashes.values()).values_list(
            "address_hash", flat=True
        )
    )
    reasons = {}
    for delivery in batch:
        status = statuses.get(delivery.contact_id, Contact.Status.ERASED)
        if status != Contact.Status.ACTIVE:
            reasons[delivery.pk] = status
        elif hashes[delivery.pk] in suppressed:
            reasons[delivery.pk] = "suppressed"
    return reasons


def _plain_text_only(batch: list[Delivery]) -> set[int]:
    """The contacts of this batch who asked for plain text only, as they are now."""
    return set(
        Contact.objects.filter(
            pk__in=[d.contact_id for d in batch], plain_text_only=True
        ).values_list("pk", flat=True)
    )


def without_address(text: str, address: str) -> str:
    """An error as kept on a delivery: servers quote the address ("<a@b> unknown user"), and
    an erased contact's address must not survive in it."""
    if address:
        text = re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE)
    return text[:500]


def _record_failure(delivery: Delivery, error: TransportError) -> None:
    now = timezone.now()
    last_error = without_address(str(error), delivery.address)
    rows = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING)
    if error.permanent or delivery.attempts >= settings.DISTRIBUTION_MAX_ATTEMPTS:
        rows.update(
            state=Delivery.State.FAILED,
            last_error=last_error,
            lease_expires_at=None,
            next_attempt_at=None,
        )
        if error.permanent and error.code in settings.DISTRIBUTION_SUPPRESS_CODES:
            from contacts.services import contact_suppress

            contact_suppress(email=delivery.address, reason=Suppression.Reason.BOUNCED)
        return
    rows.update(
        state=Delivery.State.PENDING,
        last_error=last_error,
        lease_expires_at=None,
        next_attempt_at=now + datetime.timedelta(seconds=retry_delay(delivery.attempts)),
    )


def send_batch(*, distribution: Distribution, batch: list[Delivery], connection=None) -> None:
    """Send a claimed batch over one connection (the caller's, kept open across its batches,
    or one of its own); every delivery ends sent, pending or final."""
    rendered = ensure_rendered(distribution, batch)
    skips = _not_deliverable(batch)
    for reason in set(skips.values()):
        _hand_back([pk for pk, r in skips.items() if r == reason], reason=reason)
    todo = [d for d in batch if d.pk not in skips]
    if not todo:
        return
    if connection is not None:
        _send_all(connection, distribution, todo, rendered)
        return
    with _smtp_connection() as own, _async_commits():
        _send_all(own, distribution, todo, rendered)


@contextlib.contextmanager
def _smtp_connection():
    connection = get_connection(fail_silently=False)
    try:
        yield connection
    finally:
        # Closing a dead connection must not lose the batch's records.
        with contextlib.suppress(Exception):
            connection.close()


def _send_all(connection, distribution: Distribution, todo: list[Delivery], rendered: dict):
    lease_started = checked_at = time.monotonic()
    # Worked out once per batch, not per message: the per-message path is the hot one.
    per_batch = {
        "domain": messages.message_domain(),
        "envelope_from": smtp_wire.envelope_sender(settings.DEFAULT_FROM_EMAIL),
        "fast": _fast_path(connection),
        "plain_text_only": _plain_text_only(todo),
        # Own relay only: a provider (anymail) reports bounces through its webhooks.
        "bounce_domain": "" if _is_provider(connection) else settings.BOUNCE_DOMAIN,
        "return_path": _return_path(),
    }

    def prepare(index: int) -> _Outgoing | None:
        if index >= len(todo):
            return None
        delivery = todo[index]
        return _prepare(distribution, delivery, rendered[delivery.variant], per_batch)

    marks = SentMarks(distribution.pk)
    upcoming = prepare(0)
    try:
        for index in range(len(todo)):
            now_mono = time.monotonic()
            marks.poll()
            reason = marks.stop_reason
            if reason is None and now_mono - checked_at > _STATE_CHECK_SECONDS:
                checked_at = now_mono
                marks.drain()
                reason = marks.stop_reason or stop_reason(distribution.pk)
            if reason is not None:
                marks.drain()
                _stop(distribution, [d.pk for d in todo[index:]], reason)
                return
            if now_mono - lease_started > settings.DISTRIBUTION_LEASE_SECONDS / 2:
                lease_started = now_mono
                marks.drain()
                _renew_lease([d.pk for d in todo[index:]])
            outgoing, upcoming = upcoming, None

            def meanwhile(following: int = index + 1) -> None:
                nonlocal upcoming
                upcoming = prepare(following)

            _send_one(connection, outgoing, per_batch["envelope_from"], marks, meanwhile)
            if upcoming is None:
                meanwhile()
    except BaseException:
        # Leaving early (a time limit, a lost database): what is known is kept, the caller
        # hands back the rest of the claim.
        with contextlib.suppress(Exception):
            marks.drain()
        raise
    marks.drain()


def _fast_path(connection) -> bool:
    """Pre-built bytes go straight to smtplib only with Django's own SMTP backend."""
    return isinstance(connection, SMTPBackend)


def _is_provider(connection) -> bool:
    return type(connection).__module__.startswith("anymail.")


def _return_path():
    from distribution.bounces import return_path  # bounces.py imports this module

    return return_path


@dataclass
class _Outgoing:
    """One delivery's message, ready to go: pre-built bytes, or an EmailMessage for the
    general path, or the error that kept it from being built."""

    delivery: Delivery
    message_id: str
    # The SMTP envelope sender: the per-delivery return path when BOUNCE_DOMAIN is set.
    envelope_from: str = ""
    data: bytes | None = None
    message: object | None = None
    error: Exception | None = None


def _prepare(
    distribution: Distribution, delivery: Delivery, rendered: dict, per_batch: dict
) -> _Outgoing:
    outgoing = _Outgoing(
        delivery,
        messages.make_message_id(
            distribution_id=distribution.pk, delivery_id=delivery.pk, domain=per_batch["domain"]
        ),
    )
    if per_batch["bounce_domain"]:
        outgoing.envelope_from = per_batch["return_path"](delivery.pk, per_batch["bounce_domain"])
    try:
        token = messages.unsubscribe_token(delivery.contact_id)
        # Embargoed: this recipient's leak-tracing reference, in the footer and a header.
        reference = leak_refs.reference_for(delivery.pk) if rendered.get("leak_ref") else ""
        plain_text_only = delivery.contact_id in per_batch["plain_text_only"]
        prebuilt = (
            smtp_wire.template(
                distribution.pk, delivery.variant, rendered, plain_text_only=plain_text_only
            )
            if per_batch["fast"] and smtp_wire.plain_address(delivery.address)
            else None
        )
        if prebuilt is not None:
            # The variant was built once; only To, Message-ID, Date, the token and the
            # reference change. DKIM signs the final bytes (the backend signs the other path).
            outgoing.data = dkim.sign_stuffed(
                prebuilt.fill(
                    address=delivery.address,
                    token=token,
                    message_id=outgoing.message_id,
                    reference=reference,
                )
            )
        else:
            outgoing.message = messages.build_message(
                rendered=rendered,
                address=delivery.address,
                token=token,
                message_id=outgoing.message_id,
                reference=reference,
                plain_text_only=plain_text_only,
            )
            if outgoing.envelope_from:
                # Django's SMTP backend sends from_email as MAIL FROM; the From header stays.
                outgoing.message.extra_headers.setdefault("From", outgoing.message.from_email)
                outgoing.message.from_email = outgoing.envelope_from
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: not a fault of this message
    except Exception as exc:  # a message we cannot build fails its delivery, not the batch
        outgoing.error = exc
    return outgoing


def _send_one(
    connection, outgoing: _Outgoing, envelope_from: str, marks: SentMarks, meanwhile
) -> None:
    """Send one prepared message; `meanwhile` runs while the server takes in its body (the
    next message is prepared then, off the critical path)."""
    delivery = outgoing.delivery
    try:
        if outgoing.error is not None:
            raise outgoing.error
        # One connection per batch: open it once, and again only after it was lost.
        if getattr(connection, "connection", True) is None:
            connection.open()
        if outgoing.data is not None:
            smtp_wire.send_stuffed(
                connection.connection,
                outgoing.envelope_from or envelope_from,
                delivery.address,
                outgoing.data,
                meanwhile=meanwhile,
            )
        else:
            connection.send_messages([outgoing.message])
    except SoftTimeLimitExceeded:
        raise  # not the delivery's failure: the caller gives it back to pending
    except Exception as exc:
        error = classify(exc)
        if error.connection_lost:
            with contextlib.suppress(Exception):  # it is already gone
                connection.close()
        marks.drain()
        _record_failure(delivery, error)
        return
    # An email provider (anymail) gives its own id, which its webhooks will quote.
    status = getattr(outgoing.message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None) if status else None
    marks.mark(delivery.pk, provider_id if provider_id is not None else outgoing.message_id)


@contextlib.contextmanager
def _async_commits():
    """While a batch is sent, do not wait for the disk on each of its many small commits.
    Only a crash of PostgreSQL itself could lose the last fraction of a second of marks, and
    then those messages go out twice: worth it for the throughput. A worker crash loses none.
    """
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def finish_if_done(distribution_id: int) -> bool:
    open_ = Delivery.objects.filter(
        distribution_id=distribution_id,
        state__in=[Delivery.State.PENDING, Delivery.State.SENDING],
    ).exists()
    if open_:
        return False
    with transaction.atomic():
        finished = Distribution.objects.filter(
            pk=distribution_id, state=Distribution.State.SENDING
        ).update(state=Distribution.State.DONE, finished_at=timezone.now())
        if finished:
            distribution_finished.send(sender=Distribution, distribution_id=distribution_id)
    return True


@dataclass
class WorkResult:
    sent_batches: int
    out_of_time: bool
    next_due: datetime.datetime | None


def distribution_work(*, distribution_id: int, budget_seconds: float | None = None) -> WorkResult:
    """Claim and send batches until none is due or the time budget is spent."""
    deadline = time.monotonic() + (budget_seconds or settings.DISTRIBUTION_TASK_BUDGET_SECONDS)
    batches = 0
    batch: list[Delivery] = []
    # One SMTP connection for all the batches of this run (reopened only if it is lost).
    with _smtp_connection() as connection, _async_commits():
        try:
            while True:
                batch = []
                distribution = Distribution.objects.filter(pk=distribution_id).first()
                if (
                    distribution is None
                    or distribution.state != Distribution.State.SENDING
                    or distribution.needs_confirmation
                ):
                    return WorkResult(batches, False, None)
                reason = stop_reason(distribution_id)
                if reason is not None:
                    _stop(distribution, [], reason)
                    return WorkResult(batches, False, None)
                if time.monotonic() > deadline:
                    return WorkResult(batches, True, None)
                size = claim_size(distribution_id)
                batch = claim_batch(distribution_id=distribution_id, size=size)
                if not batch:
                    break
                send_batch(distribution=distribution, batch=batch, connection=connection)
                batches += 1
        except SoftTimeLimitExceeded:
            _release_after_time_limit([d.pk for d in batch])
            return WorkResult(batches, True, None)
    if finish_if_done(distribution_id):
        return WorkResult(batches, False, None)
    next_due = Delivery.objects.filter(
        distribution_id=distribution_id, state=Delivery.State.PENDING
    ).aggregate(at=Min("next_attempt_at"))["at"]
    return WorkResult(batches, False, next_due)


def _release_after_time_limit(ids: list[int]) -> None:
    """Celery's soft time limit struck mid-batch: the delivery in hand and the rest of the
    claim go back to pending (claim released, attempt not counted), to be sent by the next
    task. Whatever the interrupted query left on the database connection, a fresh one is used."""
    if not db_connection.in_atomic_block:
        db_connection.close()
    _hand_back(ids)
    log.warning("distribution: time limit; %d claimed deliveries back to pending", len(ids))


def leases_hand_back(*, now: datetime.datetime | None = None) -> int:
    """Deliveries whose worker died mid-batch go back to pending, or are skipped when their
    send was cancelled (with its reason: cancelled, retracted)."""
    now = now or timezone.now()
    expired = Delivery.objects.filter(state=Delivery.State.SENDING, lease_expires_at__lt=now)
    skipped = 0
    for reason in Distribution.CancelReason.values:
        cancelled = Q(distribution__state=Distribution.State.CANCELLED) & (
            Q(distribution__cancel_reason=reason)
            if reason != Distribution.CancelReason.CANCELLED
            else ~Q(distribution__cancel_reason=Distribution.CancelReason.RETRACTED)
        )
        skipped += expired.filter(cancelled).update(
            state=Delivery.State.SKIPPED, skip_reason=reason, lease_expires_at=None
        )
    returned = expired.update(state=Delivery.State.PENDING, lease_expires_at=None)
    if returned:
        log.warning("distribution: %d expired leases handed back", returned)
    return skipped + returned

"""Thin Celery tasks for staff notifications: take ids, call desk/notifications.py."""

from celery import shared_task

from desk import notifications


@shared_task(name="desk.tasks.email_notification")
def email_notification(notification_id: int) -> str:
    """Queued after the event commits. A failed attempt is retried by the sweep at the time the
    row says (backoff on the row, not in the broker: nothing depends on Redis keeping it)."""
    return notifications.email_notification(notification_id=notification_id)


@shared_task(name="desk.tasks.sweep_notification_emails")
def sweep_notification_emails() -> dict:
    """Every 30 s (beat): every notification email that is due and nobody holds."""
    return notifications.sweep_emails()

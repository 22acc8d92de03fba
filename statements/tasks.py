"""Thin Celery tasks for the workflow: take ids, call the service."""

from celery import shared_task

from statements import workflow


@shared_task(name="statements.tasks.run_due_schedules")
def run_due_schedules() -> dict:
    """Every minute (beat): publish what is due, record lifted embargoes, report the overdue."""
    return workflow.run_due_schedules()

from celery import shared_task

from accounts.audit import Channel, audit_context

from . import reminders


@shared_task(name="reports.send_daily_reminders")
def send_daily_reminders() -> dict:
    """Daily (scheduled in the admin's periodic tasks): the reminders due today, once each."""
    with audit_context(channel=Channel.TASK):
        return reminders.send_due_reminders()

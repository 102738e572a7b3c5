from celery import shared_task

from accounts.audit import Channel, audit_context

from . import jobs, reminders
from .evaluation.tasks import run_monthly_evaluations  # noqa: F401 - registered with the worker


@shared_task(name="reports.send_daily_reminders")
def send_daily_reminders() -> dict:
    """Daily (scheduled in the admin's periodic tasks): the reminders due today, once each."""
    with audit_context(channel=Channel.TASK):
        return reminders.send_due_reminders()


@shared_task(name="reports.run_export_job", acks_late=True)
def run_export_job(job_id: int) -> str:
    """Write one background export (reports.jobs): claimed under a row lock, so a second
    delivery of the same job does nothing."""
    return jobs.run_export_job(job_id)


@shared_task(name="reports.sweep_export_jobs")
def sweep_export_jobs() -> int:
    """Every five minutes: hand again the export jobs whose worker died or that were never
    picked up (the broker was down when they were asked for)."""
    return jobs.sweep_export_jobs()


@shared_task(name="reports.purge_expired_exports")
def purge_expired_exports() -> int:
    """Nightly: delete export files older than EXPORT_RETENTION_DAYS."""
    return jobs.purge_expired_exports()

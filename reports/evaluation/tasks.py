from celery import shared_task

from accounts.audit import Channel, audit_context

from . import services


@shared_task(name="reports.run_monthly_evaluations")
def run_monthly_evaluations():
    """Evaluate last month with every active scheme (scheduled on the 1st, editable in the admin)."""
    with audit_context(channel=Channel.TASK):
        return [run.pk for run in services.run_monthly()]

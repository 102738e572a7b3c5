from celery import shared_task

from accounts.audit import Channel, audit_context

from . import services


@shared_task(name="staff.notify_expiring_qualifications")
def notify_expiring_qualifications() -> int:
    with audit_context(channel=Channel.TASK):
        return services.notify_expiring_qualifications()

from celery import shared_task

from . import services
from .audit import Channel, audit_context


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Daily housekeeping (scheduled in the admin's periodic tasks): drop expired sessions."""
    with audit_context(channel=Channel.TASK):
        return services.clear_expired_sessions()


@shared_task(name="accounts.clear_login_failures")
def clear_login_failures() -> int:
    """Hourly housekeeping: drop failed sign-in counters whose window and lock have run out."""
    with audit_context(channel=Channel.TASK):
        return services.clear_stale_login_failures()


@shared_task(name="accounts.purge_audit_entries")
def purge_audit_entries() -> int:
    """Nightly: delete audit entries older than the retention period (AUDIT_RETENTION_DAYS)."""
    with audit_context(channel=Channel.TASK):
        return services.purge_audit_entries()

from celery import shared_task

from . import services


@shared_task(name="accounts.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Daily housekeeping (scheduled in the admin's periodic tasks): drop expired sessions."""
    return services.clear_expired_sessions()

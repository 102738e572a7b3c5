from django.conf import settings
from django.core.checks import Error, register


@register()
def audit_retention(app_configs, **kwargs):
    """Audit entries are kept at least 180 days (issue 10): refuse a shorter setting at start."""
    from .services import AUDIT_RETENTION_FLOOR_DAYS

    if settings.AUDIT_RETENTION_DAYS < AUDIT_RETENTION_FLOOR_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the minimum is "
                f"{AUDIT_RETENTION_FLOOR_DAYS} days.",
                hint="Raise AUDIT_RETENTION_DAYS; PostgreSQL refuses to delete younger entries anyway.",
                id="accounts.E001",
            )
        ]
    return []

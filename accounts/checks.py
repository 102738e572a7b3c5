"""System checks: the deployment (`manage.py check --deploy`) and the audit retention."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from accounts.pii import configured_secrets
from accounts.services import AUDIT_RETENTION_FLOOR_DAYS

MIN_PII_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_pii_key(app_configs, **kwargs):
    """Production keeps personal data under its own key, never one derived from SECRET_KEY
    (rotating SECRET_KEY would make every stored ID number unreadable)."""
    if settings.DEBUG:
        return []
    secrets = configured_secrets()
    if not secrets:
        return [
            Error(
                "PII_KEY is not set: personal data would be encrypted with a key derived from SECRET_KEY.",
                hint="Set PII_KEY to a long random secret (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'), keep it safe, and never change it except by "
                "the rotation procedure (manage.py rotate_pii_key --help).",
                id="accounts.E001",
            )
        ]
    if len(secrets[0]) < MIN_PII_KEY_LENGTH:
        return [
            Warning(
                f"The first key in PII_KEY is shorter than {MIN_PII_KEY_LENGTH} characters.",
                hint="Rotate to a long random key: PII_KEY=new,old, manage.py rotate_pii_key, PII_KEY=new.",
                id="accounts.W001",
            )
        ]
    return []


@register()
def audit_retention(app_configs, **kwargs):
    """Audit entries are kept at least 180 days (issue 10): refuse a shorter setting at start."""
    if settings.AUDIT_RETENTION_DAYS < AUDIT_RETENTION_FLOOR_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}; the minimum is "
                f"{AUDIT_RETENTION_FLOOR_DAYS} days.",
                hint="Raise AUDIT_RETENTION_DAYS; PostgreSQL refuses to delete younger entries anyway.",
                id="accounts.E002",
            )
        ]
    return []

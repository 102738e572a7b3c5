import datetime as dt

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from accounts.audit import Channel, audit_context


class Command(BaseCommand):
    help = (
        "Delete audit entries older than the retention period (AUDIT_RETENTION_DAYS, at least 180 days); "
        "with --before, only those before that date too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", type=dt.date.fromisoformat, help="YYYY-MM-DD (Beijing time)")

    def handle(self, *args, before, **options):
        cutoff = None
        if before is not None:
            cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
        try:
            with audit_context(channel=Channel.SYSTEM):
                deleted = services.purge_audit_entries(before=cutoff)
        except (ValidationError, ImproperlyConfigured) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"{deleted} audit entries purged.")

from django.core.management.base import BaseCommand, CommandError

from accounts.pii import configured_secrets
from accounts.pii_rotation import RotationError, encrypted_models, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted personal-data column with the newest key in PII_KEY and rebuild "
        "every blind index. Procedure: set PII_KEY=new,old on every process (web, worker, beat) and "
        "restart them; run this command; run it again with --dry-run to see nothing is left; then "
        "set PII_KEY=new. Safe to run again at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (500)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        secrets = configured_secrets()
        if not secrets:
            self.stderr.write(
                self.style.WARNING(
                    "PII_KEY is not set: the key derived from SECRET_KEY is used (a demo or test setup)."
                )
            )
        else:
            self.stdout.write(f"PII_KEY holds {len(secrets)} key(s); the first encrypts and indexes.")
        verb = "would be" if dry_run else "were"
        changed = 0
        for spec in encrypted_models():
            columns = ", ".join(spec.fields)
            indexes = ", ".join(spec.indexes.values()) or "none"
            self.stdout.write(f"{spec.label}: encrypted {columns}; blind indexes {indexes}")
            progress = None
            try:
                for progress in rotate(spec, batch_size=batch_size, dry_run=dry_run):
                    self.stdout.write(
                        f"  {progress.checked}/{progress.total} rows checked, {progress.reencrypted} "
                        f"re-encrypted, {progress.reindexed} re-indexed" + (" (dry run)" if dry_run else "")
                    )
            except RotationError as exc:
                raise CommandError(f"{exc}. Rows before it are done; nothing after it was changed.") from exc
            if progress is None:
                self.stdout.write("  no rows")
            else:
                changed += progress.reencrypted + progress.reindexed
        if changed:
            self.stdout.write(self.style.SUCCESS(f"Done: {changed} row change(s) {verb} made."))
        else:
            self.stdout.write(
                self.style.SUCCESS("Nothing is left under an older key: keys after the first may be dropped.")
            )

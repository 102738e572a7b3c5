from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from regions.imports import import_division_file
from reports.spreadsheets import ImportFailed

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "seed_regions.csv"


class Command(BaseCommand):
    help = "Import administrative divisions from a CSV or xlsx file (columns: code, name). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV or xlsx file; omitted: the demo localities shipped")

    def handle(self, *args, path=None, **options):
        source = Path(path) if path else SEED_FILE
        if not source.exists():
            raise CommandError(_("File not found: %(path)s") % {"path": source})
        with source.open("rb") as fp:
            try:
                result = import_division_file(fp, filename=source.name)
            except ImportFailed as exc:
                raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            _("Divisions: %(changed)d created or changed, %(unchanged)d unchanged.")
            % {"changed": result.changed, "unchanged": result.unchanged}
        )

"""Spreadsheet imports of the regions app: a division list (CSV or xlsx), each division saved
through ``services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reports.spreadsheets.fields import Field, ParsedRow, RowError, SpreadsheetImport
from reports.spreadsheets.reader import run_import

from . import services
from .models import Region, normalise_code


class DivisionImport(SpreadsheetImport):
    """A division list: code and name per row, in any order (parents are loaded first), 12-digit
    statistical codes accepted. Idempotent: rows already present change nothing."""

    fields = [
        Field(
            "code", "区划代码", aliases=("代码", "统计用区划代码", "行政区划代码", "code", "division code")
        ),
        Field("name", "名称", aliases=("区划名称", "行政区划名称", "name")),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pending: dict[str, tuple[str, ParsedRow]] = {}
        self.changed = 0
        self.unchanged = 0

    def save_row(self, row: ParsedRow):
        try:
            code = normalise_code(row.values["code"])
        except ValueError as exc:
            raise ValidationError({"code": _("A division code has 2, 4, 6, 9 or 12 digits.")}) from exc
        name = row.values["name"].strip()
        if code in self.pending and self.pending[code][0] != name:
            first = self.pending[code][1]
            raise ValidationError(
                {
                    "code": _("The code appears again with another name (first on row %(row)s).")
                    % {"row": first.number}
                }
            )
        self.pending[code] = (name, row)
        return code

    def finish(self) -> list[RowError]:
        known = {region.code: region for region in Region.objects.all()}
        errors = []
        for code in sorted(self.pending, key=lambda c: (len(c), c)):
            name, row = self.pending[code]
            try:
                _region, changed = services.upsert_division(code, name, known)
            except ValidationError as exc:
                errors.extend(row.error(message, "code") for message in exc.messages)
                continue
            self.changed += changed
            self.unchanged += not changed
        return errors


def import_division_file(fp, *, filename: str, by=None) -> DivisionImport:
    """Import a CSV or xlsx division list; raises ImportFailed and writes nothing on error."""
    importer = DivisionImport(by=by)
    run_import(fp, importer, filename=filename)
    return importer

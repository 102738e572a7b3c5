"""Spreadsheet imports of the regions app: a division list (CSV or xlsx), each division saved
through ``services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.spreadsheets.fields import Field, ParsedRow, RowError, SpreadsheetImport
from reports.spreadsheets.reader import run_import
from reports.spreadsheets.registry import register_import
from reports.spreadsheets.template_book import (
    TemplateColumn,
    TemplateTable,
    template_response,
    template_workbook,
)

from . import services
from .models import normalise_code


class DivisionImport(SpreadsheetImport):
    """A division list: code and name per row, in any order (parents are loaded first), 12-digit
    statistical codes accepted. Idempotent: rows already present change nothing."""

    fields = [
        Field(
            "code", "区划代码", aliases=("代码", "统计用区划代码", "行政区划代码", "code", "division code")
        ),
        Field("name", "名称", aliases=("区划名称", "行政区划名称", "name")),
    ]

    writes_in_finish = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # code -> (name, row number): a few bytes a row, not the parsed row itself
        self.pending: dict[str, tuple[str, int]] = {}
        self.sheet = ""
        self.code_column: tuple[str | None, str | None] = (None, None)
        self.changed = 0
        self.unchanged = 0

    def save_row(self, row: ParsedRow):
        try:
            code = normalise_code("".join(str(row.values["code"]).split()))
        except ValueError as exc:
            raise ValidationError({"code": _("A division code has 2, 4, 6, 9 or 12 digits.")}) from exc
        name = "".join(row.values["name"].split())  # 溪 美 街 道 spaced out to fill the cell
        first = self.pending.get(code)
        if first is not None and first[0] != name:
            raise ValidationError(
                {
                    "code": _("The code appears again with another name (first on row %(row)s).")
                    % {"row": first[1]}
                }
            )
        if not self.sheet:
            self.sheet, self.code_column = row.sheet, row.columns.get("code", (None, None))
        self.pending[code] = (name, row.number)
        return code

    def finish(self) -> list[RowError]:
        changes = services.upsert_divisions({code: name for code, (name, _number) in self.pending.items()})
        self.changed = changes.created + changes.renamed
        self.unchanged = changes.unchanged
        letter, header = self.code_column
        return [
            RowError(self.sheet, self.pending[code][1], letter, header, message)
            for code, message in changes.errors.items()
        ]


def import_division_file(fp, *, filename: str, by=None) -> DivisionImport:
    """Import a CSV or xlsx division list; raises ImportFailed and writes nothing on error."""
    importer = DivisionImport(by=by)
    run_import(fp, importer, filename=filename)
    return importer


def division_template() -> TemplateTable:
    """统计用区划代码和城乡划分代码 as published: 区划代码 and 名称, one division per row."""
    return TemplateTable(
        sheet="区划",
        title="行政区划代码表",
        columns=[TemplateColumn("区划代码", width=16, text=True), TemplateColumn("名称", width=24)],
        blank_rows=20,
        instructions_title=_("How to fill in the division list"),
        instructions=[
            _(
                "One division per row: its code (2, 4, 6, 9 or 12 digits; the 12-digit statistical codes "
                "are shortened) and its name."
            ),
            _("Rows may come in any order; each division hangs under its nearest ancestor by code."),
            _("A division already stored with the same name changes nothing; another name renames it."),
            _("For example: 350583 南安市, 350583001 溪美街道."),
        ],
    )


def division_template_response():
    return template_response(division_template(), "行政区划")


register_import(
    "regions.divisions",
    label=gettext_lazy("Division list"),
    importer=DivisionImport,
    template=lambda: template_workbook(division_template()),
    api_template="/api/v1/regions/import/template/",
    upload_pages=("admin:regions_region_import",),
)

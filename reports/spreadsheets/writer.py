"""Writing workbooks: declare the columns once (:class:`Column`), hand rows to
:func:`write_workbook` or :func:`export_response`. Rows stream through openpyxl's write-only mode,
so memory stays flat whatever the number of rows; a sheet that reaches Excel's row limit continues
on a new sheet. Every text cell is written as text through :func:`~.text.sheet_text`."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .text import EXCEL_MAX_ROWS, XLSX_CONTENT_TYPE, sheet_text, sheet_title


@dataclass(frozen=True)
class Column:
    """One column of an export: its Chinese header, how to get its value from a row, and how
    it looks. ``value`` is a callable taking the row, or a key / dotted attribute path."""

    header: str | Promise
    value: Callable[[Any], Any] | str
    number_format: str | None = None
    width: float | None = None
    group: str | Promise | None = None  # a merged header above several columns

    def extract(self, row):
        if callable(self.value):
            return self.value(row)
        current = row
        for part in self.value.split("."):
            if current is None:
                return None
            current = current.get(part) if isinstance(current, dict) else getattr(current, part, None)
        return current


def choice_label(choices):
    """``value -> label`` for a TextChoices class, the labels translated once per language
    rather than once per cell (``get_FOO_display`` costs a translation lookup a call)."""
    cache: dict[str, dict] = {}

    def label(value):
        language = get_language()
        labels = cache.get(language)
        if labels is None:
            labels = cache[language] = {key: str(text) for key, text in choices.choices}
        return labels.get(value, value)

    return label


def _yes_no() -> tuple[str, str]:
    return _("Yes"), _("No")


def excel_value(value, yes_no=None):
    """Convert a Python value to something a cell holds, in the portal's time zone."""
    if value is None:
        return None
    if isinstance(value, bool):
        yes, no = yes_no or _yes_no()
        return yes if value else no
    if isinstance(value, str):
        return sheet_text(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    return sheet_text(str(value))  # lazy translations, enums, model instances


def _text_cell(sheet, value, number_format=None):
    """A write-only cell whose string value is stored as a string whatever it looks like
    (openpyxl would otherwise type ``#N/A`` as an error and ``=...`` as a formula)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class SheetSpec:
    """A sheet of an export: its name, columns, optional title rows above the header (an
    official table's title, the filling unit...) and footer rows below the data."""

    name: str
    columns: list[Column]
    title_rows: list[str] = field(default_factory=list)
    footer_rows: list[list[Any]] = field(default_factory=list)


class _SheetWriter:
    def __init__(self, workbook: Workbook, spec: SheetSpec, max_rows: int):
        self.workbook = workbook
        self.spec = spec
        self.max_rows = max_rows
        self.part = 0
        self.sheet = None
        self.grouped = any(column.group for column in spec.columns)
        self.header_height = len(spec.title_rows) + (2 if self.grouped else 1)
        self.formatted = [i for i, c in enumerate(spec.columns) if c.number_format]

    def _open_sheet(self):
        self.part += 1
        name = self.spec.name if self.part == 1 else f"{self.spec.name}（{self.part}）"
        sheet = self.workbook.create_sheet(title=sheet_title(name))
        ncols = len(self.spec.columns)
        last_letter = get_column_letter(ncols)
        for index, column in enumerate(self.spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width or max(
                10, min(40, len(str(column.header)) * 2 + 2)
            )
        # Column widths and the frozen header are written with the sheet's opening tags:
        # set them before the first row.
        sheet.freeze_panes = f"A{self.header_height + 1}"
        row_number = 0
        for title in self.spec.title_rows:
            row_number += 1
            cell = _text_cell(sheet, sheet_text(str(title)))
            cell.font = _TITLE_FONT
            cell.alignment = _CENTER
            sheet.append([cell])
            if ncols > 1:
                sheet.merged_cells.ranges.add(f"A{row_number}:{last_letter}{row_number}")
        if self.grouped:
            top, bottom = [], []
            row_number += 2
            spans: list[tuple[int, int]] = []
            for index, column in enumerate(self.spec.columns, start=1):
                if column.group:
                    previous = self.spec.columns[index - 2].group if index > 1 else None
                    top.append(self._header_cell(sheet, column.group if previous != column.group else None))
                    bottom.append(self._header_cell(sheet, column.header))
                    if previous == column.group and spans:
                        spans[-1] = (spans[-1][0], index)
                    else:
                        spans.append((index, index))
                else:
                    top.append(self._header_cell(sheet, column.header))
                    bottom.append(self._header_cell(sheet, None))
                    letter = get_column_letter(index)
                    sheet.merged_cells.ranges.add(f"{letter}{row_number - 1}:{letter}{row_number}")
            for start, end in spans:
                if end > start:
                    sheet.merged_cells.ranges.add(
                        f"{get_column_letter(start)}{row_number - 1}:{get_column_letter(end)}{row_number - 1}"
                    )
            sheet.append(top)
            sheet.append(bottom)
        else:
            row_number += 1
            sheet.append([self._header_cell(sheet, column.header) for column in self.spec.columns])
        self.sheet = sheet
        self.rows_in_sheet = 0
        return sheet

    @staticmethod
    def _header_cell(sheet, value):
        cell = _text_cell(sheet, sheet_text(str(value)) if value is not None else None)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        return cell

    def _close_sheet(self, with_footer: bool):
        last_row = self.header_height + self.rows_in_sheet
        last_letter = get_column_letter(len(self.spec.columns))
        self.sheet.auto_filter.ref = f"A{self.header_height}:{last_letter}{max(last_row, self.header_height)}"
        if with_footer:
            for footer in self.spec.footer_rows:
                self.sheet.append(self._cells([excel_value(value) for value in footer]))

    def _cells(self, values: list) -> list:
        # Plain strings go to openpyxl as they are (the fast path); the few it would not store
        # as text become explicit string cells.
        for index, value in enumerate(values):
            if value.__class__ is str and value in ERROR_CODES:
                values[index] = _text_cell(self.sheet, value)
        return values

    def write(self, rows: Iterable[Any]) -> int:
        columns = self.spec.columns
        formatted = self.formatted
        capacity = self.max_rows - self.header_height
        total = 0
        yes_no = _yes_no()
        self._open_sheet()
        for row in rows:
            if self.rows_in_sheet >= capacity:
                self._close_sheet(with_footer=False)
                self._open_sheet()
            values = [excel_value(column.extract(row), yes_no) for column in columns]
            for index in formatted:
                values[index] = _text_cell(self.sheet, values[index], columns[index].number_format)
            self.sheet.append(self._cells(values))
            self.rows_in_sheet += 1
            total += 1
        self._close_sheet(with_footer=True)
        return total


def write_workbook(fp, sheets: Iterable[tuple[SheetSpec, Iterable[Any]]], *, max_rows=EXCEL_MAX_ROWS) -> int:
    """Stream sheets of rows into ``fp`` (a path or a binary file). Returns the rows written."""
    workbook = Workbook(write_only=True)
    total = 0
    for spec, rows in sheets:
        total += _SheetWriter(workbook, spec, max_rows).write(rows)
    workbook.save(fp)
    return total


def content_disposition_filename(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", name).strip() or "export"
    return name if name.lower().endswith(".xlsx") else f"{name}.xlsx"


def export_response(filename: str, sheets: Iterable[tuple[SheetSpec, Iterable[Any]]]) -> FileResponse:
    """A download of the workbook. The file is spooled to disk past 8 MB rather than held in
    memory; Django writes the Chinese file name as RFC 5987 ``filename*=UTF-8''...``."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    write_workbook(spool, sheets)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=content_disposition_filename(filename),
        content_type=XLSX_CONTENT_TYPE,
    )

"""Writing workbooks: declare the columns once (:class:`Column`), hand rows to
:func:`write_workbook` or :func:`export_response`. Rows stream through XlsxWriter's constant_memory
mode, so memory stays flat whatever the number of rows; a sheet that reaches Excel's row limit continues
on a new sheet. Every text cell is written as text through :func:`~.text.sheet_text`."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .text import EXCEL_MAX_ROWS, XLSX_CONTENT_TYPE, sheet_text, sheet_title


@dataclass(frozen=True)
class Column:
    """One column of an export: its Chinese header, how to get its value from a row, and how
    it looks. ``value`` is a callable taking the row, or a key / dotted attribute path.

    List exports of querysets fetch their rows with ``values_list`` when every column can say
    what to fetch: a dotted path does (``station.name`` is fetched as ``station__name``); a
    column computed by a callable names its ``source`` instead (a lookup or an expression) and
    its ``convert`` (applied to each value that is not None; by default the field decides:
    choice labels, local time, yes/no, safe text)."""

    header: str | Promise
    value: Callable[[Any], Any] | str
    number_format: str | None = None
    width: float | None = None
    group: str | Promise | None = None  # a merged header above several columns
    source: Any = None  # what values_list fetches for this column (a lookup or an expression)
    convert: Callable[[Any], Any] | None = None  # the fetched value -> the cell's value

    @property
    def lookup(self):
        """What ``values_list`` fetches for this column, or None when only a model instance can
        give its value."""
        if self.source is not None:
            return self.source
        if isinstance(self.value, str):
            return self.value.replace(".", "__")
        return None

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


def yes_no_labels() -> tuple[str, str]:
    return _("Yes"), _("No")


def excel_value(value, yes_no=None):
    """Convert a Python value to something a cell holds, in the portal's time zone."""
    if value is None:
        return None
    if isinstance(value, bool):
        yes, no = yes_no or yes_no_labels()
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


_TITLE_FORMAT = {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "text_wrap": True}
# The lines under the title (填报单位, 填报时间, a caption): plain text from the left, as on a paper form.
_SUBTITLE_FORMAT = {"align": "left", "valign": "vcenter", "text_wrap": True}
_HEADER_FORMAT = {
    "bold": True,
    "bg_color": "#DDEBF7",
    "pattern": 1,
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
    "border": 1,
}
# What a date or time shows when its column declares no format (a bare number otherwise).
_DEFAULT_FORMATS = {dt.datetime: "yyyy-mm-dd hh:mm", dt.date: "yyyy-mm-dd", dt.time: "hh:mm"}
# XlsxWriter takes a string for a string, whatever it looks like: no formulas, links or numbers
# guessed from text (the text itself was made safe by ``sheet_text``). ``constant_memory`` writes
# each row to the sheet's file as soon as the next begins: flat memory for any number of rows.
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


@dataclass
class SheetSpec:
    """A sheet of an export: its name, columns, optional title rows above the header (an
    official table's title, then the filling unit...) and footer rows below the data. A list
    gets a filter on its header; an official form (``form=True``) does not, and its data cells
    are ruled like the printed table's."""

    name: str
    columns: list[Column]
    title_rows: list[str] = field(default_factory=list)
    footer_rows: list[list[Any]] = field(default_factory=list)
    form: bool = False


class _Formats:
    """The workbook's formats, each made once and shared by every cell that uses it."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.title = workbook.add_format(_TITLE_FORMAT)
        self.subtitle = workbook.add_format(_SUBTITLE_FORMAT)
        self.header = workbook.add_format(_HEADER_FORMAT)
        self._numbers: dict[tuple[str | None, bool], Any] = {}

    def number(self, number_format: str | None, *, ruled: bool = False):
        """The format of a data cell: its number format, with a thin border on a form."""
        if not number_format and not ruled:
            return None
        made = self._numbers.get((number_format, ruled))
        if made is None:
            properties: dict[str, Any] = {"border": 1} if ruled else {}
            if number_format:
                properties["num_format"] = number_format
            made = self._numbers[(number_format, ruled)] = self.workbook.add_format(properties)
        return made


def _merge_written(sheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge a range whose first cell is already written, without writing the others: in
    constant_memory mode ``merge_range`` would pad them and close the row before its own cells
    (and a title row would read back as the title followed by empty cells)."""
    sheet.merge.append([first_row, first_col, last_row, last_col])


class _SheetWriter:
    """Rows into one sheet, continued on a new sheet at Excel's row limit (``max_rows``)."""

    def __init__(self, workbook, formats: _Formats, spec: SheetSpec, max_rows: int):
        self.workbook = workbook
        self.formats = formats
        self.spec = spec
        self.max_rows = max_rows
        self.part = 0
        self.sheet = None
        self.grouped = any(column.group for column in spec.columns)
        self.header_height = len(spec.title_rows) + (2 if self.grouped else 1)
        ruled = spec.form
        self.column_formats = [formats.number(column.number_format, ruled=ruled) for column in spec.columns]
        # Dates without a format of their own get the default one of their type.
        self.date_formats = {
            kind: formats.number(number_format, ruled=ruled)
            for kind, number_format in _DEFAULT_FORMATS.items()
        }
        self.own_formats = [bool(column.number_format) for column in spec.columns]
        # A form's empty data cells are ruled too; the footer's cells are plain text.
        self.blank_format = formats.number(None, ruled=True) if ruled else None
        self.footer_formats = [formats.number(column.number_format) for column in spec.columns]
        self.footer_date_formats = {
            kind: formats.number(number_format) for kind, number_format in _DEFAULT_FORMATS.items()
        }

    def _open_sheet(self):
        self.part += 1
        name = self.spec.name if self.part == 1 else f"{self.spec.name}（{self.part}）"
        sheet = self.workbook.add_worksheet(sheet_title(name))
        columns = self.spec.columns
        last = len(columns) - 1
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width or max(10, min(40, len(str(column.header)) * 2 + 2)))
        sheet.freeze_panes(self.header_height, 0)
        row = 0
        for position, title in enumerate(self.spec.title_rows):
            sheet.set_row(row, 24 if position == 0 else 18)
            style = self.formats.title if position == 0 else self.formats.subtitle
            sheet.write_string(row, 0, sheet_text(str(title)), style)
            if last > 0:
                _merge_written(sheet, row, 0, row, last)
            row += 1
        header = self.formats.header
        if self.grouped:
            # The top row first (groups merged across, lone headers written), then the bottom
            # row: in constant_memory mode a row is final once the next one is written, so the
            # lone headers' two-row merges are recorded without writing into the bottom row.
            spans: list[tuple[int, int, Any]] = []
            for index, column in enumerate(columns):
                if column.group and spans and spans[-1][2] == column.group and spans[-1][1] == index - 1:
                    spans[-1] = (spans[-1][0], index, column.group)
                elif column.group:
                    spans.append((index, index, column.group))
            for start, end, group in spans:
                if end > start:
                    sheet.merge_range(row, start, row, end, sheet_text(str(group)), header)
                else:
                    sheet.write_string(row, start, sheet_text(str(group)), header)
            lone = [index for index, column in enumerate(columns) if not column.group]
            for index in lone:
                sheet.write_string(row, index, sheet_text(str(columns[index].header)), header)
            for index, column in enumerate(columns):
                if column.group:
                    sheet.write_string(row + 1, index, sheet_text(str(column.header)), header)
                else:
                    sheet.write_blank(row + 1, index, None, header)
            for index in lone:
                _merge_written(sheet, row, index, row + 1, index)
            row += 2
        else:
            for index, column in enumerate(columns):
                sheet.write_string(row, index, sheet_text(str(column.header)), header)
            row += 1
        self.sheet = sheet
        self.rows_in_sheet = 0
        return sheet

    def _close_sheet(self, with_footer: bool):
        last_row = self.header_height + self.rows_in_sheet - 1
        if not self.spec.form:
            self.sheet.autofilter(self.header_height - 1, 0, last_row, len(self.spec.columns) - 1)
        if with_footer:
            for offset, footer in enumerate(self.spec.footer_rows, start=1):
                self._write_row(last_row + offset, [excel_value(value) for value in footer], footer=True)

    def _write_row(self, row: int, values, *, footer: bool = False) -> None:
        """One row of converted values. Each value goes to the writer of its type, so that a
        string is stored as a string, a number as a number and a date with a date format."""
        sheet = self.sheet
        column_formats = self.footer_formats if footer else self.column_formats
        blank = None if footer else self.blank_format
        for index, value in enumerate(values):
            if value is None:
                if blank is not None:
                    sheet.write_blank(row, index, None, blank)
                continue
            kind = value.__class__
            if kind is str:
                if value:
                    sheet.write_string(row, index, value, column_formats[index])
                elif blank is not None:  # an empty text is an empty cell
                    sheet.write_blank(row, index, None, blank)
            elif kind is int or kind is float or kind is Decimal:
                sheet.write_number(row, index, value, column_formats[index])
            elif kind is dt.datetime or kind is dt.date or kind is dt.time:
                if self.own_formats[index]:
                    date_format = column_formats[index]
                else:
                    date_format = (self.footer_date_formats if footer else self.date_formats)[kind]
                sheet.write_datetime(row, index, value, date_format)
            else:  # anything else a converter returned: its text
                sheet.write_string(row, index, sheet_text(str(value)), column_formats[index])

    def write(self, rows: Iterable[Any], converters: list[Callable[[Any], Any]] | None = None) -> int:
        """Write ``rows``. Without ``converters`` a row is an object or a dict read through
        each column's ``value``; with them (the values path) a row is a tuple holding the
        columns' values in order, each converted by its column's converter."""
        columns = self.spec.columns
        capacity = self.max_rows - self.header_height
        total = 0
        yes_no = yes_no_labels()
        self._open_sheet()
        row_number = self.header_height
        write_row = self._write_row
        for row in rows:
            if self.rows_in_sheet >= capacity:
                self._close_sheet(with_footer=False)
                self._open_sheet()
                row_number = self.header_height
            if converters is None:
                values = [excel_value(column.extract(row), yes_no) for column in columns]
            else:
                values = [convert(value) for convert, value in zip(converters, row, strict=True)]
            write_row(row_number, values)
            row_number += 1
            self.rows_in_sheet += 1
            total += 1
        self._close_sheet(with_footer=True)
        return total


def write_workbook(fp, sheets: Iterable[tuple[SheetSpec, Iterable[Any]]], *, max_rows=EXCEL_MAX_ROWS) -> int:
    """Stream sheets of rows into ``fp`` (a path or a binary file). Returns the rows written.
    ``rows`` may also be a :class:`ConvertedRows` (the values path of list exports)."""
    workbook = xlsxwriter.Workbook(fp, _WORKBOOK_OPTIONS)
    formats = _Formats(workbook)
    total = 0
    try:
        for spec, rows in sheets:
            converters = rows.converters if isinstance(rows, ConvertedRows) else None
            total += _SheetWriter(workbook, formats, spec, max_rows).write(rows, converters)
    finally:
        workbook.close()
    return total


class ConvertedRows:
    """Rows as tuples in column order with one converter per column, chosen once for the whole
    export rather than once per cell (see ``ExportDefinition``'s values path)."""

    def __init__(self, rows: Iterable[tuple], converters: list[Callable[[Any], Any]]):
        self.rows = rows
        self.converters = converters

    def __iter__(self):
        return iter(self.rows)


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

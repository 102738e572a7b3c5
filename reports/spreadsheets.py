"""The spreadsheet engine every import and export goes through.

Export: declare the columns once (:class:`Column`), hand rows to :func:`write_workbook` or
:func:`export_response`. Rows stream through openpyxl's write-only mode, so memory stays flat
whatever the number of rows; a sheet that reaches Excel's row limit continues on a new sheet.
Every text cell is written as text through :func:`sheet_text`: characters XML cannot hold are
dropped and a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets OWASP's quote
prefix, so a stored ``=HYPERLINK(...)`` is never a live formula.

Import: declare the fields (:class:`Field`) on a :class:`SpreadsheetImport`, then
:func:`run_import`. The file is checked before it is opened (xlsx or CSV, size cap; for xlsx
the zip's entries: their number, each part's expanded size and compression ratio), read in
read-only mode (CSV streamed), headers matched by Chinese or English aliases, and every row
validated and saved inside one transaction that is rolled back if any row fails, so a failed
import changes nothing. A column declared required must be in the header; an optional column
that is absent is not in ``ParsedRow.present`` and must not overwrite what is stored. Every
error names the sheet, row, column and reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters an xlsx part (XML 1.0) cannot hold: one stored \x0b made openpyxl refuse a whole
# region's export (IllegalCharacterError). They carry no meaning in our data, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# OWASP, "CSV Injection": a cell beginning with one of these is taken for a formula by
# spreadsheet programs (also when an officer edits the cell and presses Enter). The remedy OWASP
# gives is a leading single quote, which Excel and WPS show as text; imports take it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NEUTRALISER = "'"
_NEEDS_CARE = re.compile(_NOT_XML.pattern + "|^['=+\\-@\t\r]")


def _needs_quote(text: str) -> bool:
    # Quotes already in front count too: "'=x" is written "''=x", so that the import, which
    # takes one quote off, gives back what was stored.
    if text[:1] == FORMULA_NEUTRALISER:
        text = text.lstrip(FORMULA_NEUTRALISER)
    return text.startswith(FORMULA_TRIGGERS)


def sheet_text(text: str) -> str:
    """A string as a cell must hold it: without XML-illegal characters, never read as a
    formula, within Excel's cell length."""
    if _NEEDS_CARE.search(text) is None and len(text) <= EXCEL_MAX_CELL_CHARS:
        return text  # nearly every cell: one scan, no copy
    text = _NOT_XML.sub("", text)
    if _needs_quote(text):
        text = FORMULA_NEUTRALISER + text
    return text[:EXCEL_MAX_CELL_CHARS]


def imported_text(text: str) -> str:
    """The inverse of :func:`sheet_text`'s quote prefix, so an export imported again keeps
    its values."""
    if text[:1] == FORMULA_NEUTRALISER and _needs_quote(text):
        return text[1:]
    return text


def sheet_title(name: str) -> str:
    """A sheet name Excel accepts (no []:*?/\\, no control characters, 31 characters)."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", _NOT_XML.sub("", str(name))).strip("'") or "Sheet"
    return cleaned[:31]


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


class WorkbookRefused(ValidationError):
    """The file is not a workbook we agree to open (format, size, zip bomb)."""


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str | None
    header: str | None
    message: str

    def __str__(self):
        if not self.sheet:
            return self.message
        if self.row is None:
            return _('Sheet "%(sheet)s": %(message)s') % {"sheet": self.sheet, "message": self.message}
        if self.column is None:
            return _('Sheet "%(sheet)s", row %(row)s: %(message)s') % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return _('Sheet "%(sheet)s", row %(row)s, column %(column)s (%(header)s): %(message)s') % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


class ImportFailed(Exception):
    """Raised with every error found; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))

    @property
    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]


def normalise_label(value) -> str:
    """Header text compared loosely: full-width forms folded, spaces, required-marks and
    line breaks dropped, case ignored."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊]+", "", text).lower()


def normalise_text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        converted = from_excel(value)
        return converted.date() if isinstance(converted, dt.datetime) else converted
    text = re.sub(r"\s+", "", normalise_text(value))
    text = text.split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
    raise ValueError(text)


def _parse_str(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes and phone numbers typed as numbers
    return normalise_text(value)


def _parse_int(value):
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    try:
        number = Decimal(normalise_text(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _parse_decimal(value):
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        return Decimal(
            str(value) if isinstance(value, int | float) else normalise_text(value).replace(",", "")
        )
    except InvalidOperation as exc:
        raise ValueError(value) from exc


_TRUE = {"是", "有", "true", "yes", "y", "1", "√", "✓"}
_FALSE = {"否", "无", "false", "no", "n", "0", "×"}


def _parse_bool(value):
    if isinstance(value, bool):
        return value
    text = normalise_label(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


PARSERS = {
    "str": (_parse_str, None),
    "int": (_parse_int, gettext_lazy("Enter a whole number.")),
    "decimal": (_parse_decimal, gettext_lazy("Enter a number.")),
    "date": (parse_date, gettext_lazy("Enter a date such as 2025-04-20.")),
    "bool": (_parse_bool, gettext_lazy("Enter 是 (yes) or 否 (no).")),
}


@dataclass(frozen=True)
class Field:
    """A column an import reads: ``name`` is the key handed to the row handler, ``header`` the
    official Chinese heading, ``aliases`` other headings people use (English included).

    ``required``: every row must fill the cell (so the column must be there too).
    ``column_required``: the column must be in the header even when its cells may be blank
    (a score sheet without 理论成绩 is not a score sheet); defaults to ``required``. An
    optional column that is absent is left out of :attr:`ParsedRow.present`, and the row
    handler must keep the stored value rather than write a blank over it."""

    name: str
    header: str | Promise
    aliases: tuple[str, ...] = ()
    kind: str = "str"
    required: bool = True
    column_required: bool | None = None

    @property
    def needs_column(self) -> bool:
        return self.required if self.column_required is None else self.column_required

    def labels(self) -> set[str]:
        return {normalise_label(label) for label in (str(self.header), self.name, *self.aliases)}


@dataclass
class ParsedRow:
    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, tuple[str, str]]  # field name -> (column letter, header as written)

    @property
    def present(self) -> frozenset[str]:
        """The fields whose column is in the sheet (absent ones read as None in ``values``)."""
        return frozenset(self.columns)

    def given(self) -> dict[str, Any]:
        """``values`` restricted to the columns the sheet has: what an update may write."""
        return {name: value for name, value in self.values.items() if name in self.columns}

    def error(self, message: str, field_name: str | None = None) -> RowError:
        letter, header = self.columns.get(field_name, (None, None)) if field_name else (None, None)
        return RowError(self.sheet, self.number, letter, header, message)


class SpreadsheetImport:
    """Subclass and declare ``fields``; implement :meth:`save_row`, which validates through the
    same service or serializer as the API and raises ``ValidationError`` for bad data."""

    fields: list[Field] = []
    sheet_name: str | None = None  # None: the first sheet
    header_search_rows = 20
    max_errors = 200

    def __init__(self, *, by=None, channel: str = "import"):
        self.by = by
        self.channel = channel

    def save_row(self, row: ParsedRow) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> list[RowError]:
        """Called once after every row was read without error, inside the same transaction;
        for imports that must see the whole file before saving. Returns errors, if any."""
        return []

    def field_for_error_key(self, key: str) -> str | None:
        """Map a serializer / model error key to one of our field names (override when they
        differ)."""
        return key if any(f.name == key for f in self.fields) else None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def check_file_size(fp, *, max_bytes=None) -> int:
    """Refuse a file above the import size cap (xlsx and CSV alike), without reading it."""
    max_bytes = max_bytes or settings.SPREADSHEET_MAX_UPLOAD_BYTES
    size = getattr(fp, "size", None)
    if size is None:
        fp.seek(0, io.SEEK_END)
        size = fp.tell()
    fp.seek(0)
    if size > max_bytes:
        raise WorkbookRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(max_bytes)}
        )
    return size


def _part_limit(name: str) -> int:
    if name == "xl/sharedStrings.xml":
        return settings.SPREADSHEET_MAX_SHARED_STRINGS_BYTES
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return settings.SPREADSHEET_MAX_SHEET_BYTES
    if name == "xl/styles.xml":
        return settings.SPREADSHEET_MAX_STYLES_BYTES
    return settings.SPREADSHEET_MAX_OTHER_PART_BYTES


def check_workbook_file(fp, *, max_bytes=None, max_expanded=None) -> None:
    """Refuse what is not an xlsx workbook, is too large, or expands too far, before openpyxl
    sees it. Only the zip's central directory is read (nothing is decompressed): the number
    of entries, each part's expanded size against its own limit (openpyxl reads the whole
    shared-strings part even in read-only mode), its compression ratio and the total. The
    sizes are the ones zipfile enforces when it decompresses: a part whose data expands past
    its declared size is cut there and fails its CRC check, so a lying header cannot get more
    than the limits let through."""
    check_file_size(fp, max_bytes=max_bytes)
    max_expanded = max_expanded or settings.SPREADSHEET_MAX_EXPANDED_BYTES
    head = fp.read(8)
    fp.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookRefused(_("Old .xls workbooks are not accepted; save the file as .xlsx and try again."))
    if not head.startswith(b"PK") or not zipfile.is_zipfile(fp):
        fp.seek(0)
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx)."))
    fp.seek(0)
    try:
        with zipfile.ZipFile(fp) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx).")) from exc
    finally:
        fp.seek(0)
    if len(infos) > settings.SPREADSHEET_MAX_ZIP_ENTRIES:
        raise WorkbookRefused(
            _("The workbook holds %(count)d parts; the limit is %(limit)d.")
            % {"count": len(infos), "limit": settings.SPREADSHEET_MAX_ZIP_ENTRIES}
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx)."))
    ratio = settings.SPREADSHEET_MAX_COMPRESSION_RATIO
    for info in infos:
        limit = _part_limit(info.filename)
        if info.file_size > limit:
            raise WorkbookRefused(
                _("The part %(part)s of the workbook expands to %(size)s MB; the limit is %(limit)s MB.")
                % {"part": info.filename, "size": _megabytes(info.file_size), "limit": _megabytes(limit)}
            )
        # Small parts may compress very well (an empty sheet); past 1 MB a ratio beyond what
        # office programs produce is a zip bomb.
        if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
            raise WorkbookRefused(
                _("The part %(part)s of the workbook is compressed %(ratio)d times; the limit is %(limit)d.")
                % {
                    "part": info.filename,
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "limit": ratio,
                }
            )
    expanded = sum(info.file_size for info in infos)
    if expanded > max_expanded:
        raise WorkbookRefused(
            _("The workbook expands to %(size)s MB when opened; the limit is %(limit)s MB.")
            % {"size": _megabytes(expanded), "limit": _megabytes(max_expanded)}
        )


def _find_header(buffer: list[tuple], fields: list[Field]):
    """Find the header among the first rows: one row, or two rows where the upper one holds
    merged group titles. Returns (index of the last header row, {field name: column index},
    {column index: header text})."""
    best = None
    for index in range(len(buffer)):
        candidates = [(index, [buffer[index]])]
        if index + 1 < len(buffer):
            candidates.append((index + 1, [buffer[index], buffer[index + 1]]))
        for last, rows in candidates:
            labels = _header_labels(rows)
            mapping = {}
            for f in fields:
                wanted = f.labels()
                for column, options in labels.items():
                    if column not in mapping.values() and options & wanted:
                        mapping[f.name] = column
                        break
            score = (len(mapping), -len(rows))
            if mapping and (best is None or score > best[0]):
                texts = {column: texts_[0] for column, texts_ in _header_texts(rows).items()}
                best = (score, last, mapping, texts)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _header_texts(rows: list[tuple]) -> dict[int, list[str]]:
    width = max(len(row) for row in rows)
    texts: dict[int, list[str]] = {}
    if len(rows) == 1:
        for column, value in enumerate(rows[0]):
            if value not in (None, ""):
                texts[column] = [normalise_text(value)]
        return texts
    upper, lower = rows
    group = None
    for column in range(width):
        top = upper[column] if column < len(upper) else None
        bottom = lower[column] if column < len(lower) else None
        if top not in (None, ""):
            group = normalise_text(top)
            if bottom in (None, ""):
                texts[column] = [group]  # a heading merged down both rows
                continue
        elif bottom in (None, ""):
            group = None
            continue
        if bottom not in (None, ""):
            sub = normalise_text(bottom)
            texts[column] = [sub, f"{group}{sub}" if group else sub, f"{group}-{sub}" if group else sub]
    return texts


def _header_labels(rows: list[tuple]) -> dict[int, set[str]]:
    return {
        column: {normalise_label(text) for text in texts} for column, texts in _header_texts(rows).items()
    }


def _is_blank_value(value) -> bool:
    if isinstance(value, FormulaCell):  # a template's =IF(...,"") rows below the data
        value = value.result
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank(row: tuple) -> bool:
    return all(_is_blank_value(value) for value in row)


class FormulaCell:
    """A cell of an uploaded workbook that holds a formula: its text and the result the
    spreadsheet program saved with it. Text fields take the formula's own text (never its
    result, so what is stored is what was written); number, date and yes/no fields take the
    saved result, as officers' tables compute 小计 and 合计 with =SUM(...)."""

    __slots__ = ("formula", "result")

    def __init__(self, formula: str, result):
        self.formula = formula
        self.result = result

    def __str__(self):
        return str(self.result if self.result is not None else self.formula)

    def __repr__(self):
        return f"FormulaCell({self.formula!r}, {self.result!r})"


def _cell_input(cell, kind: str):
    """What a field of ``kind`` reads from a cell."""
    if isinstance(cell, FormulaCell):
        cell = cell.formula if kind == "str" else cell.result
    if isinstance(cell, str):
        cell = imported_text(cell)
    return cell


def _missing_columns_error(sheet_name, found, fields, missing) -> RowError:
    names = "、".join(str(f.header) for f in missing)
    if found is None:
        return RowError(
            sheet_name,
            None,
            None,
            None,
            _("No header row was found in the first rows; the sheet needs the columns: %(names)s")
            % {"names": "、".join(str(f.header) for f in fields if f.needs_column)},
        )
    return RowError(
        sheet_name,
        found[0] + 1,
        None,
        None,
        _("The header lacks required columns: %(names)s. Nothing was imported.") % {"names": names},
    )


def _rows_from_iterator(importer, sheet_name: str, rows: Iterator[tuple], errors: list[RowError]):
    buffer = []
    for _index in range(importer.header_search_rows):
        try:
            buffer.append(tuple(next(rows)))
        except StopIteration:
            break
    found = _find_header(buffer, importer.fields) if buffer else None
    missing = [f for f in importer.fields if f.needs_column and (found is None or f.name not in found[1])]
    if found is None or missing:
        errors.append(_missing_columns_error(sheet_name, found, importer.fields, missing))
        return
    last_header, mapping, texts = found
    columns = {
        name: (get_column_letter(column + 1), texts.get(column, "")) for name, column in mapping.items()
    }
    by_name = {f.name: f for f in importer.fields}

    def all_rows():
        yield from enumerate(buffer[last_header + 1 :], start=last_header + 2)
        yield from enumerate(rows, start=len(buffer) + 1)

    for number, raw in all_rows():
        raw = tuple(raw)
        if _is_blank(raw):
            continue
        values, row_errors = {}, []
        for name, column in mapping.items():
            f = by_name[name]
            original = raw[column] if column < len(raw) else None
            cell = _cell_input(original, f.kind)
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if isinstance(original, FormulaCell):
                    row_errors.append(
                        RowError(
                            sheet_name,
                            number,
                            columns[name][0],
                            columns[name][1],
                            _(
                                "The formula %(formula)s has no saved result; open the file in Excel "
                                "or WPS, save it and import it again (or paste the values)."
                            )
                            % {"formula": original.formula},
                        )
                    )
                elif f.required:
                    row_errors.append(
                        RowError(
                            sheet_name,
                            number,
                            columns[name][0],
                            columns[name][1],
                            _("This field is required."),
                        )
                    )
                values[name] = None
                continue
            parser, message = PARSERS[f.kind]
            try:
                values[name] = parser(cell)
            except (ValueError, TypeError, ArithmeticError, OverflowError):
                row_errors.append(
                    RowError(sheet_name, number, columns[name][0], columns[name][1], str(message or cell))
                )
        for f in importer.fields:
            values.setdefault(f.name, None)
        if row_errors:
            errors.extend(row_errors)
            continue
        yield ParsedRow(sheet_name, number, values, columns)


def _with_formulas(values_rows: Iterator[tuple], formula_rows: Iterator[tuple]) -> Iterator[tuple]:
    """The rows of the cached-values view, with each formula cell as a :class:`FormulaCell`.
    Both views stream the same sheet part, so their rows correspond one to one."""
    for values, formulas in zip(values_rows, formula_rows, strict=False):
        row = None
        for index, formula in enumerate(formulas):
            if formula.__class__ is str and formula.startswith("="):
                result = values[index] if index < len(values) else None
                if result != formula:  # not a plain text cell that happens to begin with "="
                    row = row or list(values) + [None] * (len(formulas) - len(values))
                    row[index] = FormulaCell(formula, result)
        yield tuple(row) if row is not None else values


def read_workbook_rows(fp, importer: SpreadsheetImport, errors: list[RowError]) -> Iterator[ParsedRow]:
    check_workbook_file(fp)
    books = []
    try:
        try:
            # Two read-only views of the same file: saved results and formulas (openpyxl gives
            # one or the other). Both stream; the parts they read are capped above.
            books.append(load_workbook(fp, read_only=True, data_only=True))
            books.append(load_workbook(fp, read_only=True, data_only=False))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise WorkbookRefused(_("The workbook cannot be read: it may be damaged.")) from exc
        values_book, formulas_book = books
        if importer.sheet_name:
            if importer.sheet_name not in values_book.sheetnames:
                raise WorkbookRefused(
                    _('The workbook has no sheet named "%(name)s".') % {"name": importer.sheet_name}
                )
            name = importer.sheet_name
        else:
            name = values_book.sheetnames[0]
        rows = _with_formulas(
            values_book[name].iter_rows(values_only=True), formulas_book[name].iter_rows(values_only=True)
        )
        try:
            yield from _rows_from_iterator(importer, name, rows, errors)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a part that lied about its size
            raise WorkbookRefused(_("The workbook cannot be read: it may be damaged.")) from exc
    finally:
        for book in books:
            book.close()


_ENCODINGS = ("utf-8-sig", "gb18030")


def _csv_encoding(binary) -> str:
    """The first of UTF-8 and GB18030 that decodes the whole file, read in chunks."""
    for encoding in _ENCODINGS:
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(64 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return encoding
    raise WorkbookRefused(_("The CSV file is neither UTF-8 nor GB18030 encoded."))


def read_csv_rows(fp, importer: SpreadsheetImport, errors: list[RowError]) -> Iterator[ParsedRow]:
    """CSV, streamed: the same size cap as a workbook, decoded chunk by chunk, one row at a
    time, a field no longer than csv's limit (131,072 characters)."""
    check_file_size(fp)
    binary = getattr(fp, "file", fp)  # Django's UploadedFile wraps the real file
    if isinstance(binary, io.TextIOBase):
        text = binary
    else:
        encoding = _csv_encoding(binary)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        yield from _rows_from_iterator(importer, "CSV", iter(csv.reader(text)), errors)
    except csv.Error as exc:
        raise WorkbookRefused(_("The CSV file cannot be read: %(reason)s") % {"reason": exc}) from exc
    finally:
        if isinstance(text, io.TextIOWrapper):
            text.detach()  # leave the caller's file open


@dataclass
class ImportResult:
    rows: int
    results: list[Any]


def _validation_messages(importer, row: ParsedRow, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        found = []
        for key, messages in exc.message_dict.items():
            name = importer.field_for_error_key(key)
            for message in messages:
                found.append(row.error(message, name))
        return found
    return [row.error(message) for message in exc.messages]


def run_import(fp, importer: SpreadsheetImport, *, filename: str = "") -> ImportResult:
    """Read, validate and save every row in one transaction. Raises :class:`ImportFailed` with
    every error (up to ``max_errors``) and writes nothing if any row is bad."""
    from accounts.audit import audit_context

    errors: list[RowError] = []
    results = []
    is_csv = filename.lower().endswith(".csv")
    reader = read_csv_rows if is_csv else read_workbook_rows
    try:
        with audit_context(actor=importer.by, channel=importer.channel), transaction.atomic():
            _save_rows(importer, reader(fp, importer, errors), errors, results)
    except WorkbookRefused as exc:
        raise ImportFailed([RowError("", None, None, None, message) for message in exc.messages]) from exc
    if errors:
        raise ImportFailed(errors[: importer.max_errors])
    return ImportResult(rows=len(results), results=results)


def _save_rows(importer, rows, errors, results):
    for row in rows:
        if len(errors) >= importer.max_errors:
            break
        try:
            with transaction.atomic():
                results.append(importer.save_row(row))
        except ValidationError as exc:
            errors.extend(_validation_messages(importer, row, exc))
        except IntegrityError as exc:
            errors.append(row.error(_("The row conflicts with existing data: %(reason)s") % {"reason": exc}))
    if not errors:
        errors.extend(importer.finish())
    if errors:
        transaction.set_rollback(True)

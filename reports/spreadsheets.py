"""The spreadsheet engine every import and export goes through.

Export: declare the columns once (:class:`Column`), hand rows to :func:`write_workbook` or
:func:`export_response`. Rows stream through openpyxl's write-only mode, so memory stays flat
whatever the number of rows; a sheet that reaches Excel's row limit continues on a new sheet.

Import: declare the fields (:class:`Field`) on a :class:`SpreadsheetImport`, then
:func:`run_import`. The workbook is checked before it is opened (xlsx only, size cap,
expanded-size cap), read in read-only mode, headers matched by Chinese or English aliases, and
every row validated and saved inside one transaction that is rolled back if any row fails, so a
failed import changes nothing. Every error names the sheet, row, column and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import unicodedata
import zipfile
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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

EXCEL_MAX_ROWS = 1_048_576
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, str | int | float | Decimal | dt.date | dt.time):
        return value
    return str(value)


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
        sheet = self.workbook.create_sheet(title=name[:31])
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
            cell = WriteOnlyCell(sheet, value=str(title))
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
        cell = WriteOnlyCell(sheet, value=str(value) if value is not None else None)
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
                self.sheet.append([excel_value(value) for value in footer])

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
                cell = WriteOnlyCell(self.sheet, value=values[index])
                cell.number_format = columns[index].number_format
                values[index] = cell
            self.sheet.append(values)
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
    name = re.sub(r'[\\/:*?"<>|\r\n]+', "_", name).strip() or "export"
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
    official Chinese heading, ``aliases`` other headings people use (English included)."""

    name: str
    header: str | Promise
    aliases: tuple[str, ...] = ()
    kind: str = "str"
    required: bool = True

    def labels(self) -> set[str]:
        return {normalise_label(label) for label in (str(self.header), self.name, *self.aliases)}


@dataclass
class ParsedRow:
    sheet: str
    number: int
    values: dict[str, Any]
    columns: dict[str, tuple[str, str]]  # field name -> (column letter, header as written)

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


def check_workbook_file(fp, *, max_bytes=None, max_expanded=None) -> None:
    """Refuse what is not an xlsx workbook, is too large, or expands too far when unzipped,
    before openpyxl sees it."""
    max_bytes = max_bytes or settings.SPREADSHEET_MAX_UPLOAD_BYTES
    max_expanded = max_expanded or settings.SPREADSHEET_MAX_EXPANDED_BYTES
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    fp.seek(0)
    if size > max_bytes:
        raise WorkbookRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": round(max_bytes / 1024 / 1024, 1)}
        )
    head = fp.read(8)
    fp.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookRefused(_("Old .xls workbooks are not accepted; save the file as .xlsx and try again."))
    if not zipfile.is_zipfile(fp):
        fp.seek(0)
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx)."))
    fp.seek(0)
    try:
        with zipfile.ZipFile(fp) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx).")) from exc
    finally:
        fp.seek(0)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(_("The file is not an Excel workbook (.xlsx)."))
    if expanded > max_expanded:
        raise WorkbookRefused(
            _("The workbook expands to %(size)s MB when opened; the limit is %(limit)s MB.")
            % {"size": round(expanded / 1024 / 1024), "limit": round(max_expanded / 1024 / 1024)}
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


def _is_blank(row: tuple) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _rows_from_iterator(importer, sheet_name: str, rows: Iterator[tuple], errors: list[RowError]):
    buffer = []
    for _index in range(importer.header_search_rows):
        try:
            buffer.append(tuple(next(rows)))
        except StopIteration:
            break
    found = _find_header(buffer, importer.fields) if buffer else None
    missing = [f for f in importer.fields if f.required and (found is None or f.name not in found[1])]
    if found is None or missing:
        names = "、".join(str(f.header) for f in (missing or importer.fields))
        errors.append(
            RowError(
                sheet_name,
                None,
                None,
                None,
                _("Header row not found; missing columns: %(names)s") % {"names": names},
            )
        )
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
            cell = raw[column] if column < len(raw) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if f.required:
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


def read_workbook_rows(fp, importer: SpreadsheetImport, errors: list[RowError]) -> Iterator[ParsedRow]:
    check_workbook_file(fp)
    try:
        workbook = load_workbook(fp, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise WorkbookRefused(_("The workbook cannot be read: it may be damaged.")) from exc
    try:
        if importer.sheet_name:
            if importer.sheet_name not in workbook.sheetnames:
                raise WorkbookRefused(
                    _('The workbook has no sheet named "%(name)s".') % {"name": importer.sheet_name}
                )
            sheet = workbook[importer.sheet_name]
        else:
            sheet = workbook.worksheets[0]
        yield from _rows_from_iterator(importer, sheet.title, sheet.iter_rows(values_only=True), errors)
    finally:
        workbook.close()


def read_csv_rows(fp, importer: SpreadsheetImport, errors: list[RowError]) -> Iterator[ParsedRow]:
    raw = fp.read()
    if isinstance(raw, str):
        text = raw
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise WorkbookRefused(_("The CSV file is neither UTF-8 nor GB18030 encoded."))
    yield from _rows_from_iterator(importer, "CSV", iter(csv.reader(io.StringIO(text))), errors)


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

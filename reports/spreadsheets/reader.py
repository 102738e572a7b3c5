"""Reading an import: the file is checked before it is opened (xlsx or CSV, size cap; for xlsx
the zip's entries: their number, each part's expanded size and compression ratio), read in
read-only mode (CSV streamed), headers matched by Chinese or English aliases, and every row
validated and saved by :func:`run_import` inside one transaction that is rolled back if any row
fails, so a failed import changes nothing."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .fields import (
    PARSERS,
    Field,
    ImportFailed,
    ParsedRow,
    RowError,
    SpreadsheetImport,
    WorkbookRefused,
    is_footnote,
    is_placeholder,
    is_subtotal_label,
    is_summary_label,
    is_total_label,
    join_names,
    normalise_label,
    normalise_text,
)
from .text import imported_text


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


def _as_written(value) -> str:
    """A heading as typed (乡镇（街道） keeps its full-width brackets in the messages that name it);
    matching folds it with :func:`normalise_label`."""
    return str(value).strip()


def _header_texts(rows: list[tuple]) -> dict[int, list[str]]:
    width = max(len(row) for row in rows)
    texts: dict[int, list[str]] = {}
    if len(rows) == 1:
        for column, value in enumerate(rows[0]):
            if value not in (None, ""):
                texts[column] = [_as_written(value)]
        return texts
    upper, lower = rows
    group = None
    for column in range(width):
        top = upper[column] if column < len(upper) else None
        bottom = lower[column] if column < len(lower) else None
        if top not in (None, ""):
            group = _as_written(top)
            if bottom in (None, ""):
                texts[column] = [group]  # a heading merged down both rows
                continue
        elif bottom in (None, ""):
            group = None
            continue
        if bottom not in (None, ""):
            sub = _as_written(bottom)
            texts[column] = [sub, f"{group}{sub}" if group else sub, f"{group}-{sub}" if group else sub]
    return texts


# A unit written after a heading: 已建数（个）, 面积（平方米）, 金额（万元）.
_UNIT = re.compile(r"\((?:个|处|家|所|间|套|人|人次|名|元|万元|㎡|m2|m²|平方米|%)\)$")


def _header_labels(rows: list[tuple]) -> dict[int, set[str]]:
    labels = {}
    for column, texts in _header_texts(rows).items():
        options = {normalise_label(text) for text in texts}
        labels[column] = options | {_UNIT.sub("", option) for option in options if _UNIT.search(option)}
    return labels


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
        cell = cell.formula if kind in ("str", "text") else cell.result
    if isinstance(cell, str):
        cell = imported_text(cell)
    return cell


def _missing_columns_error(sheet_name, found, fields, missing) -> RowError:
    names = join_names(str(f.header) for f in missing)
    if found is None:
        return RowError(
            sheet_name,
            None,
            None,
            None,
            _("No header row was found in the first rows; the sheet needs the columns: %(names)s")
            % {"names": join_names(str(f.header) for f in fields if f.needs_column)},
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
        if _is_blank(raw) or is_footnote(list(raw)):
            continue
        label = _total_label(raw, mapping.get(importer.subtotal_label_field or ""))
        is_total = label is not None
        values, row_errors, empty, words = {}, [], set(), {}
        for name, column in mapping.items():
            f = by_name[name]
            original = raw[column] if column < len(raw) else None
            cell = _cell_input(original, f.kind)
            unsaved = isinstance(original, FormulaCell) and original.result is None
            if _is_blank_value(original):
                empty.add(name)
            if (f.blank_is_zero or f.dash_is_blank) and not unsaved and is_placeholder(cell):
                if f.blank_is_zero:
                    values[name] = Decimal(0) if f.kind == "decimal" else 0
                    continue
                cell = None
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
                elif f.required and not is_total:
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
            if f.words and isinstance(cell, str) and "".join(cell.split()) in f.words:
                values[name], words[name] = None, "".join(cell.split())  # 缺考: no score
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
        name = _row_name(raw, mapping.get(importer.row_name_field or ""))
        for error in row_errors:
            error.name = name
        if row_errors:
            errors.extend(row_errors)
            if not is_total:
                importer.unreadable_row(ParsedRow(sheet_name, number, values, columns, name=name))
            continue
        yield ParsedRow(
            sheet_name,
            number,
            values,
            columns,
            is_total=is_total,
            empty=frozenset(empty),
            label=label or "",
            name=name,
            words=words,
        )


def _row_name(raw: tuple, column: int | None) -> str:
    if column is None or column >= len(raw):
        return ""
    cell = raw[column]
    if isinstance(cell, FormulaCell):
        cell = cell.result
    return "".join(normalise_text(cell).split()) if cell is not None else ""


def _total_label(raw: tuple, name_column: int | None) -> str | None:
    """The label of a totals row, spaces dropped: 合计 / 总计 / 小计 written in any cell of the
    row (the label column, a 序号 column, a merged cell spanning both), or a group's subtotal
    (街道小计) or a summary (平均分, 最高分) in the name column or left of it when the import has
    one. None: not a totals row."""
    for index, cell in enumerate(raw):
        if isinstance(cell, FormulaCell):
            cell = cell.result
        if not isinstance(cell, str):
            continue
        if is_total_label(cell) or (
            name_column is not None
            and index <= name_column
            and (is_subtotal_label(cell) or is_summary_label(cell))
        ):
            return "".join(cell.split())
    return None


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


_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(book, sheet) -> bool:
    """Does the sheet's XML hold a formula element? Scanned in compressed-size chunks (C speed),
    so that a sheet of plain values is parsed once rather than twice."""
    try:
        with book._archive.open(sheet._worksheet_path) as part:
            tail = b""
            while chunk := part.read(1 << 20):
                if _FORMULA_ELEMENT.search(tail + chunk):
                    return True
                tail = chunk[-32:]
    except (AttributeError, KeyError):  # not openpyxl's read-only layout: assume formulas
        return True
    return False


def read_workbook_rows(fp, importer: SpreadsheetImport, errors: list[RowError]) -> Iterator[ParsedRow]:
    check_workbook_file(fp)
    books = []
    try:
        try:
            # Saved results, and, when the sheet has formulas, a second view with the formulas
            # (openpyxl gives one or the other). Both stream; the parts they read are capped above.
            books.append(load_workbook(fp, read_only=True, data_only=True))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise WorkbookRefused(_("The workbook cannot be read: it may be damaged.")) from exc
        values_book = books[0]
        if importer.sheet_name:
            if importer.sheet_name not in values_book.sheetnames:
                raise WorkbookRefused(
                    _('The workbook has no sheet named "%(name)s".') % {"name": importer.sheet_name}
                )
            name = importer.sheet_name
        else:
            name = values_book.sheetnames[0]
        rows = values_book[name].iter_rows(values_only=True)
        if _has_formulas(values_book, values_book[name]):
            try:
                books.append(load_workbook(fp, read_only=True, data_only=False))
            except Exception as exc:
                raise WorkbookRefused(_("The workbook cannot be read: it may be damaged.")) from exc
            rows = _with_formulas(rows, books[1][name].iter_rows(values_only=True))
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
    every error (up to ``max_errors``) and writes nothing if any row is bad. The engine knows no
    app: a caller whose rows are audited runs it inside ``accounts.audit.audit_context``."""
    errors: list[RowError] = []
    results = []
    is_csv = filename.lower().endswith(".csv")
    reader = read_csv_rows if is_csv else read_workbook_rows
    try:
        with transaction.atomic():
            _save_rows(importer, reader(fp, importer, errors), errors, results)
    except WorkbookRefused as exc:
        raise ImportFailed([RowError("", None, None, None, message) for message in exc.messages]) from exc
    if errors:
        raise ImportFailed(errors[: importer.max_errors])
    return ImportResult(rows=len(results), results=results)


def _save_rows(importer, rows, errors, results):
    # A savepoint per row lets a row that wrote and then failed be undone alone; an importer that
    # writes only in ``finish`` needs none (200,000 savepoints cost more than the rows).
    row_transaction = nullcontext if importer.writes_in_finish else transaction.atomic
    for row in rows:
        if len(errors) >= importer.max_errors:
            break
        if row.is_total:
            importer.save_total(row)
            continue
        try:
            with row_transaction():
                results.append(importer.save_row(row))
        except ValidationError as exc:
            errors.extend(_validation_messages(importer, row, exc))
        except IntegrityError as exc:
            errors.append(row.error(_("The row conflicts with existing data: %(reason)s") % {"reason": exc}))
    if not errors:
        errors.extend(importer.finish())
    elif len(errors) < importer.max_errors:
        errors.extend(importer.incomplete())
    errors.sort(key=lambda error: (error.row is not None, error.row or 0, error.column or ""))  # table order
    if errors:
        transaction.set_rollback(True)

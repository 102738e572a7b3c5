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
import changes nothing. Tables are read as people make them: a number column declared
``blank_is_zero`` reads an empty cell, a dash, a slash or 无 as 0 (``dash_is_blank``: as no value),
full-width digits and spaces are read, headers may break over lines or group under merged cells,
and a totals row (合计 / 总计 / 小计 in any cell, wherever it stands) goes to ``importer.totals``
for the import's own sum check instead of ``save_row``; closing lines (填表人：…) are skipped.
``template_book`` lays out an import's template workbook. A column declared required must be in
the header; an optional column that is absent is not in ``ParsedRow.present`` and must not
overwrite what is stored. Every error names the sheet, row, column and reason.

``text`` holds what both directions share, ``writer`` the export, ``fields`` the declarations of
an import and ``reader`` its reading; the names below are the public ones.
"""

from .fields import (
    PARSERS,
    Field,
    ImportFailed,
    ParsedRow,
    RowError,
    SpreadsheetImport,
    WorkbookRefused,
    normalise_label,
    normalise_text,
    parse_date,
)
from .reader import (
    FormulaCell,
    ImportResult,
    check_file_size,
    check_workbook_file,
    read_csv_rows,
    read_workbook_rows,
    run_import,
)
from .text import (
    EXCEL_MAX_CELL_CHARS,
    EXCEL_MAX_ROWS,
    FORMULA_NEUTRALISER,
    FORMULA_TRIGGERS,
    XLSX_CONTENT_TYPE,
    imported_text,
    sheet_text,
    sheet_title,
)
from .writer import (
    Column,
    SheetSpec,
    choice_label,
    content_disposition_filename,
    excel_value,
    export_response,
    write_workbook,
)

__all__ = [
    "EXCEL_MAX_CELL_CHARS",
    "EXCEL_MAX_ROWS",
    "FORMULA_NEUTRALISER",
    "FORMULA_TRIGGERS",
    "PARSERS",
    "XLSX_CONTENT_TYPE",
    "Column",
    "Field",
    "FormulaCell",
    "ImportFailed",
    "ImportResult",
    "ParsedRow",
    "RowError",
    "SheetSpec",
    "SpreadsheetImport",
    "WorkbookRefused",
    "check_file_size",
    "check_workbook_file",
    "choice_label",
    "content_disposition_filename",
    "excel_value",
    "export_response",
    "imported_text",
    "normalise_label",
    "normalise_text",
    "parse_date",
    "read_csv_rows",
    "read_workbook_rows",
    "run_import",
    "sheet_text",
    "sheet_title",
    "write_workbook",
]

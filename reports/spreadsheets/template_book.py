"""Template workbooks for imports: the table laid out like the official one it stands for (an
附件 mark and a title above, one or two header rows with group cells merged over their columns,
rows already filled where the table lists known things, a 合计 row) and a 填写说明 sheet of
instructions. An import reads its own template back unchanged (tests make the round trip)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .text import XLSX_CONTENT_TYPE, sheet_text, sheet_title
from .writer import content_disposition_filename

INSTRUCTIONS_SHEET = "填写说明"

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=16)
_MARK_FONT = Font(size=12)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the table: its heading as the official table writes it, the group heading
    merged over it and its neighbours (指导数 over 小计, 2025 …), its width and whether it holds
    whole numbers."""

    header: str
    group: str | None = None
    width: int = 12
    number: bool = False
    text: bool = False  # a text column (codes, phone numbers): cells formatted as text


@dataclass
class TemplateTable:
    sheet: str
    columns: list[TemplateColumn]
    title: str = ""
    mark: str = ""  # 附件 / 附件2, above the title as in the notice
    rows: list[list] = field(default_factory=list)  # rows already filled (towns, a 合计 row)
    blank_rows: int = 20  # bordered empty rows to type into, after ``rows``
    closing_rows: list[list] = field(default_factory=list)  # after the empty rows: 合计
    instructions_title: str = ""
    instructions: list[str] = field(default_factory=list)


def _header(sheet, table: TemplateTable, top: int) -> int:
    """Writes the header from row ``top``; returns the number of header rows."""
    grouped = any(column.group for column in table.columns)
    depth = 2 if grouped else 1
    index = 0
    while index < len(table.columns):
        column = table.columns[index]
        letter = index + 1
        if column.group:
            span = 1
            while index + span < len(table.columns) and table.columns[index + span].group == column.group:
                span += 1
            sheet.cell(row=top, column=letter, value=column.group)
            if span > 1:
                sheet.merge_cells(
                    start_row=top, start_column=letter, end_row=top, end_column=letter + span - 1
                )
            for offset in range(span):
                sheet.cell(row=top + 1, column=letter + offset, value=table.columns[index + offset].header)
            index += span
            continue
        sheet.cell(row=top, column=letter, value=column.header)
        if depth == 2:
            sheet.merge_cells(start_row=top, start_column=letter, end_row=top + 1, end_column=letter)
        index += 1
    for row in range(top, top + depth):
        for letter in range(1, len(table.columns) + 1):
            cell = sheet.cell(row=row, column=letter)
            cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTRE, _BOX
    return depth


def _table_sheet(book: Workbook, table: TemplateTable) -> None:
    sheet = book.create_sheet(sheet_title(table.sheet))
    width = len(table.columns)
    row = 1
    if table.mark:
        sheet.cell(row=row, column=1, value=table.mark).font = _MARK_FONT
        row += 1
    if table.title:
        cell = sheet.cell(row=row, column=1, value=table.title)
        cell.font, cell.alignment = _TITLE_FONT, Alignment(horizontal="center", vertical="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = 30
        row += 1
    depth = _header(sheet, table, row)
    row += depth
    sheet.freeze_panes = sheet.cell(row=row, column=1)
    for values in [*table.rows, *([[]] * table.blank_rows), *table.closing_rows]:
        for index, column in enumerate(table.columns):
            value = values[index] if index < len(values) else None
            cell = sheet.cell(
                row=row, column=index + 1, value=sheet_text(value) if isinstance(value, str) else value
            )
            cell.border = _BOX
            if column.number:
                cell.number_format = "0"
                cell.alignment = Alignment(horizontal="center")
            elif column.text:
                cell.number_format = "@"
        row += 1
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def _instructions_sheet(book: Workbook, table: TemplateTable) -> None:
    sheet = book.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append([table.instructions_title or table.title or table.sheet])
    sheet["A1"].font = _HEADER_FONT
    for number, line in enumerate(table.instructions, start=1):
        sheet.append([f"{number}. {line}"])
        sheet.cell(row=sheet.max_row, column=1).alignment = _WRAP
    sheet.column_dimensions["A"].width = 110


def template_workbook(table: TemplateTable) -> bytes:
    """The table's sheet first (an import reads the first sheet), then 填写说明."""
    book = Workbook()
    book.remove(book.active)
    _table_sheet(book, table)
    _instructions_sheet(book, table)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_response(table: TemplateTable, name: str) -> HttpResponse:
    """The template as a download named ``name``导入模板.xlsx."""
    response = HttpResponse(template_workbook(table), content_type=XLSX_CONTENT_TYPE)
    filename = content_disposition_filename(f"{name}导入模板")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

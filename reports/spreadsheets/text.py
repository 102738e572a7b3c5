"""What text may go into a cell and come out of one, both ways: characters XML cannot hold are
dropped, and text that a spreadsheet would run as a formula is quoted (OWASP)."""

from __future__ import annotations

import re

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters an xlsx part (XML 1.0) cannot hold: one stored \x0b made openpyxl refuse a whole
# region's export (IllegalCharacterError). They carry no meaning in our data, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# OWASP, "CSV Injection": a cell beginning with one of these is taken for a formula by
# spreadsheet programs (also when an officer edits the cell and presses Enter). The remedy OWASP
# gives is a leading single quote, which Excel and WPS show as text; imports take it off again.
# A carriage return is stored as a line break: a bare CR is not kept by every reader of the file
# (it is written escaped, and comes back as "_x000D_"), and a text that begins with a line break
# is quoted like one that begins with a tab.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMULA_NEUTRALISER = "'"
_NEEDS_CARE = re.compile(_NOT_XML.pattern + "|\r|^['=+\\-@\t\n]")


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
    text = _NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
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

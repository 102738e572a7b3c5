"""Declaring an import: the fields of a sheet (:class:`Field`) with their parsers, the row as
read (:class:`ParsedRow`), the errors that name sheet, row and column, and
:class:`SpreadsheetImport`, which each app's ``imports.py`` subclasses."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel


def join_names(items) -> str:
    """Items listed as the language lists them: 2025、2026、2027 in Chinese, 2025, 2026, 2027 in
    English."""
    separator = "、" if (get_language() or "").lower().startswith("zh") else ", "
    return separator.join(str(item) for item in items)


class WorkbookRefused(ValidationError):
    """The file is not a workbook we agree to open (format, size, zip bomb)."""


# a space between Chinese characters or full-width punctuation (收费标准 （元）) is no word break
_HEADER_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str | None
    header: str | None
    message: str
    name: str = ""  # who or what the row is about, where the import names rows (姓名: 王芳)

    def __str__(self):
        if not self.sheet:
            return self.message
        if self.row is None:
            return _('Sheet "%(sheet)s": %(message)s') % {"sheet": self.sheet, "message": self.message}
        values = {"sheet": self.sheet, "row": self.row, "name": self.name, "message": self.message}
        if self.column is None:
            if self.name:
                return _('Sheet "%(sheet)s", row %(row)s (%(name)s): %(message)s') % values
            return _('Sheet "%(sheet)s", row %(row)s: %(message)s') % values
        values["column"] = self.column
        # a header typed over two lines (已移\n交数) or spaced out (小 计) is named as one word
        values["header"] = _HEADER_GAP.sub("", re.sub(r"\s*[\r\n]+\s*", "", str(self.header or "")))
        if self.name:
            return (
                _('Sheet "%(sheet)s", row %(row)s (%(name)s), column %(column)s (%(header)s): %(message)s')
                % values
            )
        return _('Sheet "%(sheet)s", row %(row)s, column %(column)s (%(header)s): %(message)s') % values


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


# What tables write in a number cell for "none": dashes of every width, slashes, 无.
_PLACEHOLDER = re.compile(r"^(?:[-‐‑‒–—―－~〜/／\\]+|无|/无)$")


def is_placeholder(value) -> bool:
    """An empty cell, or one holding a dash, a slash or 无 (``-``, ``—``, ``－``, ``／``, ``/``)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    return text == "" or _PLACEHOLDER.match(text) is not None


# A totals row: one of its cells says 合计 / 总计 / 小计 (also 全市合计, 合 计, 合计：, 共 7 项).
_TOTAL_LABEL = re.compile(
    r"^(?:全[市县区镇乡]|本[市县区镇])?(?:合计|总计|小计)(?:[(（][^)）]*[)）])?[:：]?$|^共\d+项$"
)


def is_total_label(value) -> bool:
    if not isinstance(value, str):
        return False
    return _TOTAL_LABEL.match(_compact_label(value)) is not None


# A group's subtotal named after its group: 街道小计, 溪美街道小计, 乡镇合计 (read only where an
# import says its rows may have them, in the name column or left of it: free text elsewhere may
# end with 小计).
_SUBTOTAL_LABEL = re.compile(r"^[\u3400-\u9fff]{1,12}(?:小计|合计)(?:[(（][^)）]*[)）])?[:：]?$")
# The table's own total: 合计, 总计, 全市合计 (小计 alone is a subtotal when a 合计 is there too).
_GRAND_TOTAL_LABEL = re.compile(
    r"^(?:全[市县区镇乡]|本[市县区镇])?(?:合计|总计)(?:[(（][^)）]*[)）])?[:：]?$|^共\d+项$"
)


def _compact_label(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


# A summary row below the people of a sheet: 平均分, 平均, 最高分, 最低分 (read, like subtotals,
# in the name column or left of it only).
_SUMMARY_LABEL = re.compile(r"^(?:平均分?|平均值|平均成绩|最高分?|最低分?)[:：]?$")


def is_summary_label(value) -> bool:
    return isinstance(value, str) and _SUMMARY_LABEL.match(_compact_label(value)) is not None


def is_subtotal_label(value) -> bool:
    return isinstance(value, str) and _SUBTOTAL_LABEL.match(_compact_label(value)) is not None


def is_grand_total_label(value) -> bool:
    return isinstance(value, str) and _GRAND_TOTAL_LABEL.match(_compact_label(value)) is not None


# A closing line below a table: 填表人：… 联系电话：… 注：… 备注：… 数据来源：…
_FOOTNOTE = re.compile(
    r"^(?:填表人|填报人|审核人?|负责人|单位负责人|制表人?|联系人|联系电话|填报单位|填表单位|填报日期|填表日期|"
    r"报送单位|报送日期|制表单位|制表日期|数据来源|资料来源|填表说明|填报说明|备注|注|说明)\s*\d*\s*[:：、.]"
)
_LABELLED = re.compile(r"^[^:：]{1,8}[:：]")


def is_footnote(cells: list) -> bool:
    """Every filled cell is text, the first is a closing label (填表人：, 注：) and any other a
    labelled value (联系电话：…)."""
    filled = [cell for cell in cells if cell is not None and not (isinstance(cell, str) and not cell.strip())]
    if not filled or not all(isinstance(cell, str) for cell in filled):
        return False
    first = normalise_text(filled[0])
    return _FOOTNOTE.match(first) is not None and all(_LABELLED.match(normalise_text(c)) for c in filled[1:])


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


def _parse_text(value):
    """Text as written: surrounding spaces trimmed, full-width punctuation kept (a list's item
    names keep their （）and ，, which NFKC would fold)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number_text(value) -> str:
    """A number as typed: full-width digits folded (NFKC), spaces and thousands separators
    dropped (１ ２３４ → 1234)."""
    return re.sub(r"[\s,]+", "", normalise_text(value))


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
        number = Decimal(_number_text(value))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _parse_decimal(value):
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        return Decimal(str(value) if isinstance(value, int | float) else _number_text(value))
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
    "text": (_parse_text, None),
    # a figure that may also be written in words ("12元", "免费"): read as text, but a formula
    # gives its saved result, as in a number column
    "figure": (_parse_text, None),
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
    handler must keep the stored value rather than write a blank over it.

    ``blank_is_zero`` (number columns): an empty cell, a dash (``-``, ``—``, ``－``), a slash
    (``/``, ``／``) or 无 reads as 0, as in the official tables whose sums count such a cell as
    nothing. ``dash_is_blank``: a dash, slash or 无 reads as an empty cell (a score not given)."""

    name: str
    header: str | Promise
    aliases: tuple[str, ...] = ()
    kind: str = "str"
    required: bool = True
    column_required: bool | None = None
    blank_is_zero: bool = False
    dash_is_blank: bool = False
    # Words a number cell may hold instead of a figure (a score's 缺考, 请假): read as no value,
    # the word kept in :attr:`ParsedRow.words` for the import to act on.
    words: tuple[str, ...] = ()

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
    is_total: bool = False  # a 合计 / 总计 / 小计 row, kept aside in ``SpreadsheetImport.totals``
    # The fields whose cell was empty (nothing typed; a dash or 无 is typed): a ``blank_is_zero``
    # field reads such a cell as 0 in ``values``, and an import may tell a row left empty apart.
    empty: frozenset[str] = frozenset()
    label: str = ""  # a totals row's label as written, spaces dropped (合计, 小计, 街道小计)
    name: str = ""  # the row's name in its errors (``SpreadsheetImport.row_name_field``)
    words: dict[str, str] = field(default_factory=dict)  # field name -> the word read (缺考)

    @property
    def present(self) -> frozenset[str]:
        """The fields whose column is in the sheet (absent ones read as None in ``values``)."""
        return frozenset(self.columns)

    def given(self) -> dict[str, Any]:
        """``values`` restricted to the columns the sheet has: what an update may write."""
        return {name: value for name, value in self.values.items() if name in self.columns}

    def error(self, message: str, field_name: str | None = None) -> RowError:
        letter, header = self.columns.get(field_name, (None, None)) if field_name else (None, None)
        return RowError(self.sheet, self.number, letter, header, message, self.name)


class SpreadsheetImport:
    """Subclass and declare ``fields``; implement :meth:`save_row`, which validates through the
    same service or serializer as the API and raises ``ValidationError`` for bad data."""

    fields: list[Field] = []
    sheet_name: str | None = None  # None: the first sheet
    header_search_rows = 20
    max_errors = 200
    # True when ``save_row`` only checks and collects, and every write happens in ``finish``:
    # a bad row then has nothing to undo, so the engine opens no savepoint per row (the import
    # is still one transaction, all or nothing).
    writes_in_finish = False
    # The field whose column names a row (a town): a cell there, or left of it, ending with 小计 /
    # 合计 (街道小计) makes the row a totals row as well. None: only 合计 / 总计 / 小计 themselves.
    subtotal_label_field: str | None = None
    # The field that says who a row is about (a person's 姓名): every error of the row names it
    # beside the row number. None: errors name the row by its number only.
    row_name_field: str | None = None

    def __init__(self, *, by=None, channel: str = "import"):
        self.by = by
        self.channel = channel
        self.totals: list[ParsedRow] = []

    def save_row(self, row: ParsedRow) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def save_total(self, row: ParsedRow) -> None:
        """A totals row (合计 / 总计 / 小计 in any of its cells, wherever it stands): never a
        record; kept in :attr:`totals` for :meth:`finish` to compare with the rows' sums."""
        self.totals.append(row)

    def unreadable_row(self, row: ParsedRow) -> None:
        """A row with a cell that could not be read (its errors are already listed): ``values``
        holds the cells that could. Kept by imports that still check its names."""

    def incomplete(self) -> list[RowError]:
        """Called instead of :meth:`finish` when some cells could not be read or some rows were
        refused: errors that need no sums (an unknown place), so that the page lists them
        together. The sums are checked only on a table read whole."""
        return []

    def finish(self) -> list[RowError]:
        """Called once after every row was read without error, inside the same transaction;
        for imports that must see the whole file before saving. Returns errors, if any."""
        return []

    def field_for_error_key(self, key: str) -> str | None:
        """Map a serializer / model error key to one of our field names (override when they
        differ)."""
        return key if any(f.name == key for f in self.fields) else None

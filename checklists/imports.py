"""Spreadsheet imports of the five lists (五张清单), and their template workbooks.

One import fills one list of a draft (or returned) version, all or nothing: the list is emptied
(``services.clear_items``) and every row added through ``services.add_item`` inside one
transaction, so a single bad row leaves the stored list exactly as it was. The rules (required
columns, fees, duplicates…) are the services'; this module reads the table as people make it:
Chinese headers and their usual variants, choice columns by their Chinese (or English) labels,
fees written "12元", "12.00" or "免费".

Public functions (what the portal and the API call):

* ``import_list(version, kind, fp, *, by, filename="", channel="import") -> ImportResult``
  — replace one list (``kind``, a ``ListKind`` value) of ``version`` with the first sheet of the
  file (xlsx, or CSV when ``filename`` ends in .csv). ``result.rows`` is the number of items.
* ``import_workbook(version, fp, *, by, channel="import") -> dict[str, int]``
  — replace every list whose sheet (named 服务项目清单 … or an alias) holds rows; returns
  ``{kind: items imported}``. Sheets without rows leave their list as it is.
  Both raise ``reports.spreadsheets.ImportFailed`` (``.messages``: each naming sheet, row,
  column and reason) with nothing written, and ``PermissionDenied`` for a user who may not
  change the version.
* ``template_workbook(kind=None) -> bytes`` — the template of one list, or of all five
  (``kind=None``): headers, a note row, an example row, drop-down lists for the choice columns
  and a 填写说明 sheet.
* ``template_response(kind=None) -> HttpResponse`` — the same as a download.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.audit import audit_context
from reports.spreadsheets.fields import (
    Field,
    ImportFailed,
    ParsedRow,
    RowError,
    SpreadsheetImport,
    WorkbookRefused,
    join_names,
    normalise_label,
)
from reports.spreadsheets.reader import ImportResult, check_workbook_file, run_import
from reports.spreadsheets.registry import register_import
from reports.spreadsheets.text import XLSX_CONTENT_TYPE, sheet_text
from reports.spreadsheets.writer import content_disposition_filename
from stations.models import PriceLevel, PriceUnit, ServiceCategory

from . import services
from .models import ChecklistVersion, DutyParty, ListKind, ResourceKind

# --- the columns of each list ---------------------------------------------------------------------

# The sheet of each list as the official table names it, and the names people give it.
SHEET_NAMES = {
    ListKind.SERVICES: ("服务项目清单", ("服务项目", "服务清单", "服务项目及收费清单", "明码标价")),
    ListKind.FACILITIES: ("服务设施清单", ("服务设施", "设施清单")),
    ListKind.POLICIES: ("政策支持清单", ("政策支持", "政策清单")),
    ListKind.RESOURCES: ("资源对接清单", ("资源对接", "资源清单")),
    ListKind.DUTIES: ("责任分工清单", ("责任分工", "责任清单", "分工清单")),
}

# Choice labels as people type them, besides the codes and the labels in Chinese and English.
CATEGORY_WORDS = {
    ServiceCategory.MEALS: ("助餐", "送餐", "助餐送餐", "助餐服务", "老年助餐"),
    ServiceCategory.CLEANING: ("助洁", "保洁", "助洁服务"),
    ServiceCategory.BATHING: ("助浴", "助浴服务"),
    ServiceCategory.MEDICAL_ESCORT: ("陪同就医", "助医", "陪诊", "陪医"),
    ServiceCategory.EMERGENCY: ("紧急救助", "紧急求助", "应急救助", "助急"),
    ServiceCategory.WALKING: ("助行",),
    ServiceCategory.CARE_VISIT: ("寻访关爱", "关爱探访", "探访", "寻访", "关爱"),
    ServiceCategory.REPAIR: ("家电维修", "维修", "助修"),
    ServiceCategory.ERRANDS: ("代购跑腿", "代购", "跑腿", "代办"),
    ServiceCategory.DAY_CARE: ("日间托养", "日托", "日间照料"),
    ServiceCategory.PERSONAL_CARE: ("生活照料", "照料"),
    ServiceCategory.OTHER: ("其他", "其它"),
}
UNIT_WORDS = {
    PriceUnit.TIME: ("次", "每次", "人次", "元/次"),
    PriceUnit.HOUR: ("小时", "时", "每小时", "元/小时"),
    PriceUnit.MEAL: ("餐", "份", "每餐", "元/餐", "元/份"),
    PriceUnit.DAY: ("天", "日", "每天", "元/天", "元/日"),
    PriceUnit.MONTH: ("月", "每月", "元/月"),
}
LEVEL_WORDS = {
    PriceLevel.FREE: ("免费", "无偿", "公益"),
    PriceLevel.LOW_COST: ("低偿", "低收费", "优惠"),
    PriceLevel.MARKET: ("市场价", "有偿", "市场"),
}
RESOURCE_WORDS = {
    ResourceKind.ELDERLY_SERVICE: ("养老服务机构", "养老机构", "为老服务机构"),
    ResourceKind.PUBLIC_WELFARE: ("公益单位", "公益组织", "社会组织"),
    ResourceKind.VOLUNTEER_TEAM: ("志愿服务队", "志愿者队伍", "志愿团队", "志愿者"),
    ResourceKind.CHARITY: ("慈善组织", "慈善机构", "基金会"),
    ResourceKind.MEDICAL: ("医疗机构", "医院", "社区卫生服务中心"),
    ResourceKind.OTHER: ("其他", "其它", "其他组织"),
}
PARTY_WORDS = {
    DutyParty.DEPARTMENT: ("政府部门", "职能部门", "区职能部门", "主管部门"),
    DutyParty.STREET: ("街道（镇）", "街道", "镇", "街镇", "街道办事处", "乡镇"),
    DutyParty.RESIDENTS_COMMITTEE: ("居委会", "居民委员会", "村居委会"),
    DutyParty.PROPERTY_COMPANY: ("物业服务企业", "物业企业", "物业公司", "物业"),
    DutyParty.OWNERS_COMMITTEE: ("业主委员会", "业委会"),
    DutyParty.ELDERLY_BODY: ("社区养老服务机构", "社区为老服务机构", "社区为老服务组织", "养老服务组织"),
}
CHOICES = {
    "category": (ServiceCategory, CATEGORY_WORDS),
    "unit": (PriceUnit, UNIT_WORDS),
    "level": (PriceLevel, LEVEL_WORDS),
    "resource_kind": (ResourceKind, RESOURCE_WORDS),
    "party": (DutyParty, PARTY_WORDS),
}


@dataclass(frozen=True)
class ListColumn:
    """One column of a list's sheet: the item field, the official heading and its variants, and
    how the template shows it."""

    name: str
    header: str
    aliases: tuple[str, ...] = ()
    width: float = 16
    number_format: str | None = None


COLUMNS = {
    ListKind.SERVICES: (
        ListColumn("name", "服务内容", ("服务项目", "服务名称", "项目名称", "服务项目名称", "name"), 28),
        ListColumn("category", "服务类别", ("服务类型", "类别", "服务分类", "category"), 14),
        ListColumn(
            "price",
            "收费标准（元）",
            ("收费标准", "价格", "价格（元）", "收费（元）", "收费", "服务价格", "单价", "price"),
            14,
            "0.00",
        ),
        ListColumn("unit", "计价单位", ("单位", "收费单位", "计费单位", "unit"), 10),
        ListColumn(
            "level",
            "收费性质（免费/低偿/市场价）",
            ("收费性质", "收费类型", "服务性质", "收费方式", "level"),
            16,
        ),
        ListColumn("provider", "服务提供方", ("提供方", "服务提供单位", "服务主体", "provider"), 24),
        ListColumn("note", "备注", ("说明", "note"), 24),
    ),
    ListKind.FACILITIES: (
        ListColumn("name", "设施名称", ("设施", "场所名称", "name"), 24),
        ListColumn("place", "位置", ("地点", "地址", "所在位置", "place"), 24),
        ListColumn(
            "area", "面积（㎡）", ("面积", "面积（m²）", "面积（平方米）", "面积(m2)", "area"), 12, "0.0"
        ),
        ListColumn("capacity", "容纳人数", ("可容纳人数", "容量", "容量（人）", "capacity"), 10),
        ListColumn("opening_hours", "开放时间", ("开放时段", "服务时间", "opening hours"), 28),
        ListColumn("run_by", "运营方", ("运营单位", "管理单位", "run by"), 20),
        ListColumn("note", "备注", ("说明", "note"), 24),
    ),
    ListKind.POLICIES: (
        ListColumn("name", "政策名称", ("政策", "政策项目", "name"), 28),
        ListColumn("document_number", "文号", ("政策文号", "文件号", "发文字号", "document number"), 20),
        ListColumn("issuer", "发布单位", ("发文单位", "制定单位", "发布部门", "issuer"), 18),
        ListColumn("eligibility", "适用对象", ("支持对象", "享受对象", "对象", "eligibility"), 30),
        ListColumn("benefit", "支持内容", ("政策内容", "补贴标准", "支持标准", "benefit"), 36),
        ListColumn("where_to_apply", "申办地点", ("办理地点", "申请地点", "受理地点", "where to apply"), 24),
        ListColumn("note", "备注", ("说明", "note"), 24),
    ),
    ListKind.RESOURCES: (
        ListColumn("name", "单位名称", ("资源名称", "机构名称", "组织名称", "name"), 28),
        ListColumn("resource_kind", "类型", ("单位类型", "资源类型", "机构类型", "kind"), 16),
        ListColumn("contact_person", "联系人", ("contact person",), 12),
        ListColumn("contact_phone", "联系电话", ("电话", "联系方式", "手机", "contact phone"), 16),
        ListColumn("offer", "可提供服务", ("服务内容", "可提供资源", "提供服务", "offer"), 36),
        ListColumn("note", "备注", ("说明", "note"), 24),
    ),
    ListKind.DUTIES: (
        ListColumn("name", "责任主体", ("责任单位", "主体", "name"), 20),
        ListColumn("party", "主体类别", ("主体类型", "类别", "类型", "party"), 18),
        ListColumn("department", "部门/单位", ("部门（单位）", "部门", "单位", "科室", "department"), 20),
        ListColumn("duties", "职责", ("主要职责", "工作职责", "职责分工", "duties"), 48),
        ListColumn("note", "备注", ("说明", "note"), 24),
    ),
}

# The template's example rows begin with this mark; an import skips them.
EXAMPLE_MARK = "【示例】"
EXAMPLES = {
    ListKind.SERVICES: (
        f"{EXAMPLE_MARK}社区助餐（午餐）",
        "助餐送餐",
        12,
        "餐",
        "低偿",
        "",
        "",
    ),
    ListKind.FACILITIES: (
        f"{EXAMPLE_MARK}为老服务站活动室",
        "小区会所一楼",
        80,
        30,
        "周一至周五 08:30–17:30",
        "物业服务企业",
        "",
    ),
    ListKind.POLICIES: (
        f"{EXAMPLE_MARK}居家养老服务补贴",
        "",
        "区民政局",
        "经评估有照护需求的困难老年人",
        "按评估等级给予服务补贴",
        "街道社区事务受理服务中心",
        "",
    ),
    ListKind.RESOURCES: (
        f"{EXAMPLE_MARK}小区睦邻志愿服务队",
        "志愿服务队",
        "李队长",
        "13800000000",
        "结对关爱、代购代办",
        "",
    ),
    ListKind.DUTIES: (
        f"{EXAMPLE_MARK}区民政局",
        "职能部门",
        "养老服务科",
        "制定五张清单样张，指导、督导清单落实",
        "",
    ),
}


def _fields(kind: str) -> list[Field]:
    required = {"name", *services.KIND_FIELDS[kind]["required"]}
    return [
        Field(
            column.name,
            column.header,
            aliases=column.aliases,
            kind="figure" if column.name in ("price", "area", "capacity") else "text",
            required=False,  # the services say what is missing, in their words
            # 收费性质 can be read from a 免费 fee, 主体类别 from the party's name
            column_required=column.name in required and column.name not in ("level", "party"),
            dash_is_blank=column.name in ("area", "capacity"),  # 面积 “—”, 床位 “无”: not given
        )
        for column in COLUMNS[kind]
    ]


def _key(text) -> str:
    return normalise_label(text)


def _choice_table(field: str) -> dict[str, str]:
    """Every way a choice of ``field`` is written → its code: the code, its label in Chinese,
    in English and in the current language, and the words of ``CHOICES``."""
    choices, words = CHOICES[field]
    table = {}
    for value, label in choices.choices:
        table[_key(value)] = value
        table[_key(label)] = value
        for language in ("zh-hans", "en"):
            with override(language):
                table[_key(str(label))] = value
    for value, spellings in words.items():
        for spelling in spellings:
            table.setdefault(_key(spelling), value)
    return table


def _choice_labels(field: str) -> list[str]:
    return [str(label) for _value, label in CHOICES[field][0].choices]


_DEPARTMENT_ENDINGS = ("局", "委", "厅", "办公室")


def _party_of(name: str, table: dict[str, str]) -> str:
    """The kind of party a name says it is (居委会, 华阳路街道办事处, 区民政局…), or "";
    ``table`` is the party column's ``_choice_table``."""
    key = _key(name)
    if not key:
        return ""
    if key in table:
        return table[key]
    for word in sorted(table, key=len, reverse=True):
        if len(word) > 1 and key.endswith(word):
            return table[word]
    if "物业" in key:
        return DutyParty.PROPERTY_COMPANY
    return DutyParty.DEPARTMENT if key.endswith(_DEPARTMENT_ENDINGS) else ""


_YUAN = re.compile(r"^[¥￥]|元$|人民币|rmb", re.IGNORECASE)
_FREE = {"免费", "无偿", "不收费", "0元"}


def _read_fee(text: str) -> tuple[object, str]:
    """A fee as written ("12元", "12.00", "￥12", "12元/次", "免费") → (amount, unit word).
    What is not a number is handed on as written, for the service to refuse."""
    compact = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text))
    if compact in _FREE:
        return Decimal(0), ""
    unit = ""
    if "/" in compact:
        compact, unit = compact.split("/", 1)
    compact = _YUAN.sub("", compact)
    compact = _YUAN.sub("", compact)
    try:
        return Decimal(compact), unit
    except InvalidOperation:
        return text, unit


_MEASURE = re.compile(r"(㎡|m²|m2|平方米|平米|人|个)$", re.IGNORECASE)


def _read_measure(text: str) -> str:
    compact = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text))
    return _MEASURE.sub("", compact) or text


_TOTALS = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|共\s*\d+\s*项)")
_LABELLED = re.compile(r"^[^:：]{1,8}[:：]")
_FOOTER = re.compile(r"^\s*(填表人|填报人|审核人|负责人|制表人?|填报单位|填报日期|填表日期|注|说明)\s*[:：]")


class ListImport(SpreadsheetImport):
    """The rows of one list of a version, each added through ``services.add_item``."""

    def __init__(self, version: ChecklistVersion, kind: str, *, sheet_name=None, **kwargs):
        super().__init__(**kwargs)
        self.version = version
        self.kind = kind
        self.sheet_name = sheet_name
        self.fields = _fields(kind)
        self.tables = {name: _choice_table(name) for name in CHOICES if name in self._names()}

    def _names(self):
        return [f.name for f in self.fields]

    def _choice(self, name: str, text: str, errors: dict) -> str:
        if not text:
            return ""
        value = self.tables[name].get(_key(text))
        if value is None:
            errors[name] = _("“%(value)s” is not one of: %(choices)s.") % {
                "value": text,
                "choices": join_names(_choice_labels(name)),
            }
            return ""
        return value

    def values(self, row: ParsedRow) -> dict:
        """The row as the service takes it; ValidationError for a choice nobody knows."""
        raw = {name: (row.values.get(name) or "") for name in self._names()}
        errors: dict[str, str] = {}
        values = dict(raw)
        if self.kind == ListKind.SERVICES:
            price, unit_word = _read_fee(raw["price"]) if raw["price"] else (None, "")
            values["price"] = price
            values["unit"] = self._choice("unit", raw["unit"] or unit_word, errors)
            if raw["unit"] and unit_word and "unit" not in errors:
                written = self._choice("unit", unit_word, {})
                if written and written != values["unit"]:
                    errors["price"] = _("The fee says “/%(written)s” but the unit is “%(unit)s”.") % {
                        "written": unit_word,
                        "unit": raw["unit"],
                    }
            values["level"] = self._choice("level", raw["level"], errors)
            if not values["level"] and price == 0 and "level" not in errors:
                values["level"] = PriceLevel.FREE  # "免费", or 0 with the level left blank
            if price is None and values["level"] == PriceLevel.FREE:
                values["price"] = Decimal(0)  # 免费 in the level column, the fee left blank
        for name in ("category", "resource_kind", "party"):
            if name in values:
                values[name] = self._choice(name, raw[name], errors)
        if self.kind == ListKind.DUTIES and not values["party"] and "party" not in errors:
            values["party"] = _party_of(raw["name"], self.tables["party"])
            if not values["party"] and raw["name"] and "party" not in row.present:
                errors["name"] = _(
                    "Say what kind of party “%(name)s” is, in a 主体类别 column: %(choices)s."
                ) % {"name": raw["name"], "choices": join_names(_choice_labels("party"))}
        for name in ("area", "capacity"):
            if name in values:
                values[name] = _read_measure(raw[name]) if raw[name] else None
        if errors:
            raise ValidationError(errors)
        return values

    def is_footer(self, row: ParsedRow) -> bool:
        """A table's totals line (合计 / 总计 / 小计 / 共 7 项) or closing line (填表人：… 联系电话：…
        填表日期：… 注：…): the first cell says so and any other cell is a labelled value."""
        filled = [str(value).strip() for value in row.values.values() if value not in (None, "")]
        if not filled:
            return False
        if _TOTALS.match(filled[0]):
            return True
        return _FOOTER.match(filled[0]) is not None and all(_LABELLED.match(cell) for cell in filled[1:])

    def save_row(self, row: ParsedRow):
        if str(row.values.get("name") or "").startswith(EXAMPLE_MARK):
            return None  # the template's example row, left in place
        if self.is_footer(row):
            return None
        return services.add_item(self.version, by=self.by, kind=self.kind, **self.values(row))


def _refusal(exc: ValidationError, sheet: str = "") -> ImportFailed:
    return ImportFailed([RowError(sheet, None, None, None, message) for message in exc.messages])


def _import_sheet(version, kind, fp, *, by, filename="", sheet_name=None, channel="import"):
    """Empty the list, then read the sheet into it; returns (items added, errors)."""
    importer = ListImport(version, kind, by=by, channel=channel, sheet_name=sheet_name)
    savepoint = transaction.savepoint()
    try:
        services.clear_items(version, kind, by=by)
    except ValidationError as exc:
        transaction.savepoint_rollback(savepoint)
        raise _refusal(exc) from exc
    try:
        fp.seek(0)
        result = run_import(fp, importer, filename=filename)
    except ImportFailed as exc:
        transaction.savepoint_rollback(savepoint)
        return 0, exc.errors
    added = [item for item in result.results if item is not None]
    if not added:  # an empty sheet (or only the example) changes nothing
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return len(added), []


def import_list(
    version: ChecklistVersion, kind: str, fp, *, by, filename: str = "", channel: str = "import"
) -> ImportResult:
    """Replace the list ``kind`` of ``version`` with the rows of the file's first sheet; raises
    ImportFailed with nothing written if any row is bad or the sheet holds no item."""
    kind = ListKind(kind)
    with audit_context(actor=by, channel=channel), transaction.atomic():
        count, errors = _import_sheet(version, kind, fp, by=by, filename=filename, channel=channel)
        if not errors and not count:
            errors = [
                RowError(
                    "",
                    None,
                    None,
                    None,
                    _("The sheet holds no item of the %(list)s; nothing was imported.")
                    % {"list": kind.label},
                )
            ]
        if errors:
            raise ImportFailed(errors)
    return ImportResult(rows=count, results=list(version.items.filter(kind=kind)))


def sheet_kinds(sheetnames) -> dict[str, str]:
    """``{kind: sheet name}`` for the sheets of a workbook named as one of the five lists."""
    found = {}
    for kind, (official, aliases) in SHEET_NAMES.items():
        wanted = {_key(official), *(_key(a) for a in aliases), _key(kind.label)}
        with override("en"):
            wanted.add(_key(str(kind.label)))
        for name in sheetnames:
            if _key(name) in wanted and kind not in found:
                found[kind] = name
    return found


def import_workbook(version: ChecklistVersion, fp, *, by, channel: str = "import") -> dict[str, int]:
    """Replace every list of ``version`` whose sheet holds rows, all or nothing across the
    sheets; returns ``{kind: items}`` for the lists replaced."""
    try:
        check_workbook_file(fp)
        book = load_workbook(fp, read_only=True)
        names = book.sheetnames
        book.close()
    except WorkbookRefused as exc:
        raise _refusal(exc) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFailed(
            [RowError("", None, None, None, _("The workbook cannot be read: it may be damaged."))]
        ) from exc
    sheets = sheet_kinds(names)
    if not sheets:
        raise ImportFailed(
            [
                RowError(
                    "",
                    None,
                    None,
                    None,
                    _("No sheet is named after one of the five lists: name them %(names)s.")
                    % {"names": join_names(official for official, _aliases in SHEET_NAMES.values())},
                )
            ]
        )
    counts, errors = {}, []
    with audit_context(actor=by, channel=channel), transaction.atomic():
        for kind, name in sheets.items():
            count, sheet_errors = _import_sheet(version, kind, fp, by=by, sheet_name=name, channel=channel)
            errors.extend(sheet_errors)
            if count:
                counts[kind.value] = count
        if not errors and not counts:
            errors.append(
                RowError("", None, None, None, _("The workbook holds no items; nothing was imported."))
            )
        if errors:
            raise ImportFailed(errors)
    return counts


# --- templates ------------------------------------------------------------------------------------

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(italic=True, color="666666", size=9)
_EXAMPLE_FONT = Font(color="808080")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TEMPLATE_ROWS = 500  # rows below the header that carry the drop-down lists


def _column_help(kind: str) -> dict[str, tuple[bool, str, str]]:
    """{column: (required, what it is, rule)} for the template's notes and instructions."""
    required = {"name", *services.KIND_FIELDS[kind]["required"]}
    choose = _("Choose from the list: %(choices)s.")
    help_texts = {
        "name": {
            ListKind.SERVICES: _(
                "What the service is, as residents will read it (e.g. lunch, two meat dishes)."
            ),
            ListKind.FACILITIES: _("The facility or room."),
            ListKind.POLICIES: _("The policy's name."),
            ListKind.RESOURCES: _("The organisation that can be linked."),
            ListKind.DUTIES: _("The party responsible (区民政局, 街道办事处, 居委会…)."),
        }[kind],
        "category": _("The kind of service."),
        "price": _("The fee in yuan for one unit."),
        "unit": _("What the fee is per."),
        "level": _("Whether the service is free, low-cost or at market price."),
        "provider": _("Who provides it; blank when the operating company provides it itself."),
        "place": _("Where the facility is."),
        "area": _("Floor area in square metres."),
        "capacity": _("How many people it holds."),
        "opening_hours": _("When it is open."),
        "run_by": _("Who runs it."),
        "document_number": _("The number of the policy document."),
        "issuer": _("The body that issued the policy."),
        "eligibility": _("Who qualifies."),
        "benefit": _("What they receive."),
        "where_to_apply": _("Where to apply."),
        "resource_kind": _("The kind of organisation."),
        "contact_person": _("Whom to contact."),
        "contact_phone": _("Digits only, e.g. 021-62000001 or 13800001234."),
        "offer": _("The services or resources it can provide."),
        "party": _("The kind of party; may be left blank when the party's name says it (居委会, 业委会…)."),
        "department": _("The department or unit of the party that does the work."),
        "duties": _("What it is responsible for."),
        "note": _("Anything else worth posting."),
    }
    rules = {
        "price": _(
            "A number not below 0, at most two decimals (12, 12.50; “12元” is read too). "
            "A free service is 0 (or write 免费); a fee of 0 is always free."
        ),
        "unit": _("Required for every fee, 0 included.")
        + " "
        + choose % {"choices": join_names(_choice_labels("unit"))},
        "level": _("Free goes with 0, low-cost and market price with a fee above 0.")
        + " "
        + choose % {"choices": join_names(_choice_labels("level"))},
        "category": choose % {"choices": join_names(_choice_labels("category"))}
        + " "
        + _("Day care cannot be offered below ground."),
        "resource_kind": choose % {"choices": join_names(_choice_labels("resource_kind"))},
        "party": choose % {"choices": join_names(_choice_labels("party"))},
        "area": _("A number not below 0."),
        "capacity": _("A whole number not below 0."),
    }
    return {
        column.name: (column.name in required, help_texts[column.name], rules.get(column.name, ""))
        for column in COLUMNS[kind]
    }


OPTIONS_SHEET = "选项"


def _option_ranges() -> dict[str, str]:
    """{choice field: the cells of the hidden options sheet holding its labels}."""
    ranges = {}
    for index, name in enumerate(CHOICES, start=1):
        letter = get_column_letter(index)
        ranges[name] = f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(_choice_labels(name)) + 1}"
    return ranges


def _options_sheet(book: Workbook) -> None:
    """The choices the drop-down lists offer, on a hidden sheet after the others."""
    sheet = book.create_sheet(OPTIONS_SHEET)
    headers = {column.name: column.header for columns in COLUMNS.values() for column in columns}
    for index, name in enumerate(CHOICES, start=1):
        sheet.cell(row=1, column=index, value=headers.get(name, name))
        for row, label in enumerate(_choice_labels(name), start=2):
            sheet.cell(row=row, column=index, value=sheet_text(label))
    sheet.sheet_state = "hidden"


def _list_sheet(book: Workbook, kind: str, ranges: dict[str, str]) -> None:
    columns = COLUMNS[kind]
    help_ = _column_help(kind)
    sheet = book.create_sheet(SHEET_NAMES[kind][0])
    last = get_column_letter(len(columns))
    sheet.append([SHEET_NAMES[kind][0]])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font, sheet["A1"].alignment = _TITLE_FONT, _CENTER
    notes = []
    for column in columns:
        required, _what, rule = help_[column.name]
        if column.name in CHOICES:  # the list itself is in the drop-down
            rule = _("Choose from the drop-down list.")
        notes.append(" ".join(filter(None, [_("Required.") if required else _("Optional."), rule])))
    sheet.append(notes)
    sheet.append([column.header for column in columns])
    sheet.append(list(EXAMPLES[kind]))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        note, header, example = sheet[f"{letter}2"], sheet[f"{letter}3"], sheet[f"{letter}4"]
        note.font, note.alignment = _NOTE_FONT, _WRAP
        header.font, header.fill, header.alignment = _HEADER_FONT, _HEADER_FILL, _CENTER
        example.font = _EXAMPLE_FONT
        cells = f"{letter}4:{letter}{TEMPLATE_ROWS + 3}"
        if column.name in ranges:
            validation = DataValidation(
                type="list",
                formula1=ranges[column.name],
                allow_blank=True,
                errorStyle="warning",
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("Choose from the list (the usual short forms are read too)."),
            )
        elif column.name in ("price", "area", "capacity"):
            validation = DataValidation(
                type="whole" if column.name == "capacity" else "decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                errorStyle="warning",
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("A number not below 0."),
            )
        else:
            continue
        validation.add(cells)
        sheet.add_data_validation(validation)
    sheet.row_dimensions[2].height = 60
    sheet.freeze_panes = "A4"


INSTRUCTIONS_SHEET = "填写说明"


def _instructions_sheet(book: Workbook, kinds) -> None:
    sheet = book.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append([_("How to fill in the five lists")])
    sheet["A1"].font = _TITLE_FONT
    for rule in (
        _("One item per row; keep the header row as it is (its wording may vary, its columns may move)."),
        _(
            "Rows whose item name begins with %(mark)s are examples and are not imported; "
            "delete or overwrite them."
        )
        % {"mark": EXAMPLE_MARK},
        _(
            "An import replaces the whole list of the draft version with the rows of its sheet. "
            "It is all or nothing: if a single row is wrong, nothing changes and every error is "
            "listed by sheet, row and column."
        ),
        _("The same item may appear only once in a list (a service: the same service and content)."),
        _(
            "Fees: a number of yuan not below 0 with at most two decimals; every fee needs its unit; "
            "a free service is 0."
        ),
    ):
        sheet.append([f"· {rule}"])
    for kind in kinds:
        sheet.append([])
        sheet.append([SHEET_NAMES[kind][0]])
        sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
        sheet.append(
            [
                pgettext("template instructions", "Column"),
                pgettext("template instructions", "Required"),
                pgettext("template instructions", "What it is"),
                pgettext("template instructions", "Rules"),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        for column in COLUMNS[kind]:
            required, what, rule = _column_help(kind)[column.name]
            sheet.append([column.header, _("Yes") if required else _("No"), what, rule])
            for cell in sheet[sheet.max_row]:
                cell.alignment = _WRAP
    for letter, width in zip("ABCD", (22, 8, 44, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def template_workbook(kind: str | None = None) -> bytes:
    """The template of one list (``kind``) or, with ``kind=None``, of the five lists."""
    kinds = [ListKind(kind)] if kind else list(ListKind)
    book = Workbook()
    book.remove(book.active)
    ranges = _option_ranges()
    for each in kinds:  # the lists first: an import of one list reads the first sheet
        _list_sheet(book, each, ranges)
    _instructions_sheet(book, kinds)
    _options_sheet(book)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_filename(kind: str | None = None) -> str:
    name = SHEET_NAMES[ListKind(kind)][0] if kind else "五张清单"
    return content_disposition_filename(f"{name}导入模板")


def template_response(kind: str | None = None) -> HttpResponse:
    response = HttpResponse(template_workbook(kind), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(template_filename(kind))}"
    return response


for _kind in ListKind:
    register_import(
        f"checklists.{_kind.value}",
        label=_kind.label,
        importer=ListImport,
        fields=partial(_fields, _kind.value),
        template=partial(template_workbook, _kind.value),
        api_template=f"/api/v1/checklist-versions/template/?kind={_kind.value}",
        upload_pages=("checklists:version", "checklists:station"),
    )

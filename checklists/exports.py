"""Excel exports of the five lists (五张清单).

Public functions and definitions (what the portal, the admin and the API use):

* ``version_workbook(version, fp) -> int`` — write the version (a district sample or a station's
  lists) into ``fp`` (a path or a binary file) as one workbook of five sheets, one per list;
  returns the number of items written.
* ``version_response(version) -> FileResponse`` — the same as a download.
* ``list_response(version, kind) -> FileResponse`` — one list of the version alone.
* ``VERSIONS`` and ``ITEMS`` — ``ExportDefinition`` for the admin change lists and the API list
  exports (``export_definition = exports.VERSIONS`` on an ``ExcelExportAdminMixin`` /
  ``ExcelExportViewSetMixin``) of ``ChecklistVersion`` and ``ChecklistItem``.

Each list's sheet has the columns of its import (``imports.COLUMNS``) and its choices as labels,
so a workbook exported from a draft imports back unchanged.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, SheetSpec, choice_label, export_response, write_workbook
from stations.models import PriceLevel, PriceUnit, ServiceCategory

from .imports import COLUMNS, SHEET_NAMES
from .models import ChecklistVersion, DutyParty, ListKind, ResourceKind, VersionState

CATEGORY = choice_label(ServiceCategory)
UNIT = choice_label(PriceUnit)
LEVEL = choice_label(PriceLevel)
RESOURCE = choice_label(ResourceKind)
PARTY = choice_label(DutyParty)
STATE = choice_label(VersionState)
KIND = choice_label(ListKind)

LABELS = {"category": CATEGORY, "unit": UNIT, "level": LEVEL, "resource_kind": RESOURCE, "party": PARTY}


def _local_date(value):
    return timezone.localtime(value).date() if value else None


def _cell(name: str):
    label = LABELS.get(name)
    if label is not None:
        return lambda item: label(getattr(item, name)) if getattr(item, name) else ""
    return name


def _column(column) -> Column:
    return Column(column.header, _cell(column.name), number_format=column.number_format, width=column.width)


def list_columns(kind: str) -> list[Column]:
    return [_column(column) for column in COLUMNS[ListKind(kind)]]


def owner_name(version: ChecklistVersion) -> str:
    """Whose lists they are: the station, or the district of a sample."""
    if version.station_id:
        return version.station.name
    return _("%(region)s district sample") % {"region": version.region.name}


def version_caption(version: ChecklistVersion) -> str:
    """Version number, state and published date, for the title rows."""
    caption = _("Version %(number)s · %(state)s") % {
        "number": version.number,
        "state": STATE(version.state),
    }
    if version.published_at:
        caption += " · " + _("published %(date)s") % {"date": _local_date(version.published_at).isoformat()}
    return caption


def _sheet(version: ChecklistVersion, kind: str) -> SheetSpec:
    name = SHEET_NAMES[ListKind(kind)][0]
    return SheetSpec(
        name,
        list_columns(kind),
        title_rows=[f"{owner_name(version)} {name}", version_caption(version)],
    )


def _sheets(version: ChecklistVersion, kinds):
    items = list(version.items.order_by("kind", "position", "id"))
    for kind in kinds:
        yield _sheet(version, kind), [item for item in items if item.kind == kind]


def _version(version: ChecklistVersion) -> ChecklistVersion:
    return ChecklistVersion.objects.select_related("station", "region").get(pk=version.pk)


def version_workbook(version: ChecklistVersion, fp) -> int:
    """The five lists of ``version`` as one workbook (one sheet each) written to ``fp``."""
    version = _version(version)
    return write_workbook(fp, _sheets(version, list(ListKind)))


def _filename(version: ChecklistVersion, what: str) -> str:
    return f"{owner_name(version)}-{what}-v{version.number}"


def version_response(version: ChecklistVersion):
    version = _version(version)
    return export_response(_filename(version, "五张清单"), _sheets(version, list(ListKind)))


def list_response(version: ChecklistVersion, kind: str):
    version = _version(version)
    kind = ListKind(kind)
    return export_response(_filename(version, SHEET_NAMES[kind][0]), _sheets(version, [kind]))


def _owner(version: ChecklistVersion) -> str:
    return version.station.name if version.station_id else version.region.name


VERSIONS = ExportDefinition(
    filename="五张清单版本",
    sheet_name="五张清单版本",
    select_related=("station", "region", "issuer", "approving_office"),
    columns=[
        Column("站点/区", _owner, width=28),
        Column("类型", lambda v: _("District sample") if v.is_template else _("Station lists"), width=12),
        Column("版本", "number", width=6),
        Column("标题", "title", width=32),
        Column("状态", lambda v: STATE(v.state), width=12),
        Column("制定单位", lambda v: v.issuer.name if v.issuer_id else "", width=24),
        Column("创建日期", lambda v: _local_date(v.created_at), number_format="yyyy-mm-dd"),
        Column("提交日期", lambda v: _local_date(v.submitted_at), number_format="yyyy-mm-dd"),
        Column("审核单位", lambda v: v.approving_office.name if v.approving_office_id else "", width=24),
        Column("批准日期", lambda v: _local_date(v.approved_at), number_format="yyyy-mm-dd"),
        Column("发布日期", lambda v: _local_date(v.published_at), number_format="yyyy-mm-dd"),
        Column("退回原因", "return_reason", width=30),
        Column("修改说明", "note", width=30),
    ],
)


def _item_columns() -> list[Column]:
    """Every list's columns side by side, each header once (备注 is shared)."""
    columns, seen = [], {"name"}
    for kind in ListKind:
        for column in COLUMNS[kind]:
            if column.name in seen:
                continue
            seen.add(column.name)
            columns.append(_column(column))
    return columns


ITEMS = ExportDefinition(
    filename="五张清单事项",
    sheet_name="五张清单事项",
    select_related=("version__station", "version__region"),
    columns=[
        Column("站点/区", lambda i: _owner(i.version), width=28),
        Column("版本", "version.number", width=6),
        Column("清单", lambda i: SHEET_NAMES[ListKind(i.kind)][0], width=14),
        Column("序号", "position", width=6),
        Column("名称（服务内容、设施、政策、单位、部门）", "name", width=30),
        *_item_columns(),
    ],
)


CHECKS = ExportDefinition(
    filename="督导检查记录",
    sheet_name="督导检查",
    select_related=("station", "version", "checked_by", "office"),
    columns=[
        Column("站点", "station.name", width=24),
        Column("检查的版本", lambda c: version_caption(c.version), width=30),
        Column("检查日期", "checked_on", number_format="yyyy-mm-dd", width=12),
        Column("检查单位", "office.name", width=28),
        Column("检查人", "checked_by.name", width=10),
        Column("检查小结", "summary", width=48),
    ],
)

# The posted prices (明码标价) of the stations, as the public price board reads them.
POSTED_PRICES = ExportDefinition(
    filename="明码标价",
    sheet_name="明码标价",
    select_related=("station",),
    columns=[
        Column("站点", "station.name", width=24),
        Column("服务项目", lambda p: CATEGORY(p.category), width=12),
        Column("服务内容", "content", width=24),
        Column("价格（元）", "price", number_format="0.00"),
        Column("计价单位", lambda p: UNIT(p.unit), width=8),
        Column("收费性质", lambda p: LEVEL(p.level), width=10),
        Column("服务提供方", "provider", width=20),
        Column("公示依据", "source", width=20),
        Column("备注", "note", width=20),
        Column("更新时间", lambda p: _local_date(p.updated_at), number_format="yyyy-mm-dd", width=12),
    ],
)

from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, SheetSpec, choice_label, export_response
from stations.models import Floor

from .models import (
    AlterationKind,
    ApplicationStatus,
    HandoverState,
    OperatingMode,
    OperatingState,
    ViolationKind,
    ViolationState,
)

HANDOVER = choice_label(HandoverState)
OPERATION = choice_label(OperatingState)
MODE = choice_label(OperatingMode)
FLOOR = choice_label(Floor)
VIOLATION = choice_label(ViolationKind)
VSTATE = choice_label(ViolationState)
APPSTATUS = choice_label(ApplicationStatus)
ALTERATION = choice_label(AlterationKind)


def _town(room):
    region = room.compound.region
    return region.parent.name if len(region.code) > 9 and region.parent else region.name


# 004 二（一）: the ledger (工作台账) with the registry figures and the deadline.
ROOMS = ExportDefinition(
    filename="新建住宅小区养老服务用房台账",
    sheet_name="养老服务用房",
    title="新建住宅小区养老服务用房工作台账",
    select_related=("compound__region__parent", "owner", "operator"),
    columns=[
        Column("乡镇（街道）", _town, width=14),
        Column("小区名称", "compound.name", width=24),
        Column("位置", "location", width=20),
        Column("楼层", lambda r: FLOOR(r.floor), width=10),
        Column("面积（m²）", "area", number_format="0.0"),
        Column("建成日期", "built_on", number_format="yyyy-mm-dd"),
        Column("移交情况", lambda r: HANDOVER(r.handover_state), width=10),
        Column("移交确认书编号", "handover_number", width=18),
        Column("移交日期", "handed_over_on", number_format="yyyy-mm-dd"),
        Column("产权单位", lambda r: r.owner.name if r.owner else "", width=16),
        Column("运营状态", lambda r: OPERATION(r.operating_state), width=10),
        Column("投入运营日期", "operating_since", number_format="yyyy-mm-dd"),
        Column("应投入运营期限", "deadline", number_format="yyyy-mm-dd"),
        Column("运营模式", lambda r: MODE(r.operating_mode) if r.operating_mode else "", width=18),
        Column("运营单位", lambda r: r.operator.name if r.operator else "", width=24),
        Column("责任主体", "responsible_party", width=16, group="台账事项"),
        Column("管理模式", "management_mode", width=16, group="台账事项"),
        Column("设施设备", "equipment", width=20, group="台账事项"),
        Column("人员配备", "staffing", width=14, group="台账事项"),
        Column("经费保障", "funding", width=14, group="台账事项"),
        Column("功能定位", "function", width=14, group="台账事项"),
        Column("开放时间", "opening_hours", width=16, group="台账事项"),
    ],
)

VIOLATIONS = ExportDefinition(
    filename="养老服务用房违规情形",
    sheet_name="违规情形",
    select_related=("room__compound", "found_in", "closed_in"),
    columns=[
        Column("小区名称", "room.compound.name", width=24),
        Column("位置", "room.location", width=20),
        Column("违规情形", lambda v: VIOLATION(v.kind), width=12),
        Column("发现日期", "found_in.inspected_on", number_format="yyyy-mm-dd"),
        Column("情况说明", "description", width=30),
        Column("整改期限", "rectify_by", number_format="yyyy-mm-dd"),
        Column("整改措施", "action_taken", width=30),
        Column("状态", lambda v: VSTATE(v.state), width=8),
        Column(
            "销号检查日期",
            lambda v: v.closed_in.inspected_on if v.closed_in else None,
            number_format="yyyy-mm-dd",
        ),
    ],
)

APPLICATIONS = ExportDefinition(
    filename="养老服务用房使用申请",
    sheet_name="使用申请",
    select_related=("room__compound", "town"),
    columns=[
        Column("小区名称", "room.compound.name", width=24),
        Column("乡镇（街道）", "town.name", width=20),
        Column("入住人数", "residents"),
        Column("长者人数", "elderly_residents"),
        Column("用房面积（m²）", "room_area", number_format="0.0"),
        Column("运营模式", lambda a: MODE(a.operating_mode) if a.operating_mode else "", width=18),
        Column("服务内容", "services", width=30),
        Column("状态", lambda a: APPSTATUS(a.status), width=14),
        Column("市政府批示文号", "city_approval_number", width=18),
        Column("批示日期", "city_approved_on", number_format="yyyy-mm-dd"),
        Column("申请时间", lambda a: timezone.localtime(a.created_at), number_format="yyyy-mm-dd", width=12),
    ],
)

AGREEMENTS = ExportDefinition(
    filename="养老服务用房委托协议",
    sheet_name="委托协议",
    select_related=("room__compound", "bureau", "town"),
    columns=[
        Column("协议编号", "number", width=18),
        Column("小区名称", "room.compound.name", width=24),
        Column("委托方", "bureau.name", width=16),
        Column("受托方", "town.name", width=20),
        Column("签订日期", "signed_on", number_format="yyyy-mm-dd"),
        Column("起始日期", "starts_on", number_format="yyyy-mm-dd"),
        Column("截止日期", "ends_on", number_format="yyyy-mm-dd"),
        Column("无偿", "free_of_charge", width=6),
    ],
)


def progress_response(county, years, rows, total):
    """004 附件 in its own layout — 乡镇（街道）｜已建数｜已移交数｜未移交数｜指导数（小计、各年）
    ｜备注 — the figures of the imported table as it states them, then the registry's own counts
    and the rooms actually put into operation, added for comparison (never in place of them)."""

    def official(name):
        return lambda r: getattr(r, f"official_{name}")

    columns = [
        Column("乡镇（街道）", "name", width=16),
        Column("已建数", official("built")),
        Column("已移交数", official("handed_over")),
        Column("未移交数", official("not_handed_over")),
        Column("小计", lambda r: r.target if r.town is not None or r is total else None, group="指导数"),
        *[
            Column(
                str(year),
                (lambda r, y=year: r.per_year[y][0] if r.town is not None or r is total else None),
                group="指导数",
            )
            for year in years
        ],
        Column("备注", "remarks", width=20),
        Column("已建数", "built", group="台账登记数"),
        Column("已移交数", "handed_over", group="台账登记数"),
        Column("未移交数", "not_handed_over", group="台账登记数"),
        Column("合计", "operating", group="已投入运营数"),
        *[Column(str(year), (lambda r, y=year: r.per_year[y][1]), group="已投入运营数") for year in years],
    ]
    spec = SheetSpec(
        "投入运营指导数",
        columns,
        title_rows=[f"{county.name}新建住宅小区养老服务用房投入运营指导数及完成情况"],
    )
    return export_response(f"养老服务用房投入运营进度-{county.name}", [(spec, [*rows, total])])


COMPOUNDS = ExportDefinition(
    filename="住宅小区",
    sheet_name="住宅小区",
    select_related=("region", "property_company"),
    columns=[
        Column("小区", "name", width=24),
        Column("乡镇（街道）或社区", "region.name", width=16),
        Column("地址", "address", width=32),
        Column("户数", "households"),
        Column("入住人数", "residents"),
        Column("长者人数（60 岁以上）", "elderly_residents"),
        Column("开发建设单位", "developer", width=28),
        Column("物业服务企业", "property_company.name", width=28),
    ],
)

INSPECTIONS = ExportDefinition(
    filename="用房巡查记录",
    sheet_name="巡查记录",
    select_related=("room__compound", "inspector"),
    columns=[
        Column("小区", "room.compound.name", width=24),
        Column("用房位置", "room.location", width=24),
        Column("巡查日期", "inspected_on", number_format="yyyy-mm-dd", width=12),
        Column("巡查人", "inspector.name", width=10),
        Column("巡查情况", "findings", width=48),
    ],
)

ALTERATIONS = ExportDefinition(
    filename="用房变更备案",
    sheet_name="变更备案",
    select_related=("room__compound",),
    columns=[
        Column("小区", "room.compound.name", width=24),
        Column("用房位置", "room.location", width=24),
        Column("类型", lambda a: ALTERATION(a.kind), width=12),
        Column("说明", "description", width=40),
        Column("批准文号", "approval_number", width=20),
        Column("批准机关", "approved_by", width=20),
        Column("批准日期", "approved_on", number_format="yyyy-mm-dd", width=12),
        Column(
            "登记时间",
            lambda a: timezone.localtime(a.recorded_at) if a.recorded_at else None,
            number_format="yyyy-mm-dd hh:mm",
            width=18,
        ),
    ],
)

GUIDANCE_TARGETS = ExportDefinition(
    filename="投入运营指导数",
    sheet_name="指导数",
    select_related=("county", "town"),
    columns=[
        Column("县（市、区）", "county.name", width=14),
        Column("乡镇（街道）", "town.name", width=16),
        Column("已建数", "built"),
        Column("已移交数", "handed_over"),
        Column("未移交数", "not_handed_over"),
        Column("指导数小计", "subtotal"),
        Column(
            "分年度指导数",
            lambda t: "；".join(f"{year}：{count}" for year, count in sorted((t.per_year or {}).items())),
            width=30,
        ),
        Column("备注", "remarks", width=20),
    ],
)

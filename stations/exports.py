from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, choice_label
from stations.hours import format_opening_hours
from stations.models import (
    Channel,
    Floor,
    LinkRequestState,
    LivingSituation,
    OrderStatus,
    PriceUnit,
    PublicityForm,
    ServiceCategory,
    StationStatus,
)

CATEGORY = choice_label(ServiceCategory)
FLOOR = choice_label(Floor)
STATUS = choice_label(StationStatus)
LIVING = choice_label(LivingSituation)
UNIT = choice_label(PriceUnit)
ORDER_STATUS = choice_label(OrderStatus)
CHANNEL = choice_label(Channel)


def _local(value):
    return timezone.localtime(value) if value else None


STATIONS = ExportDefinition(
    filename="服务站点",
    sheet_name="服务站点",
    select_related=("operator", "region"),
    columns=[
        Column("站点名称", "name", width=28),
        Column("运营单位", "operator.name", width=32),
        Column("所在街镇/社区", "region.name", width=16),
        Column("地址", "address", width=36),
        Column("电话", "phone", width=16),
        Column("楼层", lambda s: FLOOR(s.floor), width=10),
        Column("面积（m²）", "area", number_format="0.0"),
        Column("容量（人）", "capacity"),
        Column("服务项目", lambda s: s.services_display(), width=40),
        Column("开放时间", lambda s: format_opening_hours(s.opening_hours, language="zh-hans"), width=40),
        Column("开放时间说明", "hours_note", width=24),
        Column("状态", lambda s: STATUS(s.status), width=10),
    ],
)

# Residents: identity numbers and phones masked (exports never carry them in full), and the
# birth year instead of the birth date, which is the hidden part of the mask.
RESIDENTS = ExportDefinition(
    filename="老年人档案",
    sheet_name="老年人档案",
    select_related=("community",),
    columns=[
        Column("姓名", "name", width=10),
        Column("身份证号码", "id_number_masked", width=22),
        Column("性别", lambda r: r.get_sex_display(), width=6),
        Column("出生年份", "birth_year", width=8),
        Column("年龄（当年）", "age_this_year", width=8),
        Column("高龄（80+）", "very_old_this_year", width=10),
        Column("联系电话", "phone_masked", width=14),
        Column("所在社区", "community.name", width=16),
        Column("地址", "address", width=30),
        Column("居住情况", lambda r: LIVING(r.living_situation), width=12),
        Column("基本养老服务对象", lambda r: r.basic_care_display(), width=24),
        Column("同意使用个人信息日期", "consent_on", number_format="yyyy-mm-dd"),
    ],
)

# Every column names what to fetch, so the rows come from values_list (no model instances, no
# encrypted column read): choice labels, local time and yes/no are converted per column.
SERVICE_RECORDS = ExportDefinition(
    filename="服务记录",
    sheet_name="服务记录",
    columns=[
        Column("记录编号", "pk", width=10),
        Column("站点", "station.name", width=24),
        Column("老年人", "resident.name", width=10),
        Column("服务项目", "category", width=12),
        Column("开始时间", "started_at", number_format="yyyy-mm-dd hh:mm", width=18),
        Column("时长（分钟）", "duration_minutes"),
        Column("单价（元）", "unit_price", number_format="0.00"),
        Column("计价单位", "fee_unit", width=8),
        Column("数量", "quantity", number_format="0.##"),
        Column("收费（元）", "fee", number_format="0.00"),
        Column("服务人员", "staff.name", width=16),
        Column("紧急", "is_emergency", width=6),
        Column("响应（分钟）", "response_minutes"),
        Column("评价", "rating", width=6),
        Column("备注", "notes", width=30),
    ],
)

REVENUE = ExportDefinition(
    filename="养老服务收入分账",
    sheet_name="分账",
    title="养老服务收入分账表（按站点、按月）",
    columns=[
        Column("月份", lambda r: r["month"].strftime("%Y-%m") if r["month"] else "", width=10),
        Column("站点", "station__name", width=28),
        Column("运营单位", "station__operator__name", width=32),
        Column("服务次数", "services"),
        Column("养老服务收入（元）", "revenue", number_format="#,##0.00", width=18),
    ],
)


# 002, 五: the stations' monthly elderly-care expenditure
EXPENDITURES = ExportDefinition(
    filename="养老服务支出",
    sheet_name="养老服务支出",
    select_related=("station", "station__operator"),
    columns=[
        Column("月份", lambda e: e.month.strftime("%Y-%m"), width=10),
        Column("站点名称", "station.name", width=28),
        Column("运营单位", "station.operator.name", width=32),
        Column("养老服务支出（元）", "amount", number_format="0.00", width=16),
        Column("备注", "note", width=36),
    ],
)


# One row per order; the service's actual times and charge from its record (a completed order's).
# Every column names what to fetch, so the rows come from values_list (a LEFT JOIN to the record).
ORDERS = ExportDefinition(
    filename="服务工单",
    sheet_name="服务工单",
    key="service_orders",
    columns=[
        Column("工单编号", "pk", width=10),
        Column("站点", "station.name", width=24),
        Column("老年人", "resident.name", width=10),
        Column("服务项目", "category", width=12),
        Column("服务内容", "price_content", width=20),
        Column("约定单价（元）", "unit_price", number_format="0.00"),
        Column("计价单位", "price_unit", width=8),
        Column("渠道", "channel", width=10),
        Column("预约时间", "requested_at", number_format="yyyy-mm-dd hh:mm", width=18),
        Column("紧急", "is_emergency", width=6),
        Column("状态", "status", width=10),
        Column("服务人员", "assigned_to.name", width=10),
        Column("派单时间", "assigned_at", number_format="yyyy-mm-dd hh:mm", width=18),
        Column("开始时间", "record.started_at", number_format="yyyy-mm-dd hh:mm", width=18),
        Column("结束时间", "record.ended_at", number_format="yyyy-mm-dd hh:mm", width=18),
        Column("时长（分钟）", "record.duration_minutes"),
        Column("数量", "record.quantity", number_format="0.##"),
        Column("收费（元）", "record.fee", number_format="0.00"),
        Column("取消原因", "cancel_reason", width=20),
        Column("备注", "note", width=30),
        Column("接单时间", "created_at", number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

# Link requests: the name the requester gave, never the person's file.
LINK_REQUESTS = ExportDefinition(
    filename="跨单位服务申请",
    sheet_name="跨单位服务申请",
    select_related=("station", "organization", "requested_by", "decided_by"),
    columns=[
        Column("申请编号", "pk", width=10),
        Column("申请站点", "station.name", width=24),
        Column("申请运营单位", "organization.name", width=28),
        Column("申请方填报的姓名", "name_given", width=12),
        Column("状态", lambda r: choice_label(LinkRequestState)(r.state), width=12),
        Column("申请人", "requested_by.name", width=10),
        Column("申请时间", lambda r: _local(r.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("本人同意日期", "consent_on", number_format="yyyy-mm-dd", width=12),
        Column("处理人", "decided_by.name", width=10),
        Column("决定时间", lambda r: _local(r.decided_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("原因", "reason", width=30),
    ],
)

PUBLICITY = ExportDefinition(
    filename="宣传活动",
    sheet_name="宣传活动",
    select_related=("station",),
    prefetch_related=("officers",),
    columns=[
        Column("站点", "station.name", width=24),
        Column("日期", "held_on", number_format="yyyy-mm-dd", width=12),
        Column("形式", lambda e: choice_label(PublicityForm)(e.form), width=12),
        Column("主题", "topic", width=30),
        Column("参与人数", "participants"),
        Column("宣传员", lambda e: "、".join(officer.name for officer in e.officers.all()), width=24),
    ],
)

SURVEYS = ExportDefinition(
    filename="满意度调查",
    sheet_name="满意度调查",
    select_related=("region", "programme", "station"),
    columns=[
        Column("标题", "title", width=30),
        Column("所属区划", "region.name", width=16),
        Column("试点方案", "programme.title", width=30),
        Column("站点", "station.name", width=24),
        Column("开始日期", "period_start", number_format="yyyy-mm-dd", width=12),
        Column("结束日期", "period_end", number_format="yyyy-mm-dd", width=12),
        Column("问题数", lambda s: len(s.questions or [])),
    ],
)

SURVEY_RESPONSES = ExportDefinition(
    filename="满意度答卷",
    sheet_name="满意度答卷",
    select_related=("survey", "station", "resident"),
    only=("survey__title", "station__name", "resident__name", "average", "comment", "submitted_on"),
    columns=[
        Column("调查", "survey.title", width=30),
        Column("站点", "station.name", width=24),
        Column("老年人", "resident.name", width=10),
        Column("日期", "submitted_on", number_format="yyyy-mm-dd", width=12),
        Column("平均分", "average", number_format="0.00"),
        Column("意见建议", "comment", width=40),
    ],
)

from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, choice_label
from stations.models import Floor, LivingSituation, OrderStatus, PriceUnit, ServiceCategory, StationStatus

CATEGORY = choice_label(ServiceCategory)
FLOOR = choice_label(Floor)
STATUS = choice_label(StationStatus)
LIVING = choice_label(LivingSituation)
UNIT = choice_label(PriceUnit)


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
        Column(
            "开放时间", lambda s: "；".join(f"{k} {v}" for k, v in (s.opening_hours or {}).items()), width=40
        ),
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

SERVICE_RECORDS = ExportDefinition(
    filename="服务记录",
    sheet_name="服务记录",
    select_related=("station", "resident", "staff"),
    # just the exported columns: the people's encrypted ones are not decrypted for nothing
    only=(
        *("station__name", "resident__name", "staff__name", "category", "started_at", "duration_minutes"),
        *("unit_price", "quantity", "fee", "fee_unit", "is_emergency", "response_minutes", "rating", "notes"),
    ),
    columns=[
        Column("记录编号", "pk", width=10),
        Column("站点", "station.name", width=24),
        Column("老年人", "resident.name", width=10),
        Column("服务项目", lambda r: CATEGORY(r.category), width=12),
        Column("开始时间", lambda r: _local(r.started_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("时长（分钟）", "duration_minutes"),
        Column("单价（元）", "unit_price", number_format="0.00"),
        Column("计价单位", lambda r: UNIT(r.fee_unit) if r.fee_unit else "", width=8),
        Column("数量", "quantity", number_format="0.##"),
        Column("收费（元）", "fee", number_format="0.00"),
        Column("服务人员", lambda r: r.staff.name if r.staff_id else "", width=16),
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


# Completed and cancelled orders of a station, as the station page's filters list them
ORDER_STATUS = choice_label(OrderStatus)


def _record_value(attribute):
    def value(order):
        record = getattr(order, "record", None) if order.status == OrderStatus.COMPLETED else None
        return getattr(record, attribute, None) if record is not None else None

    return value


ORDERS = ExportDefinition(
    filename="服务工单",
    sheet_name="服务工单",
    key="service_orders",
    columns=[
        Column("工单编号", "pk", width=10),
        Column("接单时间", lambda o: _local(o.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("老年人", "resident.name", width=10),
        Column("服务项目", lambda o: CATEGORY(o.category), width=12),
        Column("服务内容", "price_content", width=20),
        Column("单价（元）", "unit_price", number_format="0.00"),
        Column("计价单位", lambda o: UNIT(o.price_unit) if o.price_unit else "", width=8),
        Column("状态", lambda o: ORDER_STATUS(o.status), width=8),
        Column("服务人员", lambda o: o.assigned_to.name if o.assigned_to_id else "", width=12),
        Column(
            "开始时间",
            lambda o: _local(_record_value("started_at")(o)),
            number_format="yyyy-mm-dd hh:mm",
            width=18,
        ),
        Column(
            "结束时间",
            lambda o: _local(_record_value("ended_at")(o)),
            number_format="yyyy-mm-dd hh:mm",
            width=18,
        ),
        Column("时长（分钟）", _record_value("duration_minutes")),
        Column("数量", _record_value("quantity"), number_format="0.##"),
        Column("收费（元）", _record_value("fee"), number_format="0.00"),
        Column("取消原因", "cancel_reason", width=24),
    ],
)

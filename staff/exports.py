from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets import Column, SheetSpec, choice_label, export_response

from .models import ActivityCategory, EmploymentKind, EntryKind, ResourceKind, StaffStatus, TrainingKind

KIND = choice_label(EmploymentKind)
STATUS = choice_label(StaffStatus)
TRAINING = choice_label(TrainingKind)
ENTRY = choice_label(EntryKind)
RESOURCE = choice_label(ResourceKind)
ACTIVITY = choice_label(ActivityCategory)


def _stations(member):
    names = [s.name for s in member.stations.all()]
    return "、".join(names) if names else "全部站点"


# Phones and identity numbers leave only masked (DESIGN principle 5).
STAFF = ExportDefinition(
    filename="三员名单",
    sheet_name="人员",
    select_related=("employer", "region"),
    prefetch_related=("stations",),
    columns=[
        Column("姓名", "name", width=10),
        Column("手机号", "phone_masked", width=14),
        Column("身份证号码", "id_number_masked", width=22),
        Column("所属单位", "employer.name", width=30),
        Column("所在街镇/社区", "region.name", width=16),
        Column("服务站点", _stations, width=28),
        Column("角色", lambda m: m.roles_display(), width=30),
        Column("用工类型", lambda m: KIND(m.kind), width=8),
        Column("状态", lambda m: STATUS(m.status), width=8),
        Column("入职日期", "joined_on", number_format="yyyy-mm-dd"),
        Column("离职日期", "left_on", number_format="yyyy-mm-dd"),
    ],
)

SESSIONS = ExportDefinition(
    filename="培训场次",
    sheet_name="培训场次",
    select_related=("organiser", "region"),
    columns=[
        Column("培训名称", "title", width=30),
        Column("类型", lambda s: TRAINING(s.kind), width=8),
        Column("主办单位", "organiser.name", width=20),
        Column("区域", "region.name", width=12),
        Column("开始日期", "starts_on", number_format="yyyy-mm-dd"),
        Column("结束日期", "ends_on", number_format="yyyy-mm-dd"),
        Column("学时", "hours", number_format="0.0"),
        Column("地点", "place", width=24),
        Column("授课人", "instructors", width=20),
        Column("名额", "capacity"),
        Column("理论合格分", "theory_pass_mark", number_format="0.0"),
        Column("实操合格分", "practical_pass_mark", number_format="0.0"),
    ],
)

RECORDS = ExportDefinition(
    filename="培训考核成绩",
    sheet_name="成绩",
    select_related=("session", "staff__employer", "staff__region"),
    columns=[
        Column("培训名称", "session.title", width=30),
        Column("类型", lambda r: TRAINING(r.session.kind), width=8),
        Column("开始日期", "session.starts_on", number_format="yyyy-mm-dd"),
        Column("姓名", "staff.name", width=10),
        Column("所属单位", "staff.employer.name", width=30),
        Column("所在街镇/社区", "staff.region.name", width=16),
        Column("出勤", "attended", width=6),
        Column("理论成绩", "theory_score", number_format="0.0"),
        Column("实操成绩", "practical_score", number_format="0.0"),
        Column("合格", "passed", width=6),
        Column("证书编号", "certificate_number", width=18),
    ],
)

QUALIFICATIONS = ExportDefinition(
    filename="资格证书",
    sheet_name="资格证书",
    select_related=("staff__employer",),
    columns=[
        Column("姓名", "staff.name", width=10),
        Column("所属单位", "staff.employer.name", width=30),
        Column("资格", "name", width=16),
        Column("等级", lambda q: q.get_level_display() if q.level else "", width=14),
        Column("证书编号", "certificate_number", width=20),
        Column("发证日期", "issued_on", number_format="yyyy-mm-dd"),
        Column("有效期至", "expires_on", number_format="yyyy-mm-dd"),
    ],
)

RESOURCES = ExportDefinition(
    filename="服务资源信息",
    sheet_name="资源信息",
    select_related=("station", "updated_by"),
    columns=[
        Column("站点", "station.name", width=24),
        Column("类别", lambda r: RESOURCE(r.kind), width=14),
        Column("名称", "name", width=28),
        Column("联系人", "contact", width=10),
        Column("服务电话", "phone", width=16),
        Column("地址", "address", width=30),
        Column("服务内容", "services", width=30),
        Column("有效", "is_current", width=6),
        Column("更新人（信息员）", "updated_by.name", width=14),
        Column(
            "更新时间",
            lambda r: timezone.localtime(r.updated_at),
            number_format="yyyy-mm-dd hh:mm",
            width=18,
        ),
    ],
)

LEDGER = ExportDefinition(
    filename="志愿积分台账",
    sheet_name="积分台账",
    select_related=("account__volunteer__employer", "reward", "created_by"),
    columns=[
        Column("流水号", "pk", width=8),
        Column("志愿者", "account.volunteer.name", width=10),
        Column("所属单位", "account.volunteer.employer.name", width=30),
        Column("类型", lambda e: ENTRY(e.kind), width=8),
        Column("积分", "points", number_format="+0;-0;0"),
        Column("结余", "balance_after"),
        Column("兑换物品", lambda e: e.reward.name if e.reward else "", width=14),
        Column("数量", "quantity"),
        Column("冲正流水号", "reverses_id"),
        Column("说明", "note", width=30),
        Column("录入人", lambda e: str(e.created_by) if e.created_by else "", width=12),
        Column(
            "录入时间", lambda e: timezone.localtime(e.created_at), number_format="yyyy-mm-dd hh:mm", width=18
        ),
    ],
)

ACTIVITIES = ExportDefinition(
    filename="志愿服务活动",
    sheet_name="活动",
    select_related=("team",),
    columns=[
        Column("日期", "held_on", number_format="yyyy-mm-dd"),
        Column("队伍", "team.name", width=20),
        Column("类别", lambda a: ACTIVITY(a.category), width=14),
        Column("活动", "title", width=30),
        Column("备注", "note", width=30),
    ],
)


def progress_response(progress):
    """The training progress table: the district against its target, then by street and by
    company (person-times, passed, pass rate)."""
    percent = f"{progress.percent}%" if progress.percent is not None else "未设目标"
    title = (
        f"{progress.region.name}{progress.year}年“三员”培训进度：{progress.total.person_times} 人次"
        f" / 目标 {progress.target or '—'} 人次（{percent}）"
    )
    columns = [
        Column("名称", "name", width=30),
        Column("培训人次", "person_times"),
        Column("合格人次", "passed"),
        Column("合格率（%）", "pass_rate", number_format="0.0"),
    ]
    street_columns = [Column("街道（镇）", "name", width=30), *columns[1:]]
    company_columns = [Column("单位", "name", width=30), *columns[1:]]
    sheets = [
        (SheetSpec("按街镇", street_columns, title_rows=[title]), [*progress.streets, progress.total]),
        (SheetSpec("按单位", company_columns, title_rows=[title]), progress.companies),
    ]
    return export_response(f"培训进度-{progress.region.name}-{progress.year}", sheets)


def duties_response(per_person, per_station, month):
    counts = [
        Column("宣传活动（次）", "publicity_events"),
        Column("资源信息更新（条）", "resource_updates"),
        Column("服务（次）", "services"),
        Column("寻访关爱（次）", "care_visits"),
        Column("志愿服务（小时）", "volunteer_hours", number_format="0.0"),
    ]
    person = [Column("姓名", "name", width=10), Column("单位 · 角色", "detail", width=44), *counts]
    station = [
        Column("站点", "name", width=24),
        Column("运营单位", "detail", width=30),
        Column("专职人员数", "full_time_staff"),
        *counts,
    ]
    title = f"“三员”履职月报 {month}"
    return export_response(
        f"三员履职-{month}",
        [
            (SheetSpec("按人员", person, title_rows=[title]), per_person),
            (SheetSpec("按站点", station, title_rows=[title]), per_station),
        ],
    )


def statement_response(result):
    title = (
        f"{result.volunteer.name} 志愿积分对账单 {result.start:%Y-%m-%d} 至 {result.end:%Y-%m-%d}："
        f"期初 {result.opening}，获得 {result.earned}，使用 {result.spent}，期末 {result.closing}；"
        f"志愿服务 {result.hours} 小时"
    )
    spec = SheetSpec("对账单", LEDGER.columns, title_rows=[title])
    return export_response(f"积分对账单-{result.volunteer.name}", [(spec, result.entries)])

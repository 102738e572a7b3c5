from dataclasses import replace

from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, SheetSpec, choice_label, export_response

from .models import EmploymentKind, ResourceKind, StaffStatus, TrainingKind
from .services import percent_of

KIND = choice_label(EmploymentKind)
STATUS = choice_label(StaffStatus)
TRAINING = choice_label(TrainingKind)
RESOURCE = choice_label(ResourceKind)


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


def _progress_line(name, year, done, target):
    line = f"{name}{year}年“三员”培训进度：{done} 人次"
    if target:
        line += f" / 目标 {target} 人次（{percent_of(done, target)}%）"
    else:
        line += "（未设目标）"
    return line


def progress_response(progress):
    """The training progress table: the district against its target, then by street and by
    company (person-times, passed, pass rate)."""
    title_rows = [
        _progress_line(progress.scope_name, progress.year, progress.total.person_times, progress.target)
    ]
    if not progress.target:
        title_rows.append(
            f"{progress.region.name}{progress.year}年未设培训目标，不与其他区域的目标比较"
            if progress.complete
            else "以上仅统计您可查看的人员，不与目标比较"
        )
    if progress.district is not None:
        title_rows.append(
            "全区："
            + _progress_line(
                progress.district.name,
                progress.year,
                progress.district.person_times,
                progress.district_target,
            )
        )
    columns = [
        Column("区域", "name", width=30),
        Column("培训人次", "person_times"),
        Column("合格人次", "passed"),
        Column("合格率（%）", "pass_rate", number_format="0.0"),
    ]
    street_columns = [Column("街道（镇）", "name", width=30), *columns[1:]]
    company_columns = [Column("单位", "name", width=30), *columns[1:]]
    # a district: its streets and a 合计 row; a street: its own row, once
    street_rows = progress.streets
    if [row.key for row in street_rows] != [progress.total.key]:
        street_rows = [*street_rows, replace(progress.total, name="合计")]
    sheets = [
        (SheetSpec("按街镇", street_columns, title_rows=title_rows), street_rows),
        (SheetSpec("按单位", company_columns, title_rows=title_rows), progress.companies),
    ]
    return export_response(f"培训进度-{progress.region.name}-{progress.year}", sheets)


# 003: each district's yearly training target in person-times.
TRAINING_TARGETS = ExportDefinition(
    filename="培训目标",
    sheet_name="培训目标",
    select_related=("region",),
    columns=[
        Column("区（县、市）", "region.name", width=16),
        Column("区划代码", "region.code", width=14),
        Column("年度", "year", width=8),
        Column("目标人次", "person_times"),
    ],
)

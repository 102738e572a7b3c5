from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column, SheetSpec, choice_label, export_response

from .models import ActivityCategory, EntryKind

ENTRY = choice_label(EntryKind)
ACTIVITY = choice_label(ActivityCategory)


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


def _statement_kind(entry):
    """冲正 names what it corrects: 冲正（获得）takes points back, 冲正（兑换）gives them back."""
    if entry.kind == EntryKind.REVERSAL and entry.reverses_id:
        return f"{ENTRY(entry.kind)}（{ENTRY(entry.reverses.kind)} #{entry.reverses_id}）"
    return ENTRY(entry.kind)


STATEMENT_COLUMNS = [
    Column("日期", "booked_on", number_format="yyyy-mm-dd"),
    Column("流水号", "pk", width=8),
    Column("类型", _statement_kind, width=18),
    Column("积分", "points", number_format="+0;-0;0"),
    Column("余额", "balance"),
    Column("兑换物品", lambda e: e.reward.name if e.reward else "", width=14),
    Column("数量", "quantity"),
    Column("说明", "note", width=30),
    Column("录入人", lambda e: str(e.created_by) if e.created_by else "", width=12),
    Column(
        "录入时间", lambda e: timezone.localtime(e.created_at), number_format="yyyy-mm-dd hh:mm", width=18
    ),
]


def statement_response(result):
    title = (
        f"{result.volunteer.name} 志愿积分对账单 {result.start:%Y-%m-%d} 至 {result.end:%Y-%m-%d}："
        f"期初 {result.opening}，获得 {result.earned}（已冲正 {result.earned_reversed}），"
        f"兑换 {result.spent}（已冲正 {result.spent_reversed}），期末 {result.closing}；"
        f"志愿服务 {result.hours} 小时。按活动日期计入期间，冲正计入其所更正记录的期间。"
    )
    spec = SheetSpec("对账单", STATEMENT_COLUMNS, title_rows=[title])
    return export_response(f"积分对账单-{result.volunteer.name}", [(spec, result.entries)])


TEAMS = ExportDefinition(
    filename="志愿服务队",
    sheet_name="志愿服务队",
    select_related=("organization", "station", "community", "leader"),
    prefetch_related=("members",),
    columns=[
        Column("名称", "name", width=24),
        Column("单位", "organization.name", width=28),
        Column("站点", "station.name", width=24),
        Column("所在街镇或社区", "community.name", width=16),
        Column("队长", "leader.name", width=10),
        Column("成员人数", lambda team: len(team.members.all())),
        Column("成立日期", "founded_on", number_format="yyyy-mm-dd", width=12),
    ],
)

REWARDS = ExportDefinition(
    filename="积分兑换物品",
    sheet_name="兑换物品",
    select_related=("organization",),
    columns=[
        Column("物品", "name", width=24),
        Column("单位", "organization.name", width=28),
        Column("每件所需积分", "points"),
        Column("库存", "stock"),
        Column("可兑换", "is_active", width=8),
    ],
)

from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column


def _local(value):
    return timezone.localtime(value) if value else None


def _last_opinion(application, stage):
    opinions = [o for o in application.opinions.all() if o.stage == stage]
    return opinions[-1] if opinions else None


APPLICATIONS = ExportDefinition(
    filename="试点申报汇总表",
    sheet_name="申报汇总",
    title="居家社区养老服务改革试点申报汇总表",
    select_related=("programme", "organization", "site_region__parent"),
    prefetch_related=("opinions",),
    columns=[
        Column("申报编号", "pk", width=10),
        Column("试点方案", "programme.title", width=30),
        Column("镇街", lambda a: a.street.name if a.street else "", width=14),
        Column("申报单位名称", "organization.name", width=32),
        Column("统一社会信用代码", "organization.credit_code", width=22),
        Column("试点类型", lambda a: a.get_pilot_type_display(), width=22),
        Column("实施地点", lambda a: f"{a.site_region.name} {a.site_address}".strip(), width=30),
        Column("项目负责人", "project_lead", width=12),
        Column("联系电话", "phone", width=16),
        Column("审核状态", lambda a: a.get_status_display(), width=26),
        Column(
            "镇街意见",
            lambda a: (o := _last_opinion(a, "street")) and f"{o.get_decision_display()}：{o.text}",
            width=30,
            group="审核意见",
        ),
        Column(
            "市民政局意见",
            lambda a: (o := _last_opinion(a, "bureau")) and f"{o.get_decision_display()}：{o.text}",
            width=30,
            group="审核意见",
        ),
        Column("提交时间", lambda a: _local(a.submitted_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("决定时间", lambda a: _local(a.decided_at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

PILOTS = ExportDefinition(
    filename="试点名单",
    sheet_name="试点名单",
    select_related=("programme", "organization", "site_region"),
    columns=[
        Column("试点方案", "programme.title", width=30),
        Column("试点单位", "organization.name", width=32),
        Column("试点类型", lambda p: p.get_pilot_type_display(), width=22),
        Column("实施地点", lambda p: f"{p.site_region.name} {p.site_address}".strip(), width=30),
        Column("示范项目", "is_demonstration", width=10),
        Column("确定时间", lambda p: _local(p.created_at), number_format="yyyy-mm-dd", width=14),
    ],
)


PROGRAMMES = ExportDefinition(
    filename="试点方案",
    sheet_name="试点方案",
    select_related=("region",),
    prefetch_related=("issuers",),
    columns=[
        Column("标题", "title", width=36),
        Column("文号", "document_number", width=20),
        Column("方式", lambda p: p.get_mode_display(), width=10),
        Column("所属区划", "region.name", width=16),
        Column("发文单位", lambda p: "、".join(o.name for o in p.issuers.all()), width=36),
        Column("发布时间", lambda p: _local(p.announced_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column(
            "试点名单公布时间",
            lambda p: _local(p.list_published_at),
            number_format="yyyy-mm-dd hh:mm",
            width=18,
        ),
    ],
)

OPINIONS = ExportDefinition(
    filename="审核意见",
    sheet_name="审核意见",
    select_related=("application__organization", "officer", "organization"),
    columns=[
        Column("申报编号", "application_id", width=10),
        Column("申报单位", "application.organization.name", width=32),
        Column("审核环节", lambda o: o.get_stage_display(), width=12),
        Column("决定", lambda o: o.get_decision_display(), width=10),
        Column("意见", "text", width=48),
        Column("审核单位", "organization.name", width=28),
        Column("经办人", "officer.name", width=12),
        Column("审核版本", "version", width=8),
        Column("超出名额的理由", "quota_override_reason", width=30),
        Column("时间", lambda o: _local(o.at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

PILOT_MILESTONES = ExportDefinition(
    filename="试点节点任务",
    sheet_name="节点任务",
    select_related=("pilot__organization", "milestone"),
    columns=[
        Column("试点单位", "pilot.organization.name", width=32),
        Column("节点任务", "milestone.name", width=30),
        Column("应完成日期", "milestone.due_on", number_format="yyyy-mm-dd", width=12),
        Column("状态", lambda m: m.get_status_display(), width=10),
        Column("完成日期", "completed_on", number_format="yyyy-mm-dd", width=12),
        Column("佐证材料", "evidence", width=48),
    ],
)

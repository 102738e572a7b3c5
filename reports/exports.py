"""The list of a person's background exports in Excel (the evaluations' lists are in
reports/evaluation/exports.py; the statistics' workbooks in reports.figures and reports.views)."""

from django.utils import timezone

from reports.exporting import ExportDefinition
from reports.models.jobs import ExportJobChannel, ExportJobKind, ExportJobState
from reports.spreadsheets.writer import Column, choice_label

JOB_KIND = choice_label(ExportJobKind)
JOB_CHANNEL = choice_label(ExportJobChannel)
JOB_STATE = choice_label(ExportJobState)


def _local(value):
    return timezone.localtime(value) if value else None


# A person's background exports: what, when and how far, never the stored query.
EXPORT_JOBS = ExportDefinition(
    filename="我的导出",
    sheet_name="我的导出",
    only=(
        *("kind", "channel", "label", "state", "progress", "rows_total", "rows_written"),
        *("filename", "error", "created_at", "finished_at", "expires_at"),
    ),
    columns=[
        Column("编号", "pk", width=8),
        Column("内容", "label", width=30),
        Column("类型", lambda j: JOB_KIND(j.kind), width=10),
        Column("导出途径", lambda j: JOB_CHANNEL(j.channel), width=10),
        Column("状态", lambda j: JOB_STATE(j.state), width=10),
        Column("进度（%）", "progress"),
        Column("应导出行数", "rows_total"),
        Column("已导出行数", "rows_written"),
        Column("文件名", "filename", width=30),
        Column("提出时间", lambda j: _local(j.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("完成时间", lambda j: _local(j.finished_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("到期时间", lambda j: _local(j.expires_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("错误信息", "error", width=30),
    ],
)

"""002 附件2 ``××示范项目基本情况统计表``, in the notice's layout: the title with the place name,
填报单位 and 填报时间, the two-row header with 企业基本情况 over the seven figures of a project, one
row per demonstration project, and 审核人 / 填报人 at the foot. Cells the records cannot give stay
empty for the person filling the table."""

from __future__ import annotations

from django.utils import translation

from reports import figures
from reports.spreadsheets.writer import Column, SheetSpec

from .common import WORKBOOK_LANGUAGE, definitions_sheet, filled_on, reporting_unit

TITLE = "{place}示范项目基本情况统计表"
GROUP = "企业基本情况"


def _since(row: dict):
    since = row["since"]
    return f"{since.year}年{since.month}月" if since else None


# The header exactly as the notice prints it: ASCII brackets, no space (the spaces in the
# notice's text, "场地面积 (m ²)", "专职人员 数(人)", are its cells' line breaks and the
# superscript of m²).
AREA = "场地面积(m²)"
FULL_TIME_STAFF = "专职人员数(人)"
FACILITIES = "设施配置情况(件)"
SINCE = "从业时间"
SERVED = "现服务数量(人)"


def columns() -> list[Column]:
    return [
        Column("序号", "number", width=6),
        Column("单位名称", "unit", width=20),
        Column("项目名", "project", width=28, group=GROUP),
        Column("服务企业名称", "company", width=28, group=GROUP),
        Column(AREA, "area", width=12, group=GROUP),
        Column(FULL_TIME_STAFF, "full_time_staff", width=12, group=GROUP),
        Column(FACILITIES, "facilities", width=14, group=GROUP),
        Column(SINCE, _since, width=12, group=GROUP),
        Column(SERVED, "residents_served", width=12, group=GROUP),
    ]


DEFINITIONS = [
    ("示范项目", "平台中标为“示范项目”（002）的试点，其试点地点在所选区域内；每个试点一行。"),
    (
        "单位名称",
        "上报该项目的住建（房管）部门（通知示例为“××市住建局”）：发布该试点方案的住建/房管部门；"
        "方案未列住建/房管部门时，取试点所在区（县级市）的住建/房管部门；平台未登记该部门时，取发布方案的部门。",
    ),
    ("项目名", "试点地点（街镇/社区）名称加试点类型。"),
    ("服务企业名称", "试点单位（承担试点的物业服务企业等）的名称。"),
    (AREA, "该试点未关闭服务站点的面积之和；任一站点未填写面积时留空，由填报人填写。"),
    (
        FULL_TIME_STAFF,
        "在岗、用工形式为全职的人员（人员库中的“三员”等）：登记在该试点站点的人员；未登记到任何站点的，"
        "计入其所在单位在其工作街镇的示范项目。每人只计入一行：涉及多个示范项目的人员计入本表中排在最前的"
        "项目；试点既无站点也无可计入的人员时留空。",
    ),
    (
        FACILITIES,
        "该试点各站点现行公示的五清单中“服务设施清单”的条目数之和；只有该试点每个站点都已公示清单时"
        "才填写，否则留空由填报人填写（不以部分站点的条目数代替）。",
    ),
    (SINCE, "服务企业开始提供养老服务的年月（在单位信息中填写）；未填写时留空。"),
    (SERVED, "统计期内在该试点站点有服务记录的老年人人数（每人只计一次）；试点尚无站点时留空。"),
    ("统计期", "{period}：现服务数量按此期间统计；其余各项为填报日的现状。"),
    ("填报单位 / 填报时间", "下载人所在的政府部门；下载当日。审核人、填报人由经办人签字。"),
]


def build(user, query) -> list[tuple[SheetSpec, list]]:
    """The workbook's sheets for ``user`` over ``query`` (region, from, to): an official
    Chinese table whatever the language of the page it was asked from."""
    selection = figures.selection_from(user, query)  # a refusal in the asker's language
    with translation.override(WORKBOOK_LANGUAGE):
        projects = figures.demonstration_projects(selection)
        rows = [{"number": index, **vars(project)} for index, project in enumerate(projects, start=1)]
        spec = SheetSpec(
            "示范项目基本情况统计表",
            columns(),
            title_rows=[
                TITLE.format(place=selection.region.name),
                f"填报单位：{reporting_unit(user)}",
                f"填报时间：{filled_on()}",
            ],
            # the notice's foot, nothing more: the period is on the definitions sheet
            footer_rows=[["审核人："], ["填报人："]],
            form=True,
        )
        period = selection.period.label()
        definitions = [(name, text.format(period=period)) for name, text in DEFINITIONS]
        return [(spec, rows), definitions_sheet(definitions)]


def filename(selection: figures.Selection) -> str:
    return TITLE.format(place=selection.region.name)

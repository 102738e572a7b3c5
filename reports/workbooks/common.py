"""What the statistics workbooks share: the unit and date lines, the definitions sheet and the
totals row."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.scoping import GOVERNMENT_KINDS, acting_organization
from reports.spreadsheets.writer import Column, SheetSpec

TOTAL_LABEL = "合计"
# The workbooks are the official Chinese tables: the labels they take from the models (a
# station's status, a service's category, a pilot's type) are written in Chinese too, whatever
# the language of the page, the API call or the worker that asked for them.
WORKBOOK_LANGUAGE = "zh-hans"


def filled_on(today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year} 年 {today.month} 月 {today.day} 日"


def reporting_unit(user) -> str:
    """填报单位: the government unit through which the user reads the statistics."""
    unit = acting_organization(
        user, kinds=GOVERNMENT_KINDS, roles={"officer", "org_admin", "staff", "viewer"}
    )
    return unit.name if unit is not None else ""


def definitions_sheet(rows: list[tuple[str, str]]) -> tuple[SheetSpec, list[tuple[str, str]]]:
    """The sheet that says how each figure is computed."""
    return (
        SheetSpec(
            "指标说明",
            [Column("指标", lambda row: row[0], width=28), Column("计算口径", lambda row: row[1], width=100)],
            title_rows=["指标说明"],
        ),
        rows,
    )


def total_row(rows: list[dict], columns: list[Column], label_key: str, summed: set[str]) -> dict:
    """A row whose ``summed`` keys are the sums of the rows' (empty cells count as nothing) and
    whose label is 合计."""
    total: dict = {label_key: TOTAL_LABEL}
    for key in summed:
        values = [row.get(key) for row in rows if row.get(key) is not None]
        total[key] = sum(values) if values else 0
    return total

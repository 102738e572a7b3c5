"""The schemes, runs, scorecards and findings lists in Excel (the portal pages, the API and the admin)."""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column

from .catalogue import CATALOGUE, INDICATORS


def _line(code, part):
    """An indicator's figure or score from the card's lines (kept as text in JSON): a number in
    the workbook, so that it sums and sorts."""

    def value(card):
        for line in card.lines:
            if line["code"] == code:
                figure = line.get(part)
                try:
                    return None if figure in (None, "") else Decimal(str(figure))
                except InvalidOperation:
                    return figure
        return None

    return value


def _result(code):
    def value(card):
        for line in card.lines:
            if line["code"] == code:
                return {True: _("met"), False: _("below"), None: "—"}[line.get("met")]
        return ""

    return value


SCORECARDS = ExportDefinition(
    filename="scorecards",
    sheet_name=_("Scorecards"),
    title=_("Evaluation scorecards"),
    select_related=("run__version", "region", "street", "district", "organization"),
    columns=[
        Column(_("month"), lambda card: card.month.strftime("%Y-%m"), width=10),
        Column(_("evaluated"), lambda card: card.get_kind_display(), width=8),
        Column(_("name"), "name", width=30),
        Column(_("responsible organisation"), "organization.name", width=30),
        Column(_("district"), "district.name", width=12),
        Column(_("street or town"), "street.name", width=14),
        Column(_("score"), lambda card: card.score, number_format="0.0", width=8),
        Column(_("rank in street"), "rank_in_street", width=8),
        Column(_("rank in district"), "rank_in_district", width=8),
        Column(_("indicators below threshold"), "indicators_failed", width=8),
        Column(_("scheme version"), lambda card: card.run.version.number, width=8),
        *(
            column
            for indicator in INDICATORS
            for column in (
                Column(_("figure"), _line(indicator.code, "raw"), width=10, group=indicator.label),
                Column(_("score"), _line(indicator.code, "score"), width=8, group=indicator.label),
                Column(
                    pgettext_lazy("evaluation", "result"),
                    _result(indicator.code),
                    width=8,
                    group=indicator.label,
                ),
            )
        ),
    ],
)


FINDINGS = ExportDefinition(
    filename="evaluation-findings",
    sheet_name=_("Findings"),
    title=_("Evaluation findings"),
    select_related=("region", "organization"),
    columns=[
        Column(_("name"), "name", width=30),
        Column(_("evaluated"), lambda f: f.get_kind_display(), width=8),
        Column(_("responsible organisation"), "organization.name", width=30),
        Column(_("region"), "region.name", width=14),
        Column(
            _("indicator"),
            lambda f: str(CATALOGUE[f.code].label) if f.code in CATALOGUE else f.code,
            width=30,
        ),
        Column(_("figure"), "raw", width=10),
        Column(_("direction"), lambda f: f.get_direction_display(), width=8),
        Column(_("threshold"), "threshold", width=10),
        Column(_("found in"), lambda f: f.opened_month.strftime("%Y-%m"), width=10),
        Column(_("last seen in"), lambda f: f.last_month.strftime("%Y-%m"), width=10),
        Column(
            _("met again in"), lambda f: f.closed_month.strftime("%Y-%m") if f.closed_month else "", width=10
        ),
        Column(_("state"), lambda f: f.get_state_display(), width=8),
    ],
)


def _local(value):
    return timezone.localtime(value) if value else None


EVALUATION_SCHEMES = ExportDefinition(
    filename="考核方案",
    sheet_name="考核方案",
    select_related=("region", "current"),
    columns=[
        Column("名称", "name", width=30),
        Column("所属区划", "region.name", width=16),
        Column("当前版本", "current.number", width=8),
        Column("有效", "is_active", width=8),
        Column("创建时间", lambda s: _local(s.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

EVALUATION_RUNS = ExportDefinition(
    filename="考核批次",
    sheet_name="考核批次",
    select_related=("scheme", "version", "started_by"),
    columns=[
        Column("考核方案", "scheme.name", width=30),
        Column("所用方案版本", "version.number", width=8),
        Column("月份", lambda r: r.month.strftime("%Y-%m") if r.month else "", width=10),
        Column("发起人", "started_by.name", width=10),
        Column("开始时间", lambda r: _local(r.started_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("完成时间", lambda r: _local(r.finished_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("考核结果数", "scorecards_count"),
        Column("新发现问题", "findings_opened"),
        Column("销号问题", "findings_closed"),
    ],
)

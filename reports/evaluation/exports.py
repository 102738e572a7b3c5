"""The schemes, runs, scorecards and findings lists in Excel (the portal pages, the API and the admin)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.exporting import ExportDefinition
from reports.models import SubjectKind
from reports.spreadsheets.writer import Column

from .catalogue import CATALOGUE, INDICATORS, PILOT, STATION


def _line(code, part):
    """An indicator's figure or score from the card's lines (kept as text in JSON): a number in
    the workbook, so that it sums and sorts; a count as a whole number."""
    indicator = CATALOGUE[code]

    def value(card):
        for line in card.lines:
            if line["code"] == code:
                figure = line.get(part)
                try:
                    if part == "raw":
                        return indicator.number(figure)
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


def _group(indicator):
    """An indicator's header above its columns, with the unit of its figure."""
    return format_lazy("{}（{}）", indicator.label, indicator.unit)


def _scorecard_columns(subject):
    return [
        Column(_("month"), lambda card: card.month.strftime("%Y-%m"), width=10),
        Column(_("rank in district"), "rank_in_district", width=8),
        Column(_("rank in street"), "rank_in_street", width=8),
        Column(_("name"), "name", width=30),
        Column(_("responsible organisation"), "organization.name", width=30),
        Column(_("district"), "district.name", width=12),
        Column(_("street or town"), "street.name", width=14),
        Column(_("score"), lambda card: card.score, number_format="0.0", width=8),
        Column(_("indicators below threshold"), "indicators_failed", width=8),
        Column(_("scheme version"), lambda card: card.run.version.number, width=8),
        *(
            column
            for indicator in INDICATORS
            if indicator.subject == subject
            for column in (
                Column(
                    _("figure"),
                    _line(indicator.code, "raw"),
                    number_format="0" if indicator.whole else None,
                    width=10,
                    group=_group(indicator),
                ),
                Column(_("score"), _line(indicator.code, "score"), width=8, group=_group(indicator)),
                Column(
                    pgettext_lazy("evaluation", "result"),
                    _result(indicator.code),
                    width=8,
                    group=_group(indicator),
                ),
            )
        ),
    ]


SELECT_CARDS = ("run__version", "region", "street", "district", "organization")
STATION_SCORECARDS = ExportDefinition(
    filename="scorecards-stations",
    sheet_name=_("Stations"),
    title=_("Evaluation scorecards: stations, ranked among stations"),
    select_related=SELECT_CARDS,
    columns=_scorecard_columns(STATION),
)
PILOT_SCORECARDS = ExportDefinition(
    filename="scorecards-pilots",
    sheet_name=_("Pilots"),
    title=_("Evaluation scorecards: pilots, ranked among pilots"),
    select_related=SELECT_CARDS,
    columns=_scorecard_columns(PILOT),
)


@dataclass(frozen=True)
class ScorecardExport(ExportDefinition):
    """The scorecards in two sheets: the stations ranked among stations, the pilots among pilots
    (the stored ranks are per kind), each ordered by district, rank and name, each with the
    indicators of its kind."""

    def sheets(self, queryset):
        order = ("district__code", "rank_in_district", "street__code", "rank_in_street", "name", "pk")
        return [
            *STATION_SCORECARDS.sheets(queryset.filter(kind=SubjectKind.STATION).order_by(*order)),
            *PILOT_SCORECARDS.sheets(queryset.filter(kind=SubjectKind.PILOT).order_by(*order)),
        ]


SCORECARDS = ScorecardExport(
    filename="scorecards",
    sheet_name=_("Scorecards"),
    title=_("Evaluation scorecards"),
    select_related=SELECT_CARDS,
    columns=_scorecard_columns(STATION),
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
        Column(_("figure"), lambda f: _number(f, f.raw), width=10),
        Column(_("threshold"), lambda f: _number(f, f.threshold), width=10),
        Column(pgettext_lazy("figure", "unit"), lambda f: str(f.unit), width=12),
        Column(_("direction"), lambda f: f.get_direction_display(), width=8),
        Column(_("found in"), lambda f: f.opened_month.strftime("%Y-%m"), width=10),
        Column(_("last seen in"), lambda f: f.last_month.strftime("%Y-%m"), width=10),
        Column(
            _("met again in"), lambda f: f.closed_month.strftime("%Y-%m") if f.closed_month else "", width=10
        ),
        Column(_("state"), lambda f: f.get_state_display(), width=8),
    ],
)


def _number(finding, value):
    """A finding's figure or threshold as a number: a count whole, others without trailing zeros."""
    indicator = CATALOGUE.get(finding.code)
    return indicator.number(value) if indicator else value


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

"""The dashboard's charts: each chart's series from :mod:`reports.figures` (the same functions
the workbooks read), as JSON for the page and as a workbook for its download."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from reports import figures
from reports.evaluation import figures as evaluation_figures
from reports.spreadsheets.writer import Column, SheetSpec

from .workbooks.common import TOTAL_LABEL, filled_on, reporting_unit


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    categories: list[str]  # the x axis
    series: list[dict]  # {"name", "data", "kind": "bar" | "line", "stack"?}
    target: int | None = None  # a reference line (training target)
    note: str = ""  # what the chart's scope or target is, shown under it
    has_total: bool = False  # the last category is the region's total (not a street)
    empty: bool = False  # nothing to draw: the page says so instead of an empty axis

    @property
    def nothing_to_draw(self) -> bool:
        """Marked empty, or every figure of every series is 0 or missing: the page says there are
        no figures instead of drawing bare axes along zero."""
        return self.empty or not any(value for series in self.series for value in series["data"])

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "categories": self.categories,
            "series": self.series,
            "target": self.target,
            "note": self.note,
            "empty": self.nothing_to_draw,
            "axis": CHART_AXIS_KIND[self.key],
        }


def stations_note() -> str:
    return _("Current status, as of %(today)s (not the chosen period).") % {"today": timezone.localdate()}


def stations_by_status(selection) -> Chart:
    statuses = figures.stations_by_status(selection)
    streets = selection.streets()
    labels = figures.status_labels()
    return Chart(
        "stations",
        chart_titles()["stations"],
        [street.name for street in streets],
        [
            {
                "name": label,
                "kind": "bar",
                "stack": "status",
                "data": [statuses.get(street.code, {}).get(status, 0) for street in streets],
            }
            for status, label in labels.items()
        ],
        note=stations_note(),
    )


def target_note(target) -> str:
    if target.region is None:
        return ""
    if not target.applies:
        return _("The training target is set for %(district)s, not per street: it is not compared here.") % {
            "district": target.region.name
        }
    if not target.per_year:
        return _("No training target is set for the years of the period.")
    covered = ", ".join(f"{year}: {n}" for year, n in sorted(target.per_year.items()))
    if target.missing_years:
        missing = ", ".join(str(year) for year in target.missing_years)
        return _(
            "Target %(covered)s; none set for %(missing)s, so the period is not compared with a target."
        ) % {
            "covered": covered,
            "missing": missing,
        }
    return _("Target of %(district)s: %(covered)s (the district's total is compared with it).") % {
        "district": target.region.name,
        "covered": covered,
    }


def services_per_month(selection) -> Chart:
    per_month = figures.services_per_month(selection)
    months = selection.period.months()
    return Chart(
        "services",
        chart_titles()["services"],
        [month.strftime("%Y-%m") for month in months],
        [
            {
                "name": pgettext("count", "services"),
                "kind": "line",
                "data": [per_month.get(month, 0) for month in months],
            }
        ],
    )


def training_against_target(selection) -> Chart:
    """Person-times per street; the region's own total sits beside them with the target of the
    region (a district's target is compared with the district's total, never with a street's)."""
    person_times = figures.training_per_street(selection)
    streets = selection.streets()
    target = figures.training_target(selection)
    categories = [street.name for street in streets]
    done = [person_times.get(street.code, 0) for street in streets]
    series = [{"name": _("person-times"), "kind": "bar", "data": done}]
    if target.applies and len(streets) > 1:
        categories.append(_("%(region)s (total)") % {"region": selection.region.name})
        done.append(sum(done))
    if target.total is not None:
        series.append(
            {
                "name": _("target"),
                "kind": "bar",
                "data": [None] * (len(categories) - 1) + [target.total],
            }
        )
    return Chart(
        "training",
        chart_titles()["training"],
        categories,
        series,
        target=target.total,
        note=target_note(target),
        has_total=target.applies and len(streets) > 1,
    )


def care_rooms_against_targets(selection) -> Chart:
    rooms = figures.care_rooms_per_street(selection)
    streets = selection.streets()
    empty = figures.RoomFigures()
    series = [
        {
            "name": _("target for the period"),
            "kind": "bar",
            "data": [rooms.get(s.code, empty).target_in_period for s in streets],
        },
        {
            "name": _("started operating in the period"),
            "kind": "bar",
            "data": [rooms.get(s.code, empty).started_in_period for s in streets],
        },
        {
            "name": _("operating"),
            "kind": "bar",
            "data": [rooms.get(s.code, empty).operating for s in streets],
        },
    ]
    nothing = not any(value for entry in series for value in entry["data"])
    return Chart(
        "care_rooms",
        chart_titles()["care_rooms"],
        [street.name for street in streets],
        series,
        note=_("No guidance targets and no care rooms are recorded for this region.") if nothing else "",
        empty=nothing,
    )


def scorecards_by_band(selection) -> Chart:
    month, counts = evaluation_figures.scorecard_distribution(selection)
    return Chart(
        "scorecards",
        chart_titles()["scorecards"],
        evaluation_figures.band_labels(),
        [
            {"name": _("stations"), "kind": "bar", "data": counts["station"]},
            {"name": _("pilots"), "kind": "bar", "data": counts["pilot"]},
        ],
        note=(
            _("No month of the period has been evaluated yet.")
            if month is None
            else _("The scorecards of %(month)s, the latest month evaluated in the period.")
            % {"month": f"{month:%Y-%m}"}
        ),
        empty=month is None,
    )


def findings_by_month(selection) -> Chart:
    per_month = evaluation_figures.findings_per_month(selection)
    months = selection.period.months()
    return Chart(
        "findings",
        chart_titles()["findings"],
        [f"{month:%Y-%m}" for month in months],
        [
            {
                "name": pgettext("findings", "opened"),
                "kind": "bar",
                "data": [per_month[m]["opened"] for m in months],
            },
            {
                "name": pgettext("findings", "closed"),
                "kind": "bar",
                "data": [per_month[m]["closed"] for m in months],
            },
            {
                "name": _("open at the month's end"),
                "kind": "line",
                "data": [per_month[m]["open"] for m in months],
            },
        ],
    )


CHARTS = {
    "stations": stations_by_status,
    "services": services_per_month,
    "training": training_against_target,
    "care_rooms": care_rooms_against_targets,
    "scorecards": scorecards_by_band,
    "findings": findings_by_month,
}
# what the categories are: the page lays a chart of many streets on its side, a name per line
CHART_AXIS_KIND = {
    "stations": "street",
    "services": "month",
    "training": "street",
    "care_rooms": "street",
    "scorecards": "score",
    "findings": "month",
}
CHART_AXIS = {
    "stations": gettext_lazy("street"),
    "services": gettext_lazy("month"),
    "training": gettext_lazy("street"),
    "care_rooms": gettext_lazy("street"),
    "scorecards": gettext_lazy("score"),
    "findings": gettext_lazy("month"),
}


def chart_titles() -> dict[str, str]:
    return {
        "stations": _("Stations by status per street"),
        "services": _("Services per month"),
        "training": _("Training person-times against the target"),
        "care_rooms": _("Care rooms in operation against the guidance targets"),
        "scorecards": _("Evaluation scores of the latest month evaluated"),
        "findings": _("Evaluation findings opened and closed per month"),
    }


def dashboard(selection) -> dict:
    return {
        "region": {"code": selection.region.code, "name": selection.region.name},
        "from": selection.period.start.strftime("%Y-%m"),
        "to": selection.period.last_month.strftime("%Y-%m"),
        "charts": [CHARTS[key](selection).as_json() for key in CHARTS],
    }


def chart_filename(key: str, selection) -> str:
    """The download's name: the chart's title, the region and the period (never a code)."""
    period = f"{selection.period.start:%Y%m}-{selection.period.last_month:%Y%m}"
    return f"{chart_titles()[key]}-{selection.region.name}-{period}"


def chart_download(key: str, user, query) -> tuple[str, list[tuple[SheetSpec, list]]]:
    """The file name and the sheets of one chart's download."""
    selection = figures.selection_from(user, query)
    return chart_filename(key, selection), chart_sheets(key, user, query, selection=selection)


def chart_sheets(key: str, user, query, *, selection=None) -> list[tuple[SheetSpec, list]]:
    """The figures behind one chart as a workbook: one row per category, one column per series,
    a 合计 row (and the target where the chart has one). A builder like the workbooks'."""
    selection = selection or figures.selection_from(user, query)
    chart = CHARTS[key](selection)
    columns = [Column(str(CHART_AXIS[key]), lambda row: row[0], width=16)]
    for index, series in enumerate(chart.series, start=1):
        columns.append(Column(str(series["name"]), lambda row, i=index: row[i], width=14))
    rows = [
        [category, *(series["data"][position] for series in chart.series)]
        for position, category in enumerate(chart.categories)
    ]
    if chart.has_total:
        # the chart's own total category: it is the 合计 row, not a row to add up
        region_total = rows.pop()
        totals = [TOTAL_LABEL, *region_total[1:]]
    else:
        totals = [TOTAL_LABEL]
        for index in range(1, len(chart.series) + 1):
            values = [row[index] for row in rows if row[index] is not None]
            totals.append(sum(values) if values else None)
    footer = [totals]
    if chart.note:
        footer.append([chart.note])
    spec = SheetSpec(
        chart.title[:28],
        columns,
        title_rows=[
            f"{selection.region.name} {chart.title}（{selection.period.label()}）",
            f"填报单位：{reporting_unit(user)}　　填报时间：{filled_on()}",
        ],
        footer_rows=footer,
    )
    return [(spec, rows)]

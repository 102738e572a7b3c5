"""The dashboard's charts: each chart's series from :mod:`reports.figures` (the same functions
the workbooks read), as JSON for the page and as a workbook for its download."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import figures
from reports.spreadsheets.writer import Column, SheetSpec

from .workbooks.common import TOTAL_LABEL, filled_on, reporting_unit


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    categories: list[str]  # the x axis
    series: list[dict]  # {"name", "data", "kind": "bar" | "line", "stack"?}
    target: int | None = None  # a reference line (training target)

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "categories": self.categories,
            "series": self.series,
            "target": self.target,
        }


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
    )


def services_per_month(selection) -> Chart:
    per_month = figures.services_per_month(selection)
    months = selection.period.months()
    return Chart(
        "services",
        chart_titles()["services"],
        [month.strftime("%Y-%m") for month in months],
        [{"name": _("services"), "kind": "line", "data": [per_month.get(month, 0) for month in months]}],
    )


def training_against_target(selection) -> Chart:
    person_times = figures.training_per_street(selection)
    streets = selection.streets()
    return Chart(
        "training",
        chart_titles()["training"],
        [street.name for street in streets],
        [
            {
                "name": _("person-times"),
                "kind": "bar",
                "data": [person_times.get(street.code, 0) for street in streets],
            }
        ],
        target=figures.training_target(selection),
    )


def care_rooms_against_targets(selection) -> Chart:
    rooms = figures.care_rooms_per_street(selection)
    streets = selection.streets()
    empty = figures.RoomFigures()
    return Chart(
        "care_rooms",
        chart_titles()["care_rooms"],
        [street.name for street in streets],
        [
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
        ],
    )


CHARTS = {
    "stations": stations_by_status,
    "services": services_per_month,
    "training": training_against_target,
    "care_rooms": care_rooms_against_targets,
}
CHART_AXIS = {
    "stations": gettext_lazy("street"),
    "services": gettext_lazy("month"),
    "training": gettext_lazy("street"),
    "care_rooms": gettext_lazy("street"),
}


def chart_titles() -> dict[str, str]:
    return {
        "stations": _("Stations by status per street"),
        "services": _("Services per month"),
        "training": _("Training person-times against the target"),
        "care_rooms": _("Care rooms in operation against the guidance targets"),
    }


def dashboard(selection) -> dict:
    return {
        "region": {"code": selection.region.code, "name": selection.region.name},
        "from": selection.period.start.strftime("%Y-%m"),
        "to": selection.period.last_month.strftime("%Y-%m"),
        "charts": [CHARTS[key](selection).as_json() for key in CHARTS],
    }


def chart_sheets(key: str, user, query) -> list[tuple[SheetSpec, list]]:
    """The figures behind one chart as a workbook: one row per category, one column per series,
    a 合计 row (and the target where the chart has one). A builder like the workbooks'."""
    selection = figures.selection_from(user, query)
    chart = CHARTS[key](selection)
    columns = [Column(str(CHART_AXIS[key]), lambda row: row[0], width=16)]
    for index, series in enumerate(chart.series, start=1):
        columns.append(Column(str(series["name"]), lambda row, i=index: row[i], width=14))
    rows = [
        [category, *(series["data"][position] for series in chart.series)]
        for position, category in enumerate(chart.categories)
    ]
    totals = [TOTAL_LABEL]
    for index in range(1, len(chart.series) + 1):
        values = [row[index] for row in rows if row[index] is not None]
        totals.append(sum(values) if values else None)
    footer = [totals]
    if chart.target is not None:
        footer.append([_("target"), chart.target])
    spec = SheetSpec(
        chart.title[:28],
        columns,
        title_rows=[
            f"{selection.region.name} {chart.title}（{selection.period.label()}）",
            f"{reporting_unit(user)}　{filled_on()}",
        ],
        footer_rows=footer,
    )
    return [(spec, rows)]

"""The statistics workbooks. Each is a builder ``build(user, query) -> [(SheetSpec, rows)]`` on
:mod:`reports.figures`, so a page, the API or a background job can write it the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports import figures
from reports.spreadsheets.writer import export_response

from . import annex2, district


@dataclass(frozen=True)
class Workbook:
    key: str
    label: str | Promise
    description: str | Promise
    build: Callable
    filename: Callable


WORKBOOKS = {
    "annex2": Workbook(
        "annex2",
        _("Demonstration projects (002, annex 2)"),
        _("One row per demonstration project, in the layout of the notice's annex 2."),
        annex2.build,
        annex2.filename,
    ),
    "district": Workbook(
        "district",
        _("District overview"),
        _(
            "Per street: pilots, stations, coverage, residents served, services by month, emergencies, "
            "satisfaction, training, publicity, income and expenditure, care rooms."
        ),
        district.build,
        district.filename,
    ),
}


def workbook_response(key: str, user, query):
    """The workbook ``key`` for ``user`` over ``query`` as a download."""
    workbook = WORKBOOKS[key]
    selection = figures.selection_from(user, query)
    name = f"{workbook.filename(selection)}-{selection.period.start:%Y%m}-{selection.period.last_month:%Y%m}"
    return export_response(name, workbook.build(user, query))

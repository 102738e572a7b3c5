"""The statistics workbooks. Each is a builder ``build(user, query) -> [(SheetSpec, rows)]`` on
:mod:`reports.figures`, so a page, the API or a background job can write it the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports import figures, jobs
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
        _("Demonstration projects (附件2)"),
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


def _name(workbook: Workbook, selection) -> str:
    return f"{workbook.filename(selection)}-{selection.period.start:%Y%m}-{selection.period.last_month:%Y%m}"


def workbook_response(key: str, user, query):
    """The workbook ``key`` for ``user`` over ``query`` as a download."""
    workbook = WORKBOOKS[key]
    selection = figures.selection_from(user, query)
    return export_response(_name(workbook, selection), workbook.build(user, query))


def is_large(selection) -> bool:
    """A workbook reads every service record of the period: above ``EXPORT_ASYNC_THRESHOLD`` of
    them it is written in the background, like a long list (one bounded count)."""
    limit = settings.EXPORT_ASYNC_THRESHOLD
    return figures.records_of(selection)[: limit + 1].count() > limit


def workbook_job_or_response(key: str, user, query, *, channel: str):
    """``(job, None)`` when the workbook is large enough for the background (a job of the
    person's 我的导出), else ``(None, response)``: the download itself. Refused input raises as
    :func:`reports.figures.selection_from` does."""
    workbook = WORKBOOKS[key]
    selection = figures.selection_from(user, query)
    if not is_large(selection):
        return None, export_response(_name(workbook, selection), workbook.build(user, query))
    params = {
        "region": selection.region.code,
        "from": f"{selection.period.start:%Y-%m}",
        "to": f"{selection.period.last_month:%Y-%m}",
    }
    filters = {  # as the person reads them on 我的导出
        str(_("region")): str(selection.region.name),
        str(_("first month")): params["from"],
        str(_("last month")): params["to"],
    }
    job = jobs.submit_workbook(
        user, key, params, channel=channel, filename=_name(workbook, selection), filters=filters
    )
    return job, None


# Worker processes find the workbooks here (reports.jobs imports this module by name).
for _workbook in WORKBOOKS.values():
    jobs.register_workbook(_workbook.key, _workbook.label, _workbook.build)

# The monthly duties report and the to-do list register their own workbooks (written in the
# background when large).
from .. import duties, todo  # noqa: E402, F401

"""The evaluations' figures for the dashboard (scorecard distribution, findings opened and closed
per month), over a :class:`reports.figures.Selection`: the scorecards and findings the user may see
in the region, in a fixed number of grouped queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.utils.translation import gettext as _

from regions.models import region_subtree
from reports.models import Finding, Scorecard

# Score bands (lower bounds); a score is out of 100.
BANDS = (0, 60, 70, 80, 90)


def band_labels() -> list[str]:
    return [
        _("below 60"),
        "60–69",
        "70–79",
        "80–89",
        _("90 and above"),
    ]


def scorecard_distribution(selection) -> tuple[dt.date | None, dict[str, list[int]]]:
    """The latest evaluated month within the period and, for it, how many stations and pilots
    scored in each band: ``(month, {"station": [n per band], "pilot": [...]})``. Two queries."""
    cards = Scorecard.objects.visible_to(selection.user).filter(
        region_subtree("region", selection.region),
        month__gte=selection.period.start,
        month__lte=selection.period.last_month,
    )
    month = cards.aggregate(last=Max("month"))["last"]
    counts = {"station": [0] * len(BANDS), "pilot": [0] * len(BANDS)}
    if month is None:
        return None, counts
    band = Case(
        *(When(score__lt=upper, then=Value(index)) for index, upper in enumerate(BANDS[1:])),
        default=Value(len(BANDS) - 1),
        output_field=IntegerField(),
    )
    rows = (
        cards.filter(month=month, score__isnull=False)
        .annotate(band=band)
        .values("kind", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["kind"], [0] * len(BANDS))[row["band"]] += row["n"]
    return month, counts


def findings_per_month(selection) -> dict[dt.date, dict[str, int]]:
    """Per month of the period: findings opened, closed, and still open at the month's end (every
    finding opened by then and not closed by then). Two queries."""
    findings = (
        Finding.objects.visible_to(selection.user)
        .filter(region_subtree("region", selection.region), opened_month__lte=selection.period.last_month)
        .order_by()
    )
    opened = dict(findings.values_list("opened_month").annotate(n=Count("id")))
    closed = dict(
        findings.filter(closed_month__isnull=False).values_list("closed_month").annotate(n=Count("id"))
    )
    result = {}
    for month in selection.period.months():
        opened_by = sum(n for when, n in opened.items() if when <= month)
        closed_by = sum(n for when, n in closed.items() if when <= month)
        result[month] = {
            "opened": opened.get(month, 0),
            "closed": closed.get(month, 0),
            "open": opened_by - closed_by,
        }
    return result

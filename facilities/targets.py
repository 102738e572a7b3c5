"""Guidance targets (004 附件: 指导数): who may set a county's table, the table replaced as a
whole, and each town's progress against it counted from the registry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import scope_for
from regions.models import Region, region_subtree

from .models import CareRoom, GuidanceTarget, HandoverState, OperatingState
from .services import bureau_of

IMPORTERS_ONLY = gettext_lazy("Only an officer of the county's civil-affairs bureau imports its targets.")


def target_counties(by):
    """The counties whose guidance table ``by`` may import (what the import page offers)."""
    counties = Region.objects.filter(code__regex=r"^(\d{4}|\d{6})$").order_by("code")
    if by.is_superuser:
        return counties
    codes = [code for code in scope_for(by).region_codes(True) if len(code) in (4, 6)]
    mine = [county.pk for county in counties.filter(code__in=codes) if bureau_of(by, county) is not None]
    return counties.filter(pk__in=mine)


def check_target_importer(county: Region, by) -> None:
    """Only an officer of the county's civil-affairs bureau sets its guidance table."""
    if not by.is_superuser and bureau_of(by, county) is None:
        raise PermissionDenied(IMPORTERS_ONLY)
    if len(county.code) not in (4, 6):
        raise ValidationError({"county": _("Choose a county (or a city without districts).")})


def replace_targets(county: Region, rows: list[dict], *, by) -> list[GuidanceTarget]:
    """The county's table replaced by ``rows`` (one per town, checked by the import)."""
    check_target_importer(county, by)
    GuidanceTarget.objects.filter(county=county).delete()
    return [GuidanceTarget.objects.create(county=county, **row) for row in rows]


@dataclass
class ProgressRow:
    town: Region | None
    name: str
    built: int = 0
    handed_over: int = 0
    not_handed_over: int = 0
    target: int = 0
    per_year: dict = field(default_factory=dict)  # year -> (target, operating)
    operating: int = 0
    remarks: str = ""
    # The figures of the imported table (004 附件) as it states them; None for a town the table
    # does not list. ``built``/``handed_over``/``not_handed_over`` above are the registry's counts.
    official_built: int | None = None
    official_handed_over: int | None = None
    official_not_handed_over: int | None = None


def target_progress(
    county: Region, *, rooms=None, targets=None
) -> tuple[list[int], list[ProgressRow], ProgressRow]:
    """Per town: built / handed over / not handed over counted from the registry, the target
    subtotal and per year against the rooms put into operation in that year, and the total."""
    rooms = rooms if rooms is not None else CareRoom.objects.all()
    targets = list(
        (targets if targets is not None else GuidanceTarget.objects.all())
        .filter(county=county)
        .select_related("town")
    )
    years = sorted({int(y) for t in targets for y in t.per_year})
    counts = (
        rooms.filter(region_subtree("compound__region", county))
        .values("compound__region__code")
        .annotate(
            built=Count("id"),
            handed=Count("id", filter=Q(handover_state=HandoverState.HANDED_OVER)),
            operating=Count("id", filter=Q(operating_state=OperatingState.OPERATING)),
        )
    )
    by_year = (
        rooms.filter(region_subtree("compound__region", county), operating_state=OperatingState.OPERATING)
        .exclude(operating_since=None)
        .values("compound__region__code", "operating_since__year")
        .annotate(n=Count("id"))
    )
    registry = defaultdict(lambda: {"built": 0, "handed": 0, "operating": 0})
    for row in counts:
        town = row["compound__region__code"][:9]
        for key in ("built", "handed", "operating"):
            registry[town][key] += row[key]
    operated = defaultdict(int)
    for row in by_year:
        operated[(row["compound__region__code"][:9], row["operating_since__year"])] += row["n"]
    target_by_town = {t.town.code: t for t in targets}
    codes = sorted(set(target_by_town) | set(registry))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        target = target_by_town.get(code)
        figures = registry[code]
        rows.append(
            ProgressRow(
                town=target.town if target else None,
                name=names.get(code, code),
                built=figures["built"],
                handed_over=figures["handed"],
                not_handed_over=figures["built"] - figures["handed"],
                target=target.subtotal if target else 0,
                per_year={y: (target.target_for(y) if target else 0, operated[(code, y)]) for y in years},
                operating=figures["operating"],
                remarks=target.remarks if target else "",
                official_built=target.built if target else None,
                official_handed_over=target.handed_over if target else None,
                official_not_handed_over=target.not_handed_over if target else None,
            )
        )
    total = ProgressRow(
        None,
        "合计",
        sum(r.built for r in rows),
        sum(r.handed_over for r in rows),
        sum(r.not_handed_over for r in rows),
        sum(r.target for r in rows),
        {y: (sum(r.per_year[y][0] for r in rows), sum(r.per_year[y][1] for r in rows)) for y in years},
        sum(r.operating for r in rows),
        official_built=sum(t.built for t in targets),
        official_handed_over=sum(t.handed_over for t in targets),
        official_not_handed_over=sum(t.not_handed_over for t in targets),
    )
    return years, rows, total

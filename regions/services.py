"""Loading administrative divisions: one division at a time, under its nearest ancestor."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import PARENT_LENGTHS, Region


def find_parent(code: str, known: dict[str, Region]) -> Region | None:
    """The nearest existing ancestor by code: 9-digit towns hang under their 6-digit county,
    or under the 4-digit city for cities without districts (中山市 4420)."""
    for length in PARENT_LENGTHS.get(len(code), ()):
        parent = known.get(code[:length])
        if parent is not None:
            return parent
    return None


def upsert_division(code: str, name: str, known: dict[str, Region]) -> tuple[Region, bool]:
    """Create or rename one division; returns (region, changed)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("The name is empty.")})
    parent = find_parent(code, known)
    region = known.get(code)
    if region is None:
        region = Region(code=code, name=name, parent=parent)
        region.full_clean(validate_unique=False)
        region.save()
        known[code] = region
        return region, True
    if region.name != name or region.parent_id != (parent.pk if parent else None):
        region.name, region.parent = name, parent
        region.save()
        return region, True
    return region, False

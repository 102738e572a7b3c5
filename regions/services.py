"""Loading administrative divisions: one division at a time, under its nearest ancestor; and
reading a place a table names by its full or short name within a county."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import PARENT_LENGTHS, Level, Region


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


# --- places written by their short name ----------------------------------------------------------

# The words a division's name ends with, longest first: 溪美街道 is written 溪美, 梅山镇 梅山.
PLACE_SUFFIXES = (
    "社区居民委员会",
    "村民委员会",
    "居民委员会",
    "街道办事处",
    "社区居委会",
    "开发区管委会",
    "管委会",
    "村委会",
    "居委会",
    "办事处",
    "民族乡",
    "街道",
    "社区",
    "镇",
    "乡",
    "村",
)


def _compact(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def short_name(name: str) -> str:
    """A division's name without its ending (溪美街道 → 溪美); the name itself when nothing
    would be left."""
    text = _compact(name)
    for suffix in PLACE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


class PlaceNames:
    """The towns (streets) and communities of a county, loaded once, to read the place names of
    a whole table: full names, or short names unique within the county."""

    def __init__(self, county: Region, *, levels=(Level.STREET, Level.COMMUNITY)):
        self.county = county
        self.levels = tuple(levels)
        self.by_name: dict[str, list[Region]] = {}
        self.by_short: dict[str, list[Region]] = {}
        places = Region.objects.subtree(county.code, include_self=False).filter(level__in=self.levels)
        for region in places.order_by("code"):
            self.by_name.setdefault(_compact(region.name), []).append(region)
            self.by_short.setdefault(short_name(region.name), []).append(region)

    def unknown_message(self, text: str) -> str:
        if self.levels == (Level.STREET,):
            return _("%(town)s is not a town (street) of %(county)s.") % {
                "town": text,
                "county": self.county.name,
            }
        return _("%(place)s is not a town (street) or community of %(county)s.") % {
            "place": text,
            "county": self.county.name,
        }

    def resolve(self, text) -> Region:
        """The place ``text`` names; ``ValidationError`` naming the candidates when a short name
        fits several, naming the county when it fits none."""
        written = _compact(text)
        found = self.by_name.get(written) or self.by_short.get(short_name(written)) or []
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(self.unknown_message(written))
        raise ValidationError(
            _("%(place)s may be any of %(candidates)s in %(county)s; write the full name.")
            % {
                "place": written,
                "candidates": "、".join(region.name for region in found),
                "county": self.county.name,
            }
        )


def resolve_short_name(county: Region, text, *, levels=(Level.STREET, Level.COMMUNITY)) -> Region:
    """One place of ``county`` by its full or short name (溪美 → 溪美街道). To read many, make
    one :class:`PlaceNames` and call its ``resolve``: the county is loaded once."""
    return PlaceNames(county, levels=levels).resolve(text)

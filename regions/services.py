"""Loading administrative divisions: one division at a time, under its nearest ancestor; and
reading a place a table names by its full or short name within a county."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reports.spreadsheets.fields import join_names

from .models import LEVEL_BY_LENGTH, PARENT_LENGTHS, Level, Region

T = TypeVar("T")


def find_parent(code: str, known: Mapping[str, T]) -> T | None:
    """The nearest existing ancestor by code: 9-digit towns hang under their 6-digit county,
    or under the 4-digit city for cities without districts (中山市 4420)."""
    for length in PARENT_LENGTHS.get(len(code), ()):
        parent = known.get(code[:length])
        if parent is not None:
            return parent
    return None


@dataclass
class DivisionChanges:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # code -> why it was refused


def upsert_divisions(names: Mapping[str, str], *, batch_size: int = 5000) -> DivisionChanges:
    """Create or rename divisions (``code -> name``), each under its nearest ancestor by code,
    whether that ancestor was there already or comes with the same list. Level by level, from
    provinces down, with one bulk INSERT / UPDATE per batch: the codes and parents are checked
    in memory against one read of the existing divisions, not a query per row. Nothing is
    written when a name is refused (``errors``); the caller's transaction holds it all."""
    changes = DivisionChanges()
    for code, name in names.items():
        name = name.strip()
        if not name:
            changes.errors[code] = _("The name is empty.")
        elif len(name) > Region._meta.get_field("name").max_length:
            changes.errors[code] = _("The name is longer than %(limit)s characters.") % {
                "limit": Region._meta.get_field("name").max_length
            }
    if changes.errors:
        return changes
    # code -> (id, name, parent id) of every division there is; ids only, no model instances
    known = {
        code: (pk, name, parent)
        for pk, code, name, parent in Region.objects.values_list("pk", "code", "name", "parent")
    }
    by_length: dict[int, list[str]] = {}
    for code in names:
        by_length.setdefault(len(code), []).append(code)
    for length in sorted(by_length):
        created, renamed = [], []
        for code in sorted(by_length[length]):
            name = names[code].strip()
            parent = find_parent(code, known)
            parent_id = parent[0] if parent else None
            existing = known.get(code)
            if existing is None:
                created.append(
                    Region(code=code, name=name, parent_id=parent_id, level=LEVEL_BY_LENGTH[length])
                )
            elif existing[1] != name or existing[2] != parent_id:
                renamed.append(Region(pk=existing[0], code=code, name=name, parent_id=parent_id))
                known[code] = (existing[0], name, parent_id)
            else:
                changes.unchanged += 1
            if len(created) >= batch_size:
                changes.created += _create(created, known)
            if len(renamed) >= batch_size:
                changes.renamed += _rename(renamed)
        changes.created += _create(created, known)  # before the next level: its parents
        changes.renamed += _rename(renamed)
    return changes


def _create(regions: list[Region], known: dict) -> int:
    """INSERT a batch (emptied afterwards, so that no more than a batch of instances lives at
    once) and note the new ids for the next level's parents."""
    for region in Region.objects.bulk_create(regions):
        known[region.code] = (region.pk, region.name, region.parent_id)
    count = len(regions)
    regions.clear()
    return count


def _rename(regions: list[Region]) -> int:
    Region.objects.bulk_update(regions, ["name", "parent"])
    count = len(regions)
    regions.clear()
    return count


# --- places written by their short name ----------------------------------------------------------

# The words a division's name ends with, longest first: 溪美街道 is written 溪美, 梅山镇 梅山,
# 雪峰华侨经济开发区 雪峰开发区 or 雪峰.
PLACE_SUFFIXES = (
    "社区居民委员会",
    "村民委员会",
    "居民委员会",
    "街道办事处",
    "社区居委会",
    "华侨经济开发区",
    "经济技术开发区",
    "开发区管委会",
    "经济开发区",
    "管委会",
    "村委会",
    "居委会",
    "办事处",
    "民族乡",
    "开发区",
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
    return _split_suffix(_compact(name))[0]


def _split_suffix(text: str) -> tuple[str, str]:
    for suffix in PLACE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], suffix
    return text, ""


# Endings that name the same kind of place: 溪美街道 may be written 溪美街道办事处, 雪峰华侨经济开发区
# 雪峰开发区管委会; but 溪美镇 is not 溪美街道, nor 梅山乡 梅山镇.
_SUFFIX_KIND = {
    **dict.fromkeys(("街道", "街道办事处", "办事处"), "street"),
    "镇": "town",
    **dict.fromkeys(("乡", "民族乡"), "township"),
    **dict.fromkeys(("社区", "社区居民委员会", "居民委员会", "社区居委会", "居委会"), "community"),
    **dict.fromkeys(("村", "村民委员会", "村委会"), "village"),
    **dict.fromkeys(
        ("开发区", "经济开发区", "华侨经济开发区", "经济技术开发区", "开发区管委会", "管委会"), "zone"
    ),
}


def _same_kind(written: str, region: Region) -> bool:
    """Does ``written`` (with an ending) name ``region``'s kind of place: its full name with an
    office's words after it (溪美街道办事处), or an ending of the same kind (雪峰开发区)?"""
    name = _compact(region.name)
    if written.startswith(name):
        return True
    written_kind = _SUFFIX_KIND.get(_split_suffix(written)[1])
    return written_kind is not None and written_kind == _SUFFIX_KIND.get(_split_suffix(name)[1])


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

    def _not_a_place(self, text: str) -> str:
        if self.levels == (Level.STREET,):
            return _("%(town)s is not a town (street) of %(county)s.") % {
                "town": text,
                "county": self.county.name,
            }
        return _("%(place)s is not a town (street) or community of %(county)s.") % {
            "place": text,
            "county": self.county.name,
        }

    def unknown_message(self, text: str) -> str:
        # A development zone or a town created lately may be missing from the division list:
        # say what to do rather than leave the officer guessing at a spelling.
        return " ".join(
            (
                self._not_a_place(text),
                _(
                    "Check the name; a place missing from the division list (a development zone, a "
                    "new town) is added there first by an administrator (Regions › Import the division list)."
                ),
            )
        )

    def suggestion_message(self, text: str, suggestions: list[Region]) -> str:
        """溪美镇 不是南安市的乡镇（街道）；是否指 溪美街道？"""
        if self.levels == (Level.STREET,):
            message = _("%(town)s is not a town (street) of %(county)s; did you mean %(suggestions)s?")
        else:
            message = _(
                "%(town)s is not a town (street) or community of %(county)s; did you mean %(suggestions)s?"
            )
        return message % {
            "town": text,
            "county": self.county.name,
            "suggestions": join_names(region.name for region in suggestions),
        }

    def beginning_with(self, text: str) -> list[Region]:
        """The places whose name begins with ``text`` (洪 → 洪濑镇, 洪梅镇), in code order."""
        if not text:
            return []
        found = {
            region.pk: region
            for name, regions in self.by_name.items()
            if name.startswith(text)
            for region in regions
        }
        return sorted(found.values(), key=lambda region: region.code)

    def resolve(self, text) -> Region:
        """The place ``text`` names: its full name, or its short name without an ending (溪美)
        or with an ending of the same kind (溪美街道办事处, 雪峰开发区). ``ValidationError``
        naming the candidates when a short name fits several; naming the place it probably
        means when the ending is another kind's (溪美镇 for 溪美街道) or the text is the
        beginning of names (洪 for 洪濑镇, 洪梅镇); naming the county when it fits none."""
        written = _compact(text)
        short, suffix = _split_suffix(written)
        found = self.by_name.get(written)
        if not found:
            found = self.by_short.get(short) or []
            if suffix and found:
                fitting = [region for region in found if _same_kind(written, region)]
                if not fitting:  # 溪美镇 where the place is 溪美街道: not silently matched
                    raise ValidationError(self.suggestion_message(written, found))
                found = fitting
        if len(found) == 1:
            return found[0]
        if not found:
            suggestions = self.beginning_with(written) or (suffix and self.beginning_with(short))
            if suggestions:
                raise ValidationError(self.suggestion_message(written, suggestions))
            raise ValidationError(self.unknown_message(written))
        raise ValidationError(
            _("%(place)s may be any of %(candidates)s in %(county)s; write the full name.")
            % {
                "place": written,
                "candidates": join_names(region.name for region in found),
                "county": self.county.name,
            }
        )


def resolve_short_name(county: Region, text, *, levels=(Level.STREET, Level.COMMUNITY)) -> Region:
    """One place of ``county`` by its full or short name (溪美 → 溪美街道). To read many, make
    one :class:`PlaceNames` and call its ``resolve``: the county is loaded once."""
    return PlaceNames(county, levels=levels).resolve(text)

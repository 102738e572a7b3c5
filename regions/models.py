"""Administrative divisions: GB/T 2260 codes (province, city, county) and the statistical
division codes below them (9-digit streets/towns, 12-digit communities/villages).

A region's subtree is every region whose code starts with its code, so scoping by region is a
single ``code LIKE 'prefix%'`` served by a pattern index on PostgreSQL.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("District / county")
    STREET = 4, _("Street / town")
    COMMUNITY = 5, _("Community / village")


LEVEL_BY_LENGTH = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY, 9: Level.STREET, 12: Level.COMMUNITY}
PARENT_LENGTHS = {4: (2,), 6: (4, 2), 9: (6, 4), 12: (9,)}


def normalise_code(raw) -> str:
    """Canonical code: digits only, trailing zero groups of the 12-digit statistical form removed.

    ``310105000000`` → ``310105``; ``310105001000`` → ``310105001``; ``310100`` → ``3101``;
    ``310000`` → ``31``. Raises ValueError for anything that is not such a code.
    """
    code = str(raw).strip()
    if code.endswith(".0"):  # numbers read from a spreadsheet
        code = code[:-2]
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise ValueError(code)
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6 and code.endswith("00"):
        code = code[:4]
    if len(code) == 4 and code.endswith("00"):
        code = code[:2]
    return code


def region_subtree(path: str, *regions) -> models.Q:
    """Rows whose region — the Region at lookup ``path`` ("" for regions themselves) — lies in
    the subtree of one of ``regions`` (Regions, codes, or expressions giving a code); with no
    region, nothing."""
    lookup = f"{path}__code__startswith" if path else "code__startswith"
    condition = None
    for region in regions:
        part = models.Q(**{lookup: region.code if isinstance(region, Region) else region})
        condition = part if condition is None else condition | part
    return models.Q(pk__in=[]) if condition is None else condition


class RegionQuerySet(models.QuerySet):
    def subtree(self, code: str, include_self: bool = True):
        qs = self.filter(region_subtree("", code))
        return qs if include_self else qs.exclude(code=code)

    def visible_to(self, user):
        # Divisions are public reference data.
        return self.all()

    def editable_by(self, user):
        return self.all() if user.is_authenticated and user.is_superuser else self.none()


class Region(models.Model):
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [
            # Serves ``code LIKE 'prefix%'`` on PostgreSQL whatever the database collation.
            models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.level = LEVEL_BY_LENGTH[len(self.code)]
        super().save(*args, **kwargs)

    def clean(self):
        if not self.code.isdigit() or len(self.code) not in LEVEL_BY_LENGTH:
            raise ValidationError({"code": _("A division code has 2, 4, 6, 9 or 12 digits.")})
        if self.parent_id and not self.code.startswith(self.parent.code):
            raise ValidationError({"parent": _("The parent's code must be a prefix of this code.")})

    def contains(self, other: "Region | None") -> bool:
        return other is not None and other.code.startswith(self.code)

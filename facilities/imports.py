"""Spreadsheet imports of the facilities app: 004's guidance table (指导数) of a county. The
table is read and checked as a whole here; ``targets`` decides who may import and replaces the
county's targets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_context
from regions.models import Level, Region
from regions.services import PlaceNames
from reports.spreadsheets.fields import (
    Field,
    ParsedRow,
    RowError,
    SpreadsheetImport,
    is_grand_total_label,
    is_subtotal_label,
    is_total_label,
    join_names,
)
from reports.spreadsheets.reader import run_import
from reports.spreadsheets.registry import register_import
from reports.spreadsheets.template_book import (
    TemplateColumn,
    TemplateTable,
    template_response,
    template_workbook,
)

from . import targets
from .models import Campaign, GuidanceTarget

YEARS = range(2020, 2041)


class TargetImport(SpreadsheetImport):
    """The official table: one row per town, a two-row header where 指导数 spans 小计 and one
    column per year, a 合计 row and a 备注 column. Read as town offices type it: towns by their
    short names (溪美, 梅山), an empty cell, a dash or 无 for nothing, headers broken over lines
    (已移\n交数) or grouped under merged cells (移交情况 over 已移交 / 未移交), the 合计 row at
    the top or the bottom. Checked as a whole in :meth:`finish`, on the numbers so read."""

    subtotal_label_field = "town"  # 街道小计 between the towns: a group's subtotal, no town
    fields = [
        Field(
            "town",
            "乡镇（街道）",
            aliases=(
                "乡镇(街道)",
                "乡镇街道",
                "镇(街道)",
                "乡镇(街道)名称",
                "镇街",
                "镇街名称",
                "乡镇",
                "街道",
                "town",
            ),
        ),
        Field(
            "built",
            "已建数",
            aliases=("已建", "已建成数", "已建数量", "built"),
            kind="int",
            blank_is_zero=True,
        ),
        Field(
            "handed_over",
            "已移交数",
            aliases=("已移交", "移交数", "handed over"),
            kind="int",
            blank_is_zero=True,
        ),
        Field(
            "not_handed_over",
            "未移交数",
            aliases=("未移交", "not handed over"),
            kind="int",
            blank_is_zero=True,
        ),
        Field(
            "subtotal",
            "小计",
            aliases=("指导数小计", "指导数-小计", "合计指导数", "subtotal"),
            kind="int",
            blank_is_zero=True,
        ),
        *[
            Field(
                f"y{year}",
                str(year),
                aliases=(f"指导数{year}", f"{year}年", f"指导数{year}年", f"{year}年度"),
                kind="int",
                required=False,
                blank_is_zero=True,
            )
            for year in YEARS
        ],
        # free text: kept as typed (full-width ，and （） stay), only surrounding spaces trimmed
        Field("remarks", "备注", aliases=("remarks",), kind="text", required=False),
    ]

    def __init__(self, county: Region, **kwargs):
        super().__init__(**kwargs)
        self.county = county
        self.rows: list[ParsedRow] = []
        self.unread: list[ParsedRow] = []
        self.not_listed: list[ParsedRow] = []  # towns named with every figure left empty
        self.places = PlaceNames(county, levels=(Level.STREET,))
        self.saved: list[GuidanceTarget] = []

    def save_row(self, row: ParsedRow):
        if self._left_empty(row):
            # A town whose every figure is left empty, without a remark, is not in the table
            # (the portal's own export lists such towns with their registry counts beside):
            # it is not stored as zeros. Its name is still checked.
            self.not_listed.append(row)
        else:
            self.rows.append(row)
        return None

    @staticmethod
    def _left_empty(row: ParsedRow) -> bool:
        figures = [name for name in row.columns if name != "town" and name != "remarks"]
        return all(name in row.empty for name in figures) and not (row.values.get("remarks") or "").strip()

    def unreadable_row(self, row: ParsedRow) -> None:
        self.unread.append(row)

    def incomplete(self) -> list[RowError]:
        """A cell could not be read: the towns are still named (unknown, ambiguous), so that
        every problem shows at once; the sums wait for a table read whole."""
        errors = []
        for row in sorted([*self.rows, *self.unread, *self.not_listed], key=lambda row: row.number):
            errors.extend(self._place_errors(row))
        return errors

    def _place_errors(self, row: ParsedRow) -> list[RowError]:
        if row.values.get("town") in (None, ""):
            return []
        try:
            self.places.resolve("".join(str(row.values["town"]).split()))
        except ValidationError as exc:
            return [row.error(message, "town") for message in exc.messages]
        return []

    def _split_totals(self) -> tuple[list[ParsedRow], list[ParsedRow]]:
        """The table's 合计 rows and its groups' subtotals (小计, 街道小计 between the towns). 小计
        alone, in a table with no 合计, is the table's total."""
        grand = [row for row in self.totals if is_grand_total_label(row.label)]
        subtotals = [
            row
            for row in self.totals
            if not is_grand_total_label(row.label)
            and (is_total_label(row.label) or is_subtotal_label(row.label))
        ]  # a summary row (平均) is neither: skipped
        if not grand and len(subtotals) == 1 and is_total_label(subtotals[0].label):
            return subtotals, []
        return grand, subtotals

    @property
    def total(self) -> ParsedRow | None:
        grand = self._split_totals()[0]
        return grand[0] if grand else None

    def _years(self, row: ParsedRow) -> list[int]:
        return sorted(int(name[1:]) for name in row.columns if name.startswith("y"))

    def finish(self) -> list[RowError]:
        errors: list[RowError] = []
        if not self.rows:
            return [RowError("", None, None, None, _("The table has no town rows."))]
        years = self._years(self.rows[0])
        if not years:
            return [
                RowError(
                    self.rows[0].sheet, None, None, None, _("The table has no year columns under 指导数.")
                )
            ]
        seen: dict[int, int] = {}
        towns: dict[int, Region] = {}
        listed = [(row, True) for row in self.rows] + [(row, False) for row in self.not_listed]
        for row, in_table in sorted(listed, key=lambda pair: pair[0].number):
            if in_table:
                errors.extend(self._check_row(row, years, seen, towns))
            else:
                errors.extend(self._place_errors(row))
        grand, subtotals = self._split_totals()
        if not grand:
            errors.append(RowError(self.rows[-1].sheet, None, None, None, _("The table has no 合计 row.")))
        elif len(grand) > 1:
            errors.extend(
                extra.error(_("The table has more than one 合计 row."), "town") for extra in grand[1:]
            )
        else:
            errors.extend(self._check_total(years))
        errors.extend(self._check_subtotals(subtotals, years))
        if errors:
            return errors
        tables = []
        for row in self.rows:
            v = row.values
            tables.append(
                {
                    "town": towns[row.number],
                    "built": v["built"],
                    "handed_over": v["handed_over"],
                    "not_handed_over": v["not_handed_over"],
                    "subtotal": v["subtotal"],
                    "per_year": {str(year): v.get(f"y{year}") or 0 for year in years},
                    "remarks": v.get("remarks") or "",
                }
            )
        self.saved = targets.replace_targets(self.county, tables, by=self.by)
        return []

    def _check_row(self, row: ParsedRow, years, seen, towns) -> list[RowError]:
        """The row's own sums, on the numbers as read (blank and 无 already 0); the town by its
        full or short name (溪美 → 溪美街道), named in full in every message."""
        v = row.values
        town = "".join(str(v["town"]).split())
        errors = []
        try:
            region = self.places.resolve(town)
        except ValidationError as exc:
            errors.extend(row.error(message, "town") for message in exc.messages)
        else:
            town = region.name
            if region.pk in seen:
                errors.append(
                    row.error(
                        _("%(town)s appears again (first on row %(row)d).")
                        % {"town": town, "row": seen[region.pk]},
                        "town",
                    )
                )
            seen.setdefault(region.pk, row.number)
            towns[row.number] = region
        numbers = ("built", "handed_over", "not_handed_over", "subtotal", *[f"y{y}" for y in years])
        negative = [name for name in numbers if (v.get(name) or 0) < 0]
        for name in negative:
            errors.append(row.error(_("%(town)s: a count cannot be negative.") % {"town": town}, name))
        if v["handed_over"] + v["not_handed_over"] != v["built"]:
            errors.append(
                row.error(
                    _("%(town)s: 已移交数 + 未移交数 (%(a)d + %(b)d) ≠ 已建数 (%(c)d).")
                    % {"town": town, "a": v["handed_over"], "b": v["not_handed_over"], "c": v["built"]},
                    "built",
                )
            )
        year_sum = sum(v.get(f"y{y}") or 0 for y in years)
        if year_sum != v["subtotal"]:
            errors.append(
                row.error(
                    _("%(town)s: the years %(years)s add up to %(sum)d, but 小计 is %(subtotal)d.")
                    % {
                        "town": town,
                        "years": join_names(map(str, years)),
                        "sum": year_sum,
                        "subtotal": v["subtotal"],
                    },
                    "subtotal",
                )
            )
        return errors

    @staticmethod
    def _labels(years) -> dict[str, str]:
        return {
            "built": "已建数",
            "handed_over": "已移交数",
            "not_handed_over": "未移交数",
            "subtotal": "小计",
            **{f"y{y}": str(y) for y in years},
        }

    def _groups(self, subtotals) -> list[tuple[ParsedRow, list[ParsedRow]]] | None:
        """Each subtotal with the towns it closes (those since the previous subtotal, or since
        the table's start or a 合计 above); None when the layout is not that simple (a subtotal
        with no town above it in its group), and the subtotals are then left unchecked."""
        groups, group = [], []
        subtotal_numbers = {row.number for row in subtotals}
        for row in sorted([*self.rows, *self.totals], key=lambda row: row.number):
            if row.number in subtotal_numbers:
                if not group:
                    return None
                groups.append((row, group))
                group = []
            elif row.is_total:
                group = []
            else:
                group.append(row)
        return groups

    def _check_subtotals(self, subtotals, years) -> list[RowError]:
        """A group's subtotal is no town and is not stored; when each closes the towns above it,
        its figures are checked against theirs, else it is skipped."""
        errors = []
        for subtotal, group in self._groups(subtotals) or []:
            for name, label in self._labels(years).items():
                expected = sum(row.values.get(name) or 0 for row in group)
                stated = subtotal.values.get(name) or 0
                if stated != expected:
                    errors.append(
                        subtotal.error(
                            _(
                                "The %(label)s row's %(column)s is %(stated)d, but the towns of its "
                                "group (rows %(first)d–%(last)d) add up to %(expected)d."
                            )
                            % {
                                "label": subtotal.label,
                                "column": label,
                                "stated": stated,
                                "first": group[0].number,
                                "last": group[-1].number,
                                "expected": expected,
                            },
                            name,
                        )
                    )
        return errors

    def _check_total(self, years) -> list[RowError]:
        total = self.total
        errors = []
        for name, label in self._labels(years).items():
            expected = sum(row.values.get(name) or 0 for row in self.rows)
            stated = total.values.get(name) or 0
            if stated != expected:
                if total.number > self.rows[-1].number:
                    message = _(
                        "The 合计 row's %(column)s is %(stated)d, but the towns above add up to %(expected)d."
                    )
                else:  # the 合计 row stands above or among the towns
                    message = _(
                        "The 合计 row's %(column)s is %(stated)d, but the towns add up to %(expected)d."
                    )
                errors.append(
                    total.error(message % {"column": label, "stated": stated, "expected": expected}, name)
                )
        return errors


def import_targets(
    fp, *, county: Region, by, filename: str = "", channel: str = "import"
) -> list[GuidanceTarget]:
    """Import 004's guidance table for ``county``; raises ImportFailed (nothing written) on any
    inconsistency. The rows replace the county's previous table."""
    targets.check_target_importer(county, by)
    importer = TargetImport(county, by=by, channel=channel)
    with audit_context(actor=by, channel=channel):
        run_import(fp, importer, filename=filename)
    return importer.saved


# --- the template: 004 附件 as the notice prints it -------------------------------------------------

TEMPLATE_TITLE = "新建住宅小区养老服务用房投入运营指导数"
DEFAULT_YEARS = (2025, 2026, 2027)


def template_years(county: Region | None, by=None) -> list[int]:
    """The years of the county's campaign (004: 2025–2027), those of the notice without one."""
    if county is None or by is None:
        return list(DEFAULT_YEARS)
    campaign = Campaign.objects.visible_to(by).filter(region=county).order_by("-starts_on").first()
    if campaign is None:
        return list(DEFAULT_YEARS)
    return list(range(campaign.starts_on.year, campaign.existing_deadline.year + 1))


def target_template(county: Region | None = None, *, by=None) -> TemplateTable:
    """附件 新建住宅小区养老服务用房投入运营指导数: 乡镇（街道）, 已建数, 已移交数, 未移交数, 指导数
    over 小计 and one column per year, 备注; the county's towns listed when it is given, and the
    合计 row last."""
    years = template_years(county, by)
    guidance = "指导数"
    columns = [
        TemplateColumn("乡镇（街道）", width=16),
        TemplateColumn("已建数", width=9, number=True),
        TemplateColumn("已移交数", width=9, number=True),
        TemplateColumn("未移交数", width=9, number=True),
        TemplateColumn("小计", group=guidance, width=8, number=True),
        *[TemplateColumn(str(year), group=guidance, width=8, number=True) for year in years],
        TemplateColumn("备注", width=24),
    ]
    towns = []
    if county is not None:
        towns = [
            [region.name]
            for region in Region.objects.subtree(county.code, include_self=False)
            .filter(level=Level.STREET)
            .order_by("code")
        ]
    span = join_names(map(str, years))
    return TemplateTable(
        sheet=guidance,
        mark="附件",
        title=TEMPLATE_TITLE,
        columns=columns,
        rows=towns,
        blank_rows=0 if towns else 20,
        closing_rows=[["合计"]],
        instructions_title=_("How to fill in the guidance table"),
        instructions=[
            _(
                "One row per town (street) of the county; the full name (溪美街道) or the short name "
                "(溪美) may be used."
            ),
            _(
                "已建数 = 已移交数 + 未移交数 for every town; under 指导数, 小计 = the sum of the "
                "years (%(years)s)."
            )
            % {"years": span},
            _("An empty cell, a dash (-, —) or 无 counts as 0."),
            _(
                "A town whose figures are all left empty, without a remark, is taken as not in the "
                "table and is not stored."
            ),
            _("The 合计 row holds the sum of every column; it may stand at the top or at the bottom."),
            _(
                "The header may be laid out as in the notice (指导数 merged over its columns, 已移交数 "
                "over two lines); keep its wording."
            ),
            _(
                "The import is all or nothing: any inconsistency refuses the whole table and names the "
                "town, the row and the column; a table that is accepted replaces the county's previous one."
            ),
        ],
    )


def target_template_response(county: Region | None = None, *, by=None):
    name = f"{county.name}{TEMPLATE_TITLE}" if county is not None else TEMPLATE_TITLE
    return template_response(target_template(county, by=by), name)


register_import(
    "facilities.targets",
    label=gettext_lazy("Guidance-target table (004 附件)"),
    importer=TargetImport,
    template=lambda: template_workbook(target_template()),
    api_template="/api/v1/guidance-targets/import/template/",
    upload_pages=("admin:facilities_guidancetarget_import",),
)

"""The district overview workbook (区级统计总表): for each street of the region, pilots, stations
by status, coverage, residents served, services by category and month, emergency response,
satisfaction, training against the target, publicity per station and month, each station's
elderly-care income and expenditure (002, 五) and care rooms against 004's guidance targets. Every
sheet has its title, unit and date, frozen headers and a 合计 row that adds up its rows; the last
sheet says how each figure is computed. All figures come from :mod:`reports.figures`."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from reports import figures
from reports.spreadsheets.writer import Column, SheetSpec
from stations.models import StationStatus

from .common import TOTAL_LABEL, WORKBOOK_LANGUAGE, definitions_sheet, filled_on, reporting_unit

TITLE = "{place}“物业+养老”试点统计总表"


def _titles(selection: figures.Selection, user, subject: str) -> list[str]:
    return [
        f"{selection.region.name}{subject}（{selection.period.label()}）",
        f"填报单位：{reporting_unit(user)}　　填报时间：{filled_on()}",
    ]


def _sheet(name, columns, rows, titles, summed, label_key="street"):
    """A sheet whose footer is the 合计 row of the ``summed`` keys (the sum of the rows' cells)."""
    total = {label_key: TOTAL_LABEL}
    for key in summed:
        values = [row[key] for row in rows if row.get(key) is not None]
        # a column with no figure at all (nothing imported, nothing entered) stays empty
        total[key] = sum(values) if values else (None if rows else 0)
    footer = [total.get(_key_of(column)) for column in columns]
    return SheetSpec(name, columns, title_rows=titles, footer_rows=[footer]), rows


def _key_of(column: Column) -> str | None:
    return column.value if isinstance(column.value, str) else getattr(column.value, "key", None)


def _key(name: str):
    """A column value reading ``name`` from a dict row, remembering the key for the 合计 row."""

    def read(row):
        return row.get(name)

    read.key = name
    return read


def status_headers() -> dict[str, str]:
    """The stations' statuses in the model's own words (StationStatus, translated)."""
    return figures.status_labels()


def category_headers() -> dict[str, str]:
    """The service categories in the model's own words (ServiceCategory, translated)."""
    return figures.category_labels()


# 000 is 长宁's notice: its coverage goal is shown only for 长宁
COVERAGE_GOAL_REGION = "310105"


def overview(selection, user):
    pilots = figures.pilots_per_street(selection)
    statuses = figures.stations_by_status(selection)
    coverage = figures.coverage_per_street(selection)
    served = figures.residents_served_per_street(selection)
    served_total = figures.residents_served_total(selection)
    statuses_shown = status_headers()
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("试点（个）", _key("pilots")),
        Column("站点合计（个，现状）", _key("stations"), width=12),
        *(Column(f"{label}（个，现状）", _key(status), width=12) for status, label in statuses_shown.items()),
        Column("社区（个）", _key("communities")),
        Column("有试点或运营站点的社区（个）", _key("covered_communities"), width=14),
        Column("已覆盖街镇（个）", _key("covered"), width=12),
        Column("服务老年人（人）", _key("served"), width=12),
    ]
    rows = []
    for street in selection.streets():
        by_status = statuses.get(street.code, {})
        cover = coverage.get(street.code, figures.Coverage())
        rows.append(
            {
                "street": street.name,
                "pilots": pilots.get(street.code, 0),
                "stations": sum(by_status.values()),
                **{status: by_status.get(status, 0) for status in statuses_shown},
                "communities": cover.communities,
                "covered_communities": cover.covered_communities,
                "covered": 1 if cover.covered else 0,
                "served": served.get(street.code, 0),
            }
        )
    summed = {"pilots", "stations", *statuses_shown, "communities", "covered_communities", "covered"}
    spec, rows = _sheet("试点与站点", columns, rows, _titles(selection, user, "试点、站点与覆盖情况"), summed)
    # a person served in two streets is one person of the region
    spec.footer_rows[0][[_key_of(column) for column in columns].index("served")] = served_total
    spec.footer_rows.append([f"站点数为现状（截至填报日 {filled_on()}），不随统计期变化。"])
    if any(row["communities"] is None for row in rows):
        spec.footer_rows.append(["社区数留空的街道：平台尚未导入该街道的社区（村）区划，无法统计。"])
    if len(rows) > 1:
        covered = sum(row["covered"] for row in rows)
        line = f"覆盖：{covered}/{len(rows)} 个街镇"
        if selection.region.code == COVERAGE_GOAL_REGION:
            line += f"（000 目标：全区 {figures.COVERAGE_GOAL_STREETS} 个街镇全覆盖）"
        spec.footer_rows.append([line])
    return spec, rows


def services(selection, user):
    """Every street and every month of the period, with 0 where nothing was recorded."""
    counts = figures.services_by_category_and_month(selection)
    categories = category_headers()
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("月份", _key("month"), width=10),
        *(Column(f"{label}（次）", _key(category)) for category, label in categories.items()),
        Column("合计（次）", _key("total")),
    ]
    rows = []
    for street in selection.streets():
        for month in selection.period.months():
            by_category = counts.get((street.code, month), {})
            rows.append(
                {
                    "street": street.name,
                    "month": month.strftime("%Y-%m"),
                    **{category: by_category.get(category, 0) for category in categories},
                    "total": sum(by_category.values()),
                }
            )
    return _sheet(
        "服务分类按月",
        columns,
        rows,
        _titles(selection, user, "服务分类按月统计"),
        {*categories, "total"},
    )


def emergencies(selection, user):
    figures_of = figures.emergency_response_per_street(selection)
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("紧急服务（次）", _key("emergencies")),
        Column("记录响应时间（次）", _key("timed")),
        Column("响应时间合计（分钟）", _key("total_minutes")),
        Column("平均响应时间（分钟）", _key("average"), number_format="0.0"),
        Column("最长响应时间（分钟）", _key("longest")),
    ]
    rows = []
    for street in selection.streets():
        entry = figures_of.get(street.code, figures.EmergencyFigures())
        rows.append(
            {
                "street": street.name,
                "emergencies": entry.emergencies,
                "timed": entry.timed,
                "total_minutes": entry.total_minutes,
                "average": entry.average_minutes,
                "longest": entry.longest_minutes,
            }
        )
    spec, rows = _sheet(
        "紧急响应",
        columns,
        rows,
        _titles(selection, user, "紧急救助响应"),
        {"emergencies", "timed", "total_minutes"},
    )
    total = spec.footer_rows[0]
    timed, minutes = total[2], total[3]
    total[4] = (Decimal(minutes) / timed).quantize(Decimal("0.1")) if timed else None
    longest = [row["longest"] for row in rows if row["longest"] is not None]
    total[5] = max(longest) if longest else None
    return spec, rows


def satisfaction(selection, user):
    figures_of = figures.satisfaction_per_street(selection)
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("问卷（份）", _key("responses")),
        Column("得分合计", _key("score_sum"), number_format="0.00"),
        Column("平均得分（1–5）", _key("average"), number_format="0.00"),
    ]
    rows = []
    for street in selection.streets():
        entry = figures_of.get(street.code, figures.Satisfaction())
        rows.append(
            {
                "street": street.name,
                "responses": entry.responses,
                "score_sum": entry.score_sum,
                "average": entry.average,
            }
        )
    spec, rows = _sheet(
        "满意度", columns, rows, _titles(selection, user, "满意度调查"), {"responses", "score_sum"}
    )
    total = spec.footer_rows[0]
    total[3] = (Decimal(total[2]) / total[1]).quantize(Decimal("0.01")) if total[1] else None
    return spec, rows


def training(selection, user):
    person_times = figures.training_per_street(selection)
    target = figures.training_target(selection)
    columns = [Column("街道（镇）", _key("street"), width=16), Column("培训人次", _key("person_times"))]
    rows = [{"street": s.name, "person_times": person_times.get(s.code, 0)} for s in selection.streets()]
    spec, rows = _sheet("培训", columns, rows, _titles(selection, user, "“三员”培训人次"), {"person_times"})
    done = spec.footer_rows[0][1]
    total = target.total
    spec.footer_rows.append([f"目标人次（{target.region.name if target.region else ''}）", total])
    spec.footer_rows.append(["完成率", f"{done * 100 / total:.1f}%" if total else None])
    spec.footer_rows.append([f"说明：{target.note()}"])
    return spec, rows


def publicity(selection, user):
    events = figures.publicity_per_station_month(selection)
    months = selection.period.months()
    month_keys = [month.strftime("%Y-%m") for month in months]
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("站点", _key("station"), width=24),
        *(Column(f"{key}（次）", _key(key), width=11) for key in month_keys),
        Column("合计（次）", _key("total")),
        Column("已过运营月份（个）", _key("months_operating"), width=12),
        Column("无活动的月份（个）", _key("months_without"), width=12),
    ]
    finished = [month for month in months if figures.month_finished(month)]
    names = {street.code: street.name for street in selection.streets()}
    rows = []
    for station in selection.stations().select_related("region").order_by("region__code", "name"):
        by_month = {
            key: events.get((station.pk, month), 0) for key, month in zip(month_keys, months, strict=True)
        }
        operating = [month for month in finished if figures.operating_in(station, month)]
        rows.append(
            {
                "street": names.get(figures.street_of(station.region.code), station.region.name),
                "station": station.name,
                **by_month,
                "total": sum(by_month.values()),
                "months_operating": len(operating),
                "months_without": sum(1 for month in operating if events.get((station.pk, month), 0) == 0),
            }
        )
    return _sheet(
        "宣传活动",
        columns,
        rows,
        _titles(selection, user, "各站点每月宣传活动"),
        {*month_keys, "total", "months_operating", "months_without"},
    )


def accounts(selection, user):
    figures_of = figures.accounts_per_station(selection)
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("站点", _key("station"), width=24),
        Column("运营单位", _key("operator"), width=26),
        Column("服务（次）", _key("services")),
        Column("养老服务收入（元）", _key("income"), number_format="0.00", width=14),
        Column("养老服务支出（元）", _key("expenditure"), number_format="0.00", width=14),
        Column("已填报支出的月份（个）", _key("months_entered"), width=12),
        Column("收支差额（元）", _key("balance"), number_format="0.00", width=14),
    ]
    names = {street.code: street.name for street in selection.streets()}
    rows = []
    for station in selection.stations().select_related("region", "operator").order_by("region__code", "name"):
        entry = figures_of.get(station.pk) or figures.StationAccount(months=len(selection.period.months()))
        rows.append(
            {
                "street": names.get(figures.street_of(station.region.code), station.region.name),
                "station": station.name,
                "operator": station.operator.name,
                "services": entry.services,
                "income": entry.income,
                "expenditure": entry.expenditure,
                "months_entered": f"{entry.months_entered}/{entry.months}",
                "balance": entry.balance,
            }
        )
    spec, rows = _sheet(
        "站点收支",
        columns,
        rows,
        _titles(selection, user, "养老服务单独核算（收入、支出）"),
        {"services", "income", "expenditure"},
    )
    # the balance of the same stations as the income and expenditure: only when every station
    # entered every month, otherwise it stays empty
    keys = [_key_of(column) for column in columns]
    total = spec.footer_rows[0]
    complete = bool(rows) and all(row["balance"] is not None for row in rows)
    total[keys.index("balance")] = (
        (total[keys.index("income")] or 0) - (total[keys.index("expenditure")] or 0) if complete else None
    )
    entered = sum(1 for row in rows if row["balance"] is not None)
    spec.footer_rows.append(
        [f"收支差额仅在统计期每个月都已填报支出时计算；{entered}/{len(rows)} 个站点已填报全部月份。"]
    )
    return spec, rows


def care_rooms(selection, user):
    figures_of = figures.care_rooms_per_street(selection)
    columns = [
        Column("街道（镇）", _key("street"), width=16),
        Column("已建成（个）", _key("built")),
        Column("已移交（个）", _key("handed_over")),
        Column("未移交（个）", _key("not_handed_over")),
        Column("指导数小计（个）", _key("target_subtotal")),
        Column("统计期年度指导数（个）", _key("target_in_period"), width=14),
        Column("台账登记（个）", _key("rooms")),
        Column("已运营（个）", _key("operating")),
        Column("统计期内投入运营（个）", _key("started_in_period"), width=14),
    ]
    rows = []
    for street in selection.streets():
        entry = figures_of.get(street.code, figures.RoomFigures())
        rows.append({"street": street.name, **vars(entry)})
    summed = {
        "built",
        "handed_over",
        "not_handed_over",
        "target_subtotal",
        "target_in_period",
        "rooms",
        "operating",
        "started_in_period",
    }
    return _sheet("配建养老用房", columns, rows, _titles(selection, user, "配建养老服务用房与指导数"), summed)


DEFINITIONS = [
    ("统计范围", "所选区域（区或街道）内、下载人职责范围内的记录；统计期为所选起止月份（含）。"),
    ("试点（个）", "试点地点在该街道的试点（已公布名单及本区域的试点）。"),
    (
        "站点（个，现状）",
        "该街道内的服务站点，按填报日的当前状态分列（现状，截至填报日），不随所选统计期变化；"
        "状态名称与平台站点状态一致。",
    ),
    (
        "社区 / 有试点或运营站点的社区",
        "该街道下的社区（村）数；其中有运营中站点或试点地点的社区数。平台未导入该街道社区区划时留空。",
    ),
    (
        "已覆盖街镇",
        "街道内有试点地点或状态为“{operating}”的站点记 1，否则记 0；{others}的站点不计。{goal}",
    ),
    (
        "服务老年人（人）",
        "统计期内在该街道站点有服务记录的老年人，每人在每个街道只计一次；合计为全区域去重人数"
        "（在两个街道接受服务的老人只计一人），因此可能小于各街道之和。",
    ),
    (
        "服务分类按月",
        "统计期内每个街道、每个月的服务记录数（无记录记 0），按服务类别和开始时间所在月份（北京时间）分列。",
    ),
    ("紧急响应", "标为紧急的服务记录数；平均响应时间 = 响应时间合计 ÷ 记录了响应时间的次数。"),
    ("满意度", "统计期内提交的满意度问卷份数；平均得分 = 各份问卷平均分之和 ÷ 份数（1–5 分）。"),
    (
        "培训人次",
        "开始日期在统计期内的培训中，工作地点在该街道的人员到课的人次。培训目标按区（无区的市按市）"
        "和年度设定，只与所选区（市）的合计比较，不与单个街道比较；统计期跨年度时，只有每个年度都设有"
        "目标才计算完成率，并注明各年度目标。",
    ),
    (
        "宣传活动",
        "各站点每月开展的宣传活动次数{publicity_goal}。已过运营月份：统计期内已结束、且站点"
        "已开业（开业日期所在月起）未关闭的月份；无活动的月份只在这些月份中计数（不计本月、将来月份和"
        "开业前的月份）。",
    ),
    (
        "站点收支",
        "收入 = 统计期内该站点服务记录的收费之和；支出 = 运营单位填报的统计期各月养老服务支出之和；"
        "已填报支出的月份 = 有支出填报的月份数 / 统计期月份数。差额 = 收入 − 支出，仅在统计期每个月"
        "都已填报支出时计算，否则留空（002 五：养老服务单独核算）。合计行的差额 = 收入合计 − 支出合计，"
        "仅在所有站点都已填报全部月份时计算。",
    ),
    (
        "配建养老用房",
        "已建成、已移交、未移交、指导数取 004 附件指导数表；台账登记、已运营、统计期内投入运营取用房台账。",
    ),
    ("合计", "各列为本表各行之和（服务老年人为去重人数）；平均数按合计行的分子、分母重新计算。"),
]


SHEETS = (overview, services, emergencies, satisfaction, training, publicity, accounts, care_rooms)


def build(user, query) -> list[tuple[SheetSpec, list]]:
    """The workbook's sheets for ``user`` over ``query`` (region, from, to), in Chinese whatever
    the language it was asked in."""
    selection = figures.selection_from(user, query)  # a refusal in the asker's language
    with translation.override(WORKBOOK_LANGUAGE):
        return _build(user, selection)


def _build(user, selection: figures.Selection) -> list[tuple[SheetSpec, list]]:
    labels = status_headers()
    words = {
        "operating": labels[StationStatus.OPERATING],
        "others": "、".join(label for status, label in labels.items() if status != StationStatus.OPERATING),
    }
    changning = selection.region.code == COVERAGE_GOAL_REGION
    words["goal"] = "000 的目标为全区 10 个街镇全覆盖。" if changning else ""
    words["publicity_goal"] = "（000：每站每月至少一次）" if changning else ""
    definitions = [(name, text.format(**words)) for name, text in DEFINITIONS]
    return [sheet(selection, user) for sheet in SHEETS] + [definitions_sheet(definitions)]


def filename(selection: figures.Selection) -> str:
    return TITLE.format(place=selection.region.name)

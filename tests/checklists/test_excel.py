"""The five lists in Excel: a table as people make it is read into a draft, all or nothing, with
errors naming sheet, row, column and reason; templates carry their instructions and drop-down
lists; a version exports as five sheets and a draft's export imports back unchanged."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from checklists import exports, imports, services
from checklists.models import ChecklistItem, DutyParty, ListKind, kind_fields
from reports.spreadsheets import ImportFailed
from stations.models import PriceLevel, PriceUnit, ServiceCategory

pytestmark = pytest.mark.django_db


SERVICE_HEADER = [
    "服务项目",
    "服务\n类别",
    "收费标准 （元）",
    "单位",
    "收费性质（免费/低偿/市场价）",
    "服务提供方",
    "备注",
]


def book(*sheets):
    """A workbook of (title, rows) sheets, as bytes in a file."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        sheet = wb.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def stored(version, kind=None):
    items = version.items.order_by("kind", "position", "id")
    if kind:
        items = items.filter(kind=kind)
    return [(item.kind, item.position, item.values()) for item in items]


def real_services_table():
    """The service list as a street's office types it: a title, short labels, "12元", a 免费 row,
    blank optional cells, spaces and line breaks in the header, a blank row, a 填表人 line."""
    return book(
        (
            "服务项目清单",
            [
                ["华阳路为老服务站服务项目及收费标准"],
                SERVICE_HEADER,
                ["社区助餐（午餐，两荤一素）", "助餐", "12元", "餐", "低偿", None, None],
                ["上门助洁", "助洁", 45, "小时", "市场价", "颐康服务社", "  "],
                ["关爱探访", "寻访关爱", "免费", "次", None, None, None],
                ["紧急求助响应", "紧急救助", None, "次", "免费", "", ""],
                [None, None, None, None, None, None, None],
                ["日间托养（全日）", "日托", "￥80.50", "天", "低偿", None, "含午餐"],
                ["填表人：王芳", None, "联系电话：021-62000001", None, None, None, None],
            ],
        )
    )


def test_a_real_table_replaces_the_service_list(world, draft):
    result = imports.import_list(
        draft, ListKind.SERVICES, real_services_table(), by=world.company_a_admin, filename="清单.xlsx"
    )

    assert result.rows == 5
    rows = [
        (i.name, i.category, i.price, i.unit, i.level, i.provider, i.note, i.position)
        for i in draft.items.filter(kind=ListKind.SERVICES).order_by("position")
    ]
    assert rows == [
        ("社区助餐（午餐，两荤一素）", "meals", Decimal("12.00"), "meal", "low_cost", "", "", 1),
        ("上门助洁", "cleaning", Decimal("45.00"), "hour", "market", "颐康服务社", "", 2),
        ("关爱探访", "care_visit", Decimal("0.00"), "time", "free", "", "", 3),
        ("紧急求助响应", "emergency", Decimal("0.00"), "time", "free", "", "", 4),
        ("日间托养（全日）", "day_care", Decimal("80.50"), "day", "low_cost", "", "含午餐", 5),
    ]
    # the other lists of the draft are untouched
    assert draft.items.exclude(kind=ListKind.SERVICES).count() == 4


def test_one_bad_row_changes_nothing_and_names_sheet_row_column_and_reason(world, draft):
    before = stored(draft)
    fp = book(
        (
            "服务项目清单",
            [
                SERVICE_HEADER,
                ["社区助餐", "助餐", "12元", "餐", "低偿"],
                ["上门助洁", "助洁", "-5", "小时", "市场价"],
                ["理发", "理发服务", "10", "次", "低偿"],
            ],
        )
    )

    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)

    assert stored(draft) == before
    errors = {(e.sheet, e.row, e.column, e.header): e.message for e in failed.value.errors}
    fee, category = ("服务项目清单", 3, "C", "收费标准 （元）"), ("服务项目清单", 4, "B", "服务\n类别")
    assert set(errors) == {fee, category}  # headers as written (full-width forms folded)
    assert "negative" in errors[fee] or "负" in errors[fee]
    assert "理发服务" in errors[category]
    message = failed.value.messages[0]
    assert "服务项目清单" in message and "3" in message and "C" in message


def test_a_row_repeating_an_item_is_refused(world, draft):
    before = stored(draft)
    fp = book(
        (
            "服务项目清单",
            [
                SERVICE_HEADER,
                ["社区助餐", "助餐", "12", "餐", "低偿"],
                ["社区 助餐", "助餐送餐", "13", "餐", "低偿"],
            ],
        )
    )

    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)

    assert stored(draft) == before
    [error] = failed.value.errors
    assert (error.row, error.column, error.header) == (3, "A", "服务项目")
    assert "社区 助餐" in error.message


def test_a_fee_without_unit_and_a_negative_fee_are_refused(world, draft):
    fp = book(
        (
            "服务项目清单",
            [
                SERVICE_HEADER,
                ["上门助浴", "助浴", "60", None, "低偿"],
                ["家电小修", "家电维修", -1, "次", "市场价"],
                ["免费理发", "其他", "免费", "次", "市场价"],
            ],
        )
    )

    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)

    columns = {(e.row, e.header) for e in failed.value.errors}
    assert columns == {(2, "单位"), (3, "收费标准 （元）"), (4, "收费性质（免费/低偿/市场价）")}
    assert draft.items.filter(kind=ListKind.SERVICES).count() == 3


def test_the_other_lists_read_their_labels_and_units(world, draft):
    fp = book(
        (
            "资源对接",
            [
                ["单位名称", "类型", "联系人", "联系电话", "可提供服务"],
                ["华阳社区卫生服务中心", "医院", "家庭医生团队", 2160000012, "健康咨询"],
                ["睦邻志愿服务队", "志愿服务队", None, None, "结对关爱"],
            ],
        )
    )
    imports.import_list(draft, ListKind.RESOURCES, fp, by=world.company_a_admin)
    resources = list(draft.items.filter(kind=ListKind.RESOURCES).order_by("position"))
    assert [(r.name, r.resource_kind, r.contact_phone) for r in resources] == [
        ("华阳社区卫生服务中心", "medical", "2160000012"),
        ("睦邻志愿服务队", "volunteer_team", ""),
    ]

    fp = book(
        (
            "服务设施清单",
            [
                ["设施名称", "地点", "面积（㎡）", "容纳人数", "开放时间", "运营方"],
                ["活动室", "会所一楼", "80㎡", "30人", None, None],
            ],
        )
    )
    imports.import_list(draft, ListKind.FACILITIES, fp, by=world.company_a_admin)
    [room] = draft.items.filter(kind=ListKind.FACILITIES)
    assert (room.area, room.capacity) == (Decimal("80.0"), 30)

    fp = book(
        (
            "责任分工清单",
            [
                ["责任主体", "部门/单位", "职责"],
                ["华阳路街道办事处", "社区自治办", "审核定制化清单"],
                ["区卫健委", None, "家庭医生签约"],
                ["业委会", None, "协调公共空间"],
            ],
        )
    )
    imports.import_list(draft, ListKind.DUTIES, fp, by=world.company_a_admin)
    duties = draft.items.filter(kind=ListKind.DUTIES).order_by("position")
    assert [(d.name, d.party, d.department) for d in duties] == [
        ("华阳路街道办事处", "street", "社区自治办"),
        ("区卫健委", "department", ""),
        ("业委会", "owners_committee", ""),
    ]


def test_a_sheet_lacking_a_required_column_is_refused(world, draft):
    before = stored(draft)
    fp = book(("政策支持清单", [["政策名称", "发布单位", "支持内容"], ["补贴", "区民政局", "服务补贴"]]))

    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.POLICIES, fp, by=world.company_a_admin)

    assert "适用对象" in failed.value.messages[0]
    assert stored(draft) == before


def test_import_into_a_published_version_is_refused(world, published):
    before = stored(published)

    with pytest.raises(ImportFailed) as failed:
        imports.import_list(published, ListKind.SERVICES, real_services_table(), by=world.company_a_admin)

    assert stored(published) == before
    assert len(failed.value.errors) == 1 and failed.value.errors[0].row is None


def test_import_by_an_outsider_is_forbidden(world, draft):
    with pytest.raises(PermissionDenied):
        imports.import_list(draft, ListKind.SERVICES, real_services_table(), by=world.company_b_admin)
    assert draft.items.filter(kind=ListKind.SERVICES).count() == 3


def test_an_empty_sheet_is_refused_and_the_example_row_skipped(world, draft):
    before = stored(draft)
    fp = io.BytesIO(imports.template_workbook(ListKind.SERVICES))

    with pytest.raises(ImportFailed):
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)

    assert stored(draft) == before


def test_the_filled_template_imports(world, draft):
    wb = load_workbook(io.BytesIO(imports.template_workbook(ListKind.SERVICES)))
    wb["服务项目清单"].append(["上门助浴", "助浴", "60", "次", "低偿"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)

    imports.import_list(draft, ListKind.SERVICES, buffer, by=world.company_a_admin)

    assert [i.name for i in draft.items.filter(kind=ListKind.SERVICES)] == ["上门助浴"]


def test_a_five_sheet_workbook_replaces_every_list_or_none(world, draft):
    good = [
        ("填写说明", [["说明"]]),
        ("服务项目", [SERVICE_HEADER, ["助浴", "助浴", "60", "次", "低偿"]]),
        (
            "政策支持清单",
            [
                ["政策名称", "发布单位", "适用对象", "支持内容"],
                ["长护险", "医保局", "失能老人", "护理费用支付"],
            ],
        ),
        ("资源对接清单", [["单位名称", "类型", "可提供服务"]]),  # no rows: the list stays
    ]
    before = stored(draft)
    bad = [*good, ("责任分工清单", [["责任主体", "部门/单位", "职责"], ["居民", "某某", "无"]])]

    with pytest.raises(ImportFailed) as failed:
        imports.import_workbook(draft, book(*bad), by=world.company_a_admin)

    assert stored(draft) == before
    [error] = failed.value.errors
    assert (error.sheet, error.row, error.header) == ("责任分工清单", 2, "责任主体")

    counts = imports.import_workbook(draft, book(*good), by=world.company_a_admin)

    assert counts == {"services": 1, "policies": 1}
    assert [i.name for i in draft.items.filter(kind=ListKind.SERVICES)] == ["助浴"]
    assert [i.name for i in draft.items.filter(kind=ListKind.POLICIES)] == ["长护险"]
    assert stored(draft, ListKind.RESOURCES) == [r for r in before if r[0] == ListKind.RESOURCES]


def test_a_workbook_without_list_sheets_is_refused(world, draft):
    with pytest.raises(ImportFailed) as failed:
        imports.import_workbook(draft, book(("Sheet1", [["a"]])), by=world.company_a_admin)
    assert "服务项目清单" in failed.value.messages[0]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_draft_exported_imports_back_unchanged(world, draft, language):
    # items with full-width punctuation, a phone, a leading "=" and every optional column
    services.add_item(
        draft,
        by=world.company_a_admin,
        kind=ListKind.SERVICES,
        name="=社区助浴（上门，含洗头）",
        category="bathing",
        price="60.50",
        unit="time",
        level="low_cost",
        provider="颐康服务社",
        note="需提前一天预约",
    )
    services.add_item(
        draft,
        by=world.company_a_admin,
        kind=ListKind.RESOURCES,
        name="华阳社区卫生服务中心",
        resource_kind="medical",
        contact_person="家庭医生团队",
        contact_phone="021-60000012",
        offer="家庭医生签约、健康咨询",
    )
    before = stored(draft)
    origins = sorted(draft.items.values_list("origin_id", flat=True), key=str)
    buffer = io.BytesIO()
    with translation.override(language):
        exports.version_workbook(draft, buffer)

    counts = imports.import_workbook(draft, buffer, by=world.company_a_admin)

    assert sum(counts.values()) == len(before)
    assert stored(draft) == before
    assert sorted(draft.items.values_list("origin_id", flat=True), key=str) == origins
    assert services.differences(draft)["removed"] == []


def test_the_five_sheet_export_has_five_titled_sheets(world, published):
    buffer = io.BytesIO()
    written = exports.version_workbook(published, buffer)

    wb = load_workbook(buffer)
    assert wb.sheetnames == ["服务项目清单", "服务设施清单", "政策支持清单", "资源对接清单", "责任分工清单"]
    assert written == published.items.count()
    services_sheet = wb["服务项目清单"]
    assert services_sheet["A1"].value.startswith("华阳路为老服务站")
    caption = services_sheet["A2"].value
    published_on = timezone.localdate(published.published_at).isoformat()
    assert str(published.number) in caption and published_on in caption
    assert [c.value for c in services_sheet[3]] == [c.header for c in imports.COLUMNS[ListKind.SERVICES]]
    assert services_sheet.freeze_panes == "A4"
    # labels, not codes
    row = [c.value for c in services_sheet[4]]
    assert row[:5] == [
        "社区助餐",
        str(ServiceCategory.MEALS.label),
        12,
        str(PriceUnit.MEAL.label),
        str(PriceLevel.LOW_COST.label),
    ]
    assert services_sheet["C4"].number_format == "0.00"
    assert wb["责任分工清单"]["B4"].value == str(DutyParty.PROPERTY_COMPANY.label)


def test_one_list_and_a_sample_export(world, sample):
    response = exports.list_response(sample, ListKind.POLICIES)
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["政策支持清单"]
    assert "长宁区" in wb.active["A1"].value
    assert wb.active["A4"].value == "居家养老服务补贴"


def test_the_list_exports_of_versions_and_items(world, sample, published):
    response = exports.ITEMS.response(ChecklistItem.objects.filter(version=published))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    header = rows[0]
    assert "收费标准（元）" in header and "职责" in header and header.count("备注") == 1
    assert len(rows) == 1 + published.items.count()

    response = exports.VERSIONS.response(type(published).objects.filter(pk__in=[sample.pk, published.pk]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.active.max_row == 3


@pytest.mark.parametrize("kind", [None, *ListKind.values])
def test_templates_hold_instructions_examples_and_drop_downs(kind):
    wb = load_workbook(io.BytesIO(imports.template_workbook(kind)))
    kinds = [kind] if kind else ListKind.values
    names = [imports.SHEET_NAMES[k][0] for k in kinds]

    assert wb.sheetnames[: len(names)] == names  # an import of one list reads the first sheet
    assert "填写说明" in wb.sheetnames
    instructions = " ".join(str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c)
    for k in kinds:
        sheet = wb[imports.SHEET_NAMES[k][0]]
        headers = [c.header for c in imports.COLUMNS[k]]
        assert [c.value for c in sheet[3]] == headers
        assert imports.EXAMPLE_MARK in " ".join(str(c.value) for c in sheet[4] if c.value)
        assert all(header in instructions for header in headers)
        validated = {str(v.sqref).split(":")[0][0] for v in sheet.data_validations.dataValidation}
        choice_columns = {
            chr(ord("A") + i) for i, c in enumerate(imports.COLUMNS[k]) if c.name in imports.CHOICES
        }
        assert choice_columns <= validated
        for validation in sheet.data_validations.dataValidation:
            if validation.type == "list":
                assert validation.formula1.startswith("'选项'!")
    if kind in (None, ListKind.SERVICES):
        sheet = wb["服务项目清单"]
        by_column = {str(v.sqref)[0]: v for v in sheet.data_validations.dataValidation}
        assert by_column["C"].type == "decimal" and by_column["C"].formula1 == "0"
        options = [row[1] for row in wb["选项"].iter_rows(min_row=2, values_only=True) if row[1]]
        assert len(options) == 5 and wb["选项"].sheet_state == "hidden"


def test_template_response_is_a_download():
    response = imports.template_response(ListKind.DUTIES)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    load_workbook(io.BytesIO(response.content))


def test_every_column_of_every_list_is_in_its_sheet():
    for kind in ListKind:
        assert {c.name for c in imports.COLUMNS[kind]} == set(kind_fields(kind))


def test_a_district_sample_draft_takes_its_lists_from_excel(world, sample):
    version = services.start_template(world.regions["310105"], by=world.changning_officer)
    buffer = io.BytesIO()
    exports.version_workbook(version, buffer)
    wb = load_workbook(buffer)
    wb["服务项目清单"].append(["上门助浴", "助浴", "60元/次", None, "低偿"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)

    counts = imports.import_workbook(version, buffer, by=world.changning_officer)

    assert counts["services"] == 4
    bath = version.items.get(name="上门助浴")
    assert (bath.price, bath.unit, bath.position) == (Decimal("60.00"), "time", 4)
    assert stored(sample, ListKind.POLICIES)[0][2] == stored(version, ListKind.POLICIES)[0][2]
    # the district's sample is the bureau's: a company may not fill it
    with pytest.raises(PermissionDenied):
        imports.import_workbook(version, buffer, by=world.company_a_admin)


def test_a_fee_per_another_unit_than_its_unit_column_is_refused(world, draft):
    fp = book(("服务项目清单", [SERVICE_HEADER, ["上门助浴", "助浴", "60元/小时", "次", "低偿"]]))
    with pytest.raises(ImportFailed) as failed:
        imports.import_list(draft, ListKind.SERVICES, fp, by=world.company_a_admin)
    assert failed.value.errors[0].column == "C"


def test_exports_cost_a_fixed_number_of_queries(world, draft, django_assert_num_queries):
    for number in range(20):
        services.add_item(
            draft, by=world.company_a_admin, kind=ListKind.FACILITIES, name=f"活动室{number}", place="一楼"
        )
    with django_assert_num_queries(2):  # the version with its station, then its items
        exports.version_workbook(draft, io.BytesIO())
    with django_assert_num_queries(1):
        exports.ITEMS.response(ChecklistItem.objects.filter(version=draft))


def test_a_csv_saved_by_excel_in_gb18030_fills_one_list(world, draft):
    text = (
        "政策名称,文号,发布单位,适用对象,支持内容,申办地点\r\n"
        "老年综合津贴,,市民政局,65周岁及以上老年人,按月发放津贴,社区事务受理服务中心\r\n"
    )
    fp = io.BytesIO(text.encode("gb18030"))

    result = imports.import_list(draft, ListKind.POLICIES, fp, by=world.company_a_admin, filename="政策.csv")

    assert result.rows == 1
    [policy] = draft.items.filter(kind=ListKind.POLICIES)
    assert (policy.name, policy.document_number, policy.where_to_apply) == (
        "老年综合津贴",
        "",
        "社区事务受理服务中心",
    )


def test_the_five_sheet_template_left_empty_imports_nothing(world, draft):
    before = stored(draft)
    fp = io.BytesIO(imports.template_workbook())

    with pytest.raises(ImportFailed) as failed:
        imports.import_workbook(draft, fp, by=world.company_a_admin)

    assert stored(draft) == before
    assert len(failed.value.errors) == 1


def test_totals_and_a_signed_closing_line_are_not_items(world, draft):
    table = book(
        (
            "服务项目清单",
            [
                ["服务项目", "服务类别", "收费标准（元）", "单位", "收费性质"],
                ["社区助餐", "助餐", "12元", "餐", "低偿"],
                ["关爱探访", "寻访", "免费", "次", None],
                ["合计", None, 12, None, None],
                ["共 2 项", None, None, None, None],
                ["填表人：王芳", "联系电话：021-62000001", "填表日期：2026-12-01", None, None],
            ],
        )
    )
    result = imports.import_list(draft, ListKind.SERVICES, table, by=world.company_a_admin)
    assert result.rows == 2
    assert sorted(draft.items.filter(kind=ListKind.SERVICES).values_list("name", "category")) == [
        ("关爱探访", "care_visit"),
        ("社区助餐", "meals"),
    ]

"""Print views (and their PDFs) of what officers sign: a care room's inspection record with its
violations and the inspector's line, an entrustment agreement with both parties, and the 004
progress table in the annex's layout — the official figures as imported, the registry's counts in
added columns. Each is scoped like the object it prints."""

import datetime as dt
import re
import shutil
import subprocess
from urllib.parse import quote, unquote

import pytest
from django.test import Client

from facilities import services
from facilities.models import EntrustmentAgreement
from tests.factories import PASSWORD, OrganizationFactory, make_user

from .conftest import make_room
from .test_targets import GOOD, _import

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", text)


@pytest.fixture
def room(nanan):
    return make_room(nanan, handed_over_on=dt.date(2024, 3, 1))


@pytest.fixture
def inspection(nanan, room):
    return services.record_inspection(
        by=nanan.ximei_officer,
        room=room,
        inspected_on=dt.date(2025, 9, 1),
        findings="一层临街部分出租给棋牌室",
        violations=[
            {"kind": "illegally_let", "description": "出租给棋牌室", "rectify_by": dt.date(2025, 10, 31)},
            {"kind": "built_unused", "description": "二层空置", "rectify_by": dt.date(2025, 12, 31)},
        ],
    )


@pytest.fixture
def agreement(nanan, room):
    application = services.start_application(by=nanan.ximei_officer, room=room)
    services.act_on_application(
        application, "apply", by=nanan.ximei_officer, operating_mode="day_care", services="日间照料、助餐"
    )
    services.act_on_application(application, "survey", by=nanan.bureau_officer, text="同意")
    services.act_on_application(
        application,
        "approve",
        by=nanan.bureau_officer,
        city_approval_number="南政文〔2025〕88号",
        city_approved_on=dt.date(2025, 9, 10),
    )
    services.act_on_application(
        application, "sign", by=nanan.bureau_officer, number="WT-2025-001", signed_on=dt.date(2025, 9, 20)
    )
    return EntrustmentAgreement.objects.get(application=application)


@pytest.fixture
def outsiders(world, nanan):
    """Those who must not see 溪美's room: another town, another county's bureau, a company."""
    return ["liucheng_officer", "cn_officer", "a_admin"]


# --- the inspection record -------------------------------------------------------------------


def test_the_inspection_record_lists_its_violations_and_the_inspectors_line(nanan, inspection):
    page = logged_in("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    assert "溪美花园" in page and "一层临街部分出租给棋牌室" in page and "2025-09-01" in page
    violations = page[page.index('id="violations"') : page.index("</table>", page.index('id="violations"'))]
    assert violations.count("<tr><td>") == 2
    assert "出租给棋牌室" in violations and "2025-10-31" in violations and "二层空置" in violations
    line = page[page.index('id="inspector-line"') :]
    officer = nanan.ximei_officer
    assert officer.name in line and officer.username not in line  # the name on paper, not the login
    assert "data-print" in page


def test_the_inspection_pdf_carries_the_record(nanan, inspection, tmp_path):
    response = logged_in("na_officer").get(f"/facilities/inspections/{inspection.pk}/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "20250901.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "溪美花园" in text and "出租给棋牌室" in text and "二层空置" in text
    assert nanan.ximei_officer.name in text


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_inspection_record_is_404_outside_the_rooms_scope(nanan, inspection, outsiders, suffix):
    url = f"/facilities/inspections/{inspection.pk}/{suffix}"
    for username in outsiders:
        assert logged_in(username).get(url).status_code == 404, username
    assert Client().get(url).status_code == 302


def test_the_inspection_record_runs_the_same_queries_whatever_it_found(
    nanan, room, inspection, django_assert_num_queries
):
    quiet = services.record_inspection(
        by=nanan.ximei_officer, room=room, inspected_on=dt.date(2025, 9, 2), findings="正常"
    )
    client = logged_in("ximei_officer")
    client.get(f"/facilities/inspections/{quiet.pk}/print/")
    # session, user, memberships, the inspection with its room, violations, closed violations,
    # the session's save (savepoint, update, release)
    with django_assert_num_queries(4):
        client.get(f"/facilities/inspections/{quiet.pk}/print/")
    with django_assert_num_queries(4):
        client.get(f"/facilities/inspections/{inspection.pk}/print/")


# --- the entrustment agreement ---------------------------------------------------------------


def test_the_agreement_shows_both_parties_the_room_the_term_and_that_it_is_free(nanan, agreement):
    page = logged_in("na_officer").get(f"/facilities/agreements/{agreement.pk}/print/").content.decode()
    first = page[page.index('id="party-1"') : page.index('id="party-2"')]
    second = page[page.index('id="party-2"') : page.index('id="room"')]
    assert "南安市民政局" in first and "溪美街道办事处" in second
    assert "WT-2025-001" in page and "溪美花园" in page and "日间照料、助餐" in page
    assert f"{agreement.starts_on:%Y-%m-%d} – {agreement.ends_on:%Y-%m-%d}" in page
    seals = page[page.index('id="seals"') :]
    assert "南安市民政局" in seals and "溪美街道办事处" in seals and "2025-09-20" in seals


def test_the_agreement_pdf_names_both_parties(nanan, agreement, tmp_path):
    response = logged_in("ximei_officer").get(f"/facilities/agreements/{agreement.pk}/print.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "南安市民政局" in text and "溪美街道办事处" in text and "WT-2025-001" in text


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_agreement_is_404_outside_its_scope(nanan, agreement, outsiders, suffix):
    url = f"/facilities/agreements/{agreement.pk}/{suffix}"
    for username in outsiders:
        assert logged_in(username).get(url).status_code == 404, username


def test_the_application_page_links_the_agreement_print(nanan, agreement):
    page = logged_in("ximei_officer").get(f"/facilities/applications/{agreement.application_id}/").content
    assert f"/facilities/agreements/{agreement.pk}/print/".encode() in page


# --- the 004 progress table ------------------------------------------------------------------


def _cells(page, town):
    row = re.search(rf"<tr><td>{town}</td>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_progress_table_keeps_the_official_figures_and_adds_the_registrys(nanan):
    _import(nanan, GOOD)  # 溪美街道: 6 built, 4 handed over, 2 not; targets 4 = 1 + 2 + 1
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1), operating_since=dt.date(2025, 10, 1))
    make_room(nanan, location="b")  # built, not handed over
    page = logged_in("na_officer").get("/facilities/progress/print/", {"county": "350583"}).content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    for words in (
        "乡镇（街道）",
        "已建数",
        "已移交数",
        "未移交数",
        "指导数",
        "小计",
        "2025",
        "2026",
        "2027",
        "备注",
    ):
        assert words in head
    assert head.index("乡镇（街道）") < head.index("已建数") < head.index("指导数") < head.index("备注")
    # official: 6 4 2 | 4 1 2 1 | remarks ; registry: 2 1 1 | operating 1 | per year 1 0 0
    assert _cells(page, "溪美街道") == [
        "6",
        "4",
        "2",
        "4",
        "1",
        "2",
        "1",
        "",
        "2",
        "1",
        "1",
        "1",
        "1",
        "0",
        "0",
    ]
    total = re.search(r'<tr class="total">(.*?)</tr>', page, re.S).group(1)
    total_cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)]
    assert total_cells[:8] == ["合计", "9", "7", "2", "7", "2", "3", "2"]
    assert total_cells[9:12] == ["2", "1", "1"]


def test_the_progress_pdf_is_the_annex(nanan, tmp_path):
    _import(nanan, GOOD)
    response = logged_in("na_officer").get("/facilities/progress/print.pdf", {"county": "350583"})
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "新建住宅小区养老服务用房投入运营指导数" in text and "溪美街道" in text and "合计" in text


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_progress_table_is_404_for_whoever_sees_no_row_of_the_county(world, nanan, suffix):
    _import(nanan, GOOD)
    url = f"/facilities/progress/{suffix}"
    for username in ("cn_officer", "a_admin"):
        assert logged_in(username).get(url, {"county": "350583"}).status_code == 404, username
    # a town sees only its own row, never its neighbours'
    page = logged_in("liucheng_officer").get("/facilities/progress/print/", {"county": "350583"})
    if suffix == "print/":
        assert "柳城街道" in page.content.decode() and "溪美街道" not in page.content.decode()


def test_the_progress_print_costs_the_same_queries_for_more_towns(nanan, django_assert_num_queries):
    _import(nanan, GOOD[:1] + [["合计", 6, 4, 2, 4, 1, 2, 1, ""]])
    client = logged_in("na_officer")
    client.get("/facilities/progress/print/", {"county": "350583"})
    with django_assert_num_queries(6) as one:
        client.get("/facilities/progress/print/", {"county": "350583"})
    _import(nanan, GOOD)
    make_room(nanan, compound=nanan.other_compound, handed_over_on=dt.date(2024, 1, 1))
    with django_assert_num_queries(len(one)):
        page = client.get("/facilities/progress/print/", {"county": "350583"}).content.decode()
    assert "柳城街道" in page


def test_a_company_officer_of_the_room_sees_its_inspection(world, nanan, room, inspection):
    operator = OrganizationFactory(kind="care_provider", name="溪美颐养服务中心", region=nanan.ximei)
    make_user("operator_admin", operator, "org_admin")
    url = f"/facilities/inspections/{inspection.pk}/print/"
    assert logged_in("operator_admin").get(url).status_code == 404
    services.save_room(room, by=nanan.bureau_officer, operator=operator)
    assert logged_in("operator_admin").get(url).status_code == 200


def test_the_progress_page_also_keeps_the_official_figures_beside_the_registrys(nanan):
    _import(nanan, GOOD)
    make_room(nanan, location="b")  # built, not handed over
    page = logged_in("na_officer").get("/facilities/progress/", {"county": "350583"}).content.decode()
    official, registry = ["6", "4", "2", "4", "1", "2", "1", ""], ["1", "0", "1", "0", "0", "0", "0"]
    assert _cells(page, "溪美街道") == official + registry
    assert 'href="/facilities/progress/print/?county=350583"' in page


# --- the inspection record is the record of that day -------------------------------------------


def _violation_rows(page):
    table = page[page.index('id="violations"') : page.index("</table>", page.index('id="violations"'))]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + r, re.S)]
        for r in rows
    ]


def test_the_inspection_record_shows_the_violations_as_found_and_later_changes_apart(nanan, room, inspection):
    let = inspection.violations.get(kind="illegally_let")
    unused = inspection.violations.get(kind="built_unused")
    services.update_violation(unused, by=nanan.ximei_officer, action_taken="已清理杂物")
    later = services.record_inspection(
        by=nanan.ximei_officer, room=room, inspected_on=dt.date(2025, 11, 23), findings="商户已搬离"
    )
    services.close_violation(let, by=nanan.ximei_officer, inspection=later, action_taken="收回出租部分")
    client = logged_in("ximei_officer")
    page = client.get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    rows = _violation_rows(page)
    # as found on 2025-09-01: both open, with the deadlines then set; nothing done yet
    states = {row[1]: (row[3], row[4]) for row in rows}
    assert states == {"违规出租": ("2025-10-31", "待整改"), "建而不用": ("2025-12-31", "待整改")}
    table = page[page.index('id="violations"') : page.index('id="later"')]
    assert "已销号" not in table and "收回出租部分" not in table and "已清理杂物" not in table
    # what happened since: a separate note, the closure with its date
    note = page[page.index('id="later"') : page.index("</div>", page.index('id="later"'))]
    number = {row[1]: row[0] for row in rows}
    assert "2025-11-23" in note and "收回出租部分" in note and "已清理杂物" in note
    assert note.index(number["违规出租"]) < note.index("2025-11-23")
    # the later inspection's own record lists the closure as its own
    page = client.get(f"/facilities/inspections/{later.pk}/print/").content.decode()
    assert 'id="closed"' in page and "收回出租部分" in page and 'id="later"' not in page


def test_an_untouched_violation_has_no_later_note(nanan, inspection):
    page = logged_in("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    assert 'id="later"' not in page
    assert [row[4] for row in _violation_rows(page)] == ["待整改", "待整改"]


def test_the_record_prints_the_rooms_responsible_party_and_operator(world, nanan, room, inspection):
    page = logged_in("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    # not operating: no operator to write in
    assert re.search(r"运营单位</th><td>—</td>", page)
    operator = OrganizationFactory(kind="care_provider", name="溪美颐养服务中心", region=nanan.ximei)
    services.save_room(room, by=nanan.bureau_officer, responsible_party="溪美街道办事处", operator=operator)
    page = logged_in("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    assert re.search(r"责任主体</th><td>溪美街道办事处</td>", page)
    assert re.search(r"运营单位</th><td>溪美颐养服务中心</td>", page)


@pytest.mark.parametrize(
    ("location", "floor", "printed"),
    [
        ("会所二层", "upper", "会所二层"),  # the location says its floor
        ("会所二层", "ground", "会所二层"),  # never a contradicting label beside it
        ("1 号楼架空层", "ground", "1 号楼架空层"),
        ("3 号楼东侧", "semi_basement", "3 号楼东侧（半地下室）"),  # the label adds the floor
    ],
)
def test_the_floor_label_is_printed_only_where_it_adds_to_the_location(nanan, location, floor, printed):
    room = make_room(nanan, location=location, floor=floor, handed_over_on=dt.date(2024, 3, 1))
    inspection = services.record_inspection(
        by=nanan.ximei_officer, room=room, inspected_on=dt.date(2025, 9, 1), findings="正常"
    )
    page = logged_in("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print/").content.decode()
    assert f"小区内位置</th><td>{printed}</td>" in page


def test_the_agreement_prints_each_partys_particulars_and_a_line_for_a_missing_one(nanan, agreement):
    town = agreement.town
    town.address, town.contact_person, town.contact_phone = (
        "南安市溪美街道成功街 8 号",
        "王主任",
        "0595-86381234",
    )
    town.credit_code = "11350583000000050T"
    town.save()
    page = logged_in("na_officer").get(f"/facilities/agreements/{agreement.pk}/print/").content.decode()
    second = page[page.index('id="party-2"') : page.index('id="room"')]
    fields = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", second))
    assert fields == {
        "名称": "溪美街道办事处",
        "地址": "南安市溪美街道成功街 8 号",
        "联系人": "王主任",
        "联系电话": "0595-86381234",
        "统一社会信用代码": "11350583000000050T",
    }
    # the bureau without a contact: the line stays, empty, to fill in by hand
    first = page[page.index('id="party-1"') : page.index('id="party-2"')]
    assert "<dt>联系人</dt><dd></dd>" in first


def test_the_demo_gives_both_parties_of_an_agreement_their_particulars(world, nanan):
    from facilities import demo  # noqa: PLC0415 - the demo loader is only for this test

    demo._particulars([nanan.ximei_office])
    office = nanan.ximei_office
    office.refresh_from_db()
    assert office.address and office.contact_person and office.contact_phone
    office.full_clean()  # a valid credit code


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_a_towns_progress_print_says_it_covers_that_town_only(nanan, suffix, tmp_path):
    _import(nanan, GOOD)
    url = f"/facilities/progress/{suffix}"
    county = logged_in("na_officer").get(url, {"county": "350583"})
    town = logged_in("ximei_officer").get(url, {"county": "350583"})
    if suffix == "print/":
        assert '<p class="subtitle" id="scope">南安市</p>' in county.content.decode()
        page = town.content.decode()
        assert '<p class="subtitle" id="scope">南安市（溪美街道）</p>' in page
        assert "柳城街道" not in page  # its neighbours' rows stay out of it
        total = re.search(r'<tr class="total">(.*?)</tr>', page, re.S).group(1)
        assert re.findall(r"<td[^>]*>(.*?)</td>", total)[:4] == ["合计", "6", "4", "2"]  # 溪美's own
    else:
        assert "南安市（溪美街道）" in pdf_text(town.content, tmp_path)
        assert quote("南安市（溪美街道）") in town["Content-Disposition"]
        assert "（" not in unquote(county["Content-Disposition"]).split("-")[0]

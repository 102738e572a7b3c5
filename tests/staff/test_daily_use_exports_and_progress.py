"""Every export link of the staff pages, followed on the page as first opened, brings back a
workbook with the rows the page shows; the training progress names the area its figures are of
and compares them only with that area's target."""

import datetime as dt
import io

import lxml.html
import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from staff import services
from staff.models import TrainingTarget
from tests.factories import PASSWORD, make_staff

PAGES = ("/staff/", "/staff/training/", "/staff/training/progress/", "/staff/resources/", "/staff/duties/")

# page table id -> (sheet title, the sheet's header of the column the page shows first)
TABLES = {
    "/staff/": {"staff": ("人员", "姓名")},
    "/staff/training/": {"records": ("成绩", "姓名")},
    "/staff/training/progress/": {"by-street": ("按街镇", "街道（镇）"), "by-company": ("按单位", "单位")},
    "/staff/resources/": {"resources": ("资源信息", "站点")},
    "/staff/duties/": {"per-person": ("按人员", "姓名"), "per-station": ("按站点", "站点")},
}


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _page_rows(document, table_id):
    """The first cell of each body row of the table (its own text, not a note beside it)."""
    rows = []
    for row in document.get_element_by_id(table_id).xpath("./tbody/tr"):
        cells = row.xpath("./td")
        if len(cells) == 1 and cells[0].text_content().strip() == "—":
            continue
        first = cells[0]
        link = first.xpath("./a")
        rows.append((link[0].text_content() if link else (first.text or "")).strip())
    return rows


def _sheet_rows(workbook, title, header):
    """The first column's values under the header row, up to a total line."""
    sheet = workbook[title]
    values = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(values) if header in row)
    column = values[start].index(header)
    return [str(row[column]) for row in values[start + 1 :] if row[column] is not None]


def _year_session(world):
    today = timezone.localdate()
    return services.save_session(
        None,
        by=world.changning_officer,
        organiser=world.changning_bureau,
        region=world.regions["310105"],
        title="三员岗前培训（本年）",
        kind="pre_job",
        starts_on=today,
        ends_on=today,
    )


@pytest.fixture
def trained(world, station_a, staff_a):
    """This year: 3 person-times in 华阳路街道 (甲物业) and 2 in 仙霞新村街道 (乙物业); a resource line."""
    session = _year_session(world)
    huayang = [staff_a, make_staff(world.company_a, "甲二"), make_staff(world.company_a, "甲三")]
    xianxia = [make_staff(world.company_b, f"乙{n}", region=world.regions["310105008"]) for n in (1, 2)]
    for member in huayang + xianxia:
        services.record_result(
            session, member, by=world.changning_officer, theory_score=80, practical_score=80
        )
    informer = make_staff(world.company_a, "信息员小吴", roles=["information"], user=world.company_a_admin)
    services.save_resource(None, by=world.company_a_admin, station=station_a, kind="charity", name="慈善超市")
    return informer


@pytest.mark.parametrize("username", ["cn_officer", "hy_officer", "a_admin"])
def test_every_export_link_as_first_opened_brings_the_rows_of_the_page(world, trained, username):
    client = _client(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        document = lxml.html.fromstring(response.content.decode())
        links = [a.get("href") for a in document.xpath("//a") if "export=xlsx" in (a.get("href") or "")]
        assert links, f"{url} has no export link"
        for href in links:
            exported = client.get(url + href if href.startswith("?") else href)
            assert exported["Content-Type"].startswith(
                "application/vnd.openxmlformats-officedocument.spreadsheetml"
            ), f"{url}{href} answered {exported['Content-Type']}"
            body = b"".join(exported.streaming_content) if exported.streaming else exported.content
            workbook = load_workbook(io.BytesIO(body))
            for table_id, (title, header) in TABLES[url].items():
                shown = _page_rows(document, table_id)
                in_sheet = _sheet_rows(workbook, title, header)
                if (
                    url == "/staff/training/progress/"
                    and table_id == "by-street"
                    and in_sheet[-1:] == ["合计"]
                ):
                    # a district's sheet closes with a 合计 line; a street's has its own row, once
                    in_sheet = in_sheet[:-1]
                if url == "/staff/duties/" and table_id == "per-station":
                    in_sheet = in_sheet[:-1]  # and the stations' total line
                assert in_sheet == shown, f"{username} {url} #{table_id}"


def test_the_progress_export_as_first_opened_is_the_default_region_and_year(world, trained):
    response = _client("cn_officer").get("/staff/training/progress/", {"export": "xlsx"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body))["按街镇"]
    assert f"长宁区{timezone.localdate().year}年" in sheet.cell(1, 1).value
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] and row[1] is not None}
    assert (rows["华阳路街道"], rows["仙霞新村街道"]) == (3, 2)


def test_a_refused_progress_filter_exports_nothing_but_says_why(world, trained):
    response = _client("cn_officer").get("/staff/training/progress/", {"region": "999999", "year": "x"})
    assert response.status_code == 200 and b'id="headline"' not in response.content
    exported = _client("cn_officer").get(
        "/staff/training/progress/", {"region": "999999", "year": "x", "export": "xlsx"}
    )
    assert exported["Content-Type"].startswith("text/html")


def test_a_street_officer_sees_the_street_under_its_own_name_and_the_district_beside_it(world, trained):
    year = timezone.localdate().year
    TrainingTarget.objects.create(region=world.regions["310105"], year=year, person_times=200)
    page = _client("hy_officer").get("/staff/training/progress/").content.decode()
    document = lxml.html.fromstring(page)
    headline = document.get_element_by_id("headline").text_content()
    assert headline.startswith(f"华阳路街道 {year}") and "长宁区" not in headline
    assert "已培训 3 人次" in headline and "200" not in headline  # not against the district's target
    assert "华阳路街道" in document.get_element_by_id("no-target").text_content()
    district = document.get_element_by_id("district-headline").text_content()
    # the district's own figure (both streets: 5) against its own target
    assert "长宁区" in district and "已培训 5 人次，目标 200 人次" in district and "2.5%" in district
    assert _page_rows(document, "by-street") == ["华阳路街道"]

    # with a target of its own, the street is compared with it
    TrainingTarget.objects.create(region=world.regions["310105001"], year=year, person_times=30)
    document = lxml.html.fromstring(_client("hy_officer").get("/staff/training/progress/").content.decode())
    headline = document.get_element_by_id("headline").text_content()
    assert "已培训 3 人次，目标 30 人次" in headline and "10.0%" in headline
    assert not document.xpath('//*[@id="no-target"]')


def test_a_street_officer_cannot_pick_the_district_or_another_street(world, trained):
    client = _client("hy_officer")
    year = timezone.localdate().year
    for code in ("310105", "310105008"):
        page = client.get("/staff/training/progress/", {"region": code, "year": year}).content.decode()
        assert 'id="headline"' not in page and "errorlist" in page


def test_the_district_officer_compares_the_district_with_its_target(world, trained):
    year = timezone.localdate().year
    TrainingTarget.objects.create(region=world.regions["310105"], year=year, person_times=200)
    document = lxml.html.fromstring(_client("cn_officer").get("/staff/training/progress/").content.decode())
    headline = document.get_element_by_id("headline").text_content()
    assert headline.startswith(f"长宁区 {year}") and "已培训 5 人次，目标 200 人次" in headline
    assert not document.xpath('//*[@id="district-headline"]')
    # the district officer may look at one street: the street's figure, no district target on it
    page = _client("cn_officer").get("/staff/training/progress/", {"region": "310105008", "year": year})
    document = lxml.html.fromstring(page.content.decode())
    assert "已培训 2 人次" in document.get_element_by_id("headline").text_content()
    assert "目标 200" in document.get_element_by_id("district-headline").text_content()


def test_a_company_sees_its_own_staff_labelled_as_such(world, trained):
    year = timezone.localdate().year
    TrainingTarget.objects.create(region=world.regions["310105"], year=year, person_times=200)
    document = lxml.html.fromstring(_client("a_admin").get("/staff/training/progress/").content.decode())
    headline = document.get_element_by_id("headline").text_content()
    assert "您可查看的人员" in headline and "已培训 3 人次" in headline and "200" not in headline
    assert "已培训 5 人次，目标 200 人次" in document.get_element_by_id("district-headline").text_content()


def test_last_years_progress_still_reads(world, trained):
    last = timezone.localdate().year - 1
    page = _client("cn_officer").get("/staff/training/progress/", {"region": "310105", "year": last})
    assert f"长宁区 {last}" in page.content.decode()
    assert dt.date.today().year - 1 == last


def test_the_api_gives_a_street_the_same_figures_and_labels_as_the_page(world, trained):
    year = timezone.localdate().year
    TrainingTarget.objects.create(region=world.regions["310105"], year=year, person_times=200)
    client = _client("hy_officer")
    street = client.get("/api/v1/training-sessions/progress/", {"region": "310105001", "year": year}).json()
    assert street["region_name"] == "华阳路街道" and street["complete"] is True
    assert street["total"]["person_times"] == 3 and street["target"] is None  # not the district's 200
    assert street["district"]["name"] == "长宁区" and street["district"]["person_times"] == 5
    assert street["district_target"] == 200
    assert [row["name"] for row in street["streets"]] == ["华阳路街道"]
    company = _client("a_admin").get(
        "/api/v1/training-sessions/progress/", {"region": "310105", "year": year}
    )
    assert company.json()["complete"] is False and "您可查看" in company.json()["scope_name"]

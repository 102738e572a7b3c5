"""The 统计报表 page, the dashboard and the statistics API: who may open them, what region they
report on, and the queries they take."""

import datetime as dt
import hashlib
import io
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from pilots import services as pilot_services
from reports.evaluation.services import run_evaluation
from staff.models import TrainingTarget
from stations.models import Station
from tests.conftest import api_client_for
from tests.factories import PASSWORD
from tests.reports.evaluation_data import make_station, publicity, scheme_for
from tests.reports.test_statistics_figures import _demonstration_pilot, at, record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_statistics_staff_choose_a_region_and_download_each_workbook(world, station_a):
    client = _client(world.changning_viewer)
    page = client.get("/statistics/?region=310105&from=2026-01&to=2026-03")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="310105008"' in text  # the district's streets are offered
    assert "/statistics/workbooks/annex2/?region=310105&amp;from=2026-01&amp;to=2026-03" in text
    for key in ("annex2", "district"):
        response = client.get(f"/api/v1/statistics/workbooks/{key}/?region=310105&from=2026-01&to=2026-03")
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert book.worksheets[0]["A1"].value.startswith("长宁区")


def test_a_street_officer_sees_only_the_street(world, station_a, station_b):
    client = _client(world.street_officer)
    page = client.get("/statistics/")
    assert page.status_code == 200
    assert 'value="310105008"' not in page.content.decode()
    data = client.get("/api/v1/statistics/dashboard/").json()
    assert data["region"]["code"] == "310105001"
    stations = data["charts"][0]
    assert stations["categories"] == ["华阳路街道"]
    assert sum(sum(series["data"]) for series in stations["series"]) == 1
    assert client.get("/api/v1/statistics/dashboard/?region=310105").status_code == 403
    assert client.get("/api/v1/statistics/workbooks/district/?region=310105008").status_code == 403
    assert client.get("/statistics/dashboard/?region=310105").status_code == 403


def test_a_street_officers_workbooks_hold_only_the_street(world, station_a, station_b, resident):
    pilot = _demonstration_pilot(world, station_a)
    other = pilot_services.designate_pilot(
        pilot.programme,
        by=world.changning_officer,
        organization=world.company_b,
        pilot_type="property_care",
        site_region=world.regions["310105008"],
    )
    pilot_services.set_demonstration(other, by=world.changning_officer, value=True)
    Station.objects.filter(pk=station_b.pk).update(pilot=other)
    record(station_b, resident, at(2026, 2, 1))
    client = _client(world.street_officer)
    query = "from=2026-01&to=2026-03"
    annex = load_workbook(
        io.BytesIO(b"".join(client.get(f"/statistics/workbooks/annex2/?{query}").streaming_content))
    )
    rows = [list(row) for row in annex.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "华阳路街道示范项目基本情况统计表"
    assert [row[3] for row in rows[5:-2]] == ["甲物业"]  # 仙霞's project is not the street's
    overview = load_workbook(
        io.BytesIO(b"".join(client.get(f"/statistics/workbooks/district/?{query}").streaming_content))
    )
    for sheet in overview.worksheets[:-1]:
        streets = {row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] != "合计"}
        assert "仙霞新村街道" not in streets, sheet.title
        assert not any(row[1] == station_b.name for row in sheet.iter_rows(values_only=True)), sheet.title
    # the district, another street: the page with the reason, no workbook
    for key in ("annex2", "district"):
        for region in ("310105", "310105008"):
            response = client.get(f"/statistics/workbooks/{key}/?region={region}&{query}")
            assert response.status_code == 403 and "<html" in response.content.decode()
            assert "data-workbook" not in response.content.decode()
        assert (
            api_client_for(world.street_officer)
            .get(f"/api/v1/statistics/workbooks/{key}/?region=310105")
            .status_code
            == 403
        )


def test_another_districts_officer_cannot_read_changning(world, station_a):
    client = _client(world.nanan_officer)
    assert client.get("/api/v1/statistics/workbooks/annex2/?region=310105").status_code == 403
    assert client.get("/statistics/?region=310105").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/statistics/",
        "/statistics/dashboard/",
        "/api/v1/statistics/dashboard/",
        "/api/v1/statistics/workbooks/district/",
        "/api/v1/statistics/charts/export/?chart=stations",
    ],
)
def test_a_company_user_is_forbidden(world, url):
    assert _client(world.company_a_admin).get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world):
    assert Client().get("/statistics/").status_code == 302
    assert Client().get("/api/v1/statistics/dashboard/").status_code in (401, 403)


def test_bad_input_is_refused_with_a_reason(world):
    api = api_client_for(world.changning_viewer)
    response = api.get("/api/v1/statistics/dashboard/?from=2026-05&to=2026-01")
    assert response.status_code == 400
    assert api.get("/api/v1/statistics/workbooks/nothing/").status_code == 404
    assert api.get("/api/v1/statistics/charts/export/?chart=nothing").status_code == 404
    page = _client(world.changning_viewer).get("/statistics/?from=2026-13")
    assert page.status_code == 200  # the page shows the error and the defaults
    assert "YYYY-MM" in page.content.decode()


def test_the_dashboard_page_loads_echarts_from_our_own_files(world):
    text = _client(world.changning_viewer).get("/statistics/dashboard/").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in text and "/static/js/dashboard.js" in text
    assert "<script>" not in text  # no inline script (CSP)
    for chart in ("stations", "services", "training", "care_rooms", "scorecards", "findings"):
        assert f'data-chart="{chart}"' in text


def test_the_dashboard_json_is_the_workbooks_figures(world, station_a, resident):
    Station.objects.filter(pk=station_a.pk).update(status="operating")
    record(station_a, resident, at(2026, 2, 3))
    record(station_a, resident, at(2026, 2, 4))
    data = (
        api_client_for(world.changning_viewer)
        .get("/api/v1/statistics/dashboard/?region=310105&from=2026-01&to=2026-03")
        .json()
    )
    charts = {chart["key"]: chart for chart in data["charts"]}
    assert set(charts) == {"stations", "services", "training", "care_rooms", "scorecards", "findings"}
    assert charts["services"]["categories"] == ["2026-01", "2026-02", "2026-03"]
    assert charts["services"]["series"][0]["data"] == [0, 2, 0]


def test_a_charts_figures_download_with_their_total(world, station_a, resident):
    record(station_a, resident, at(2026, 2, 3))
    client = _client(world.changning_viewer)
    response = client.get(
        "/api/v1/statistics/charts/export/?chart=services&region=310105&from=2026-01&to=2026-03"
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert rows[3:] == [("2026-01", 0), ("2026-02", 1), ("2026-03", 0), ("合计", 1)]


def _grow(world, count):
    for n in range(count):
        Station.objects.create(
            operator=world.company_a,
            region=world.regions["310105008"],
            name=f"站{n}",
            address="路",
            status="operating",
        )


@pytest.mark.parametrize("stations", [1, 12])
def test_the_dashboard_json_takes_a_fixed_number_of_queries(world, django_assert_num_queries, stations):
    _grow(world, stations)
    api = api_client_for(world.changning_viewer)
    # no month evaluated yet: the score bands stop after finding none (one query)
    with django_assert_num_queries(12):
        assert api.get("/api/v1/statistics/dashboard/?region=310105").status_code == 200


@pytest.mark.parametrize("stations", [1, 12])
def test_a_charts_download_takes_a_fixed_number_of_queries(world, django_assert_num_queries, stations):
    _grow(world, stations)
    api = api_client_for(world.changning_viewer)
    with django_assert_num_queries(4):
        assert api.get("/api/v1/statistics/charts/export/?chart=stations&region=310105").status_code == 200


def _charts(user, query):
    data = api_client_for(user).get(f"/api/v1/statistics/dashboard/?{query}").json()
    return {chart["key"]: chart for chart in data["charts"]}


def test_the_districts_target_is_compared_with_the_districts_total_never_a_streets(world):
    TrainingTarget.objects.create(region=world.regions["310105"], year=2026, person_times=200)
    district = _charts(world.changning_viewer, "region=310105&from=2026-01&to=2026-03")["training"]
    assert district["categories"][-1].startswith("长宁区")  # the district's own total
    target = next(s for s in district["series"] if s["name"] != district["series"][0]["name"])
    assert target["data"][-1] == 200 and set(target["data"][:-1]) == {None}
    street = _charts(world.street_officer, "from=2026-01&to=2026-03")["training"]
    assert street["categories"] == ["华阳路街道"] and street["target"] is None
    assert len(street["series"]) == 1 and "长宁区" in street["note"]


def test_a_care_rooms_chart_with_nothing_says_so(world):
    charts = _charts(world.changning_viewer, "region=310105&from=2026-01&to=2026-03")
    assert charts["care_rooms"]["empty"] is True and charts["care_rooms"]["note"]
    assert charts["stations"]["note"]  # current status, whatever the period


def test_a_charts_download_is_named_by_its_title_region_and_period(world):
    response = _client(world.changning_viewer).get(
        "/api/v1/statistics/charts/export/?chart=care_rooms&region=310105&from=2026-01&to=2026-03"
    )
    disposition = unquote(response["Content-Disposition"])
    assert "care_rooms" not in disposition and "长宁区" in disposition and "202601-202603" in disposition
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert rows[1][0].startswith("填报单位：") and "填报时间：" in rows[1][0]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/statistics/dashboard/",
        "/api/v1/statistics/workbooks/annex2/",
        "/api/v1/statistics/workbooks/district/",
        "/api/v1/statistics/charts/export/?chart=stations&",
    ],
)
def test_a_nul_byte_in_the_region_is_a_400_not_a_server_error(world, url):
    separator = "" if url.endswith("&") else "?"
    response = api_client_for(world.changning_viewer).get(f"{url}{separator}region=310105%00")
    assert response.status_code == 400
    assert "region" in str(response.json())


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/dashboard/"])
def test_refused_input_stays_in_its_field_with_the_reason_beside_it(world, path):
    page = _client(world.changning_viewer).get(f"{path}?region=310105%00&from=2025-11&to=2026-13")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="from" value="2025-11"' in text  # the valid field is kept
    assert 'name="to" value="2026-13"' in text  # the refused one too, to correct it
    assert text.count('class="field-errors"') == 2  # beside region and beside to
    assert "Null characters" not in text and "不允许是用空字符串" not in text  # the field's own reason
    assert "YYYY-MM" in text
    assert 'id="statistics-refused"' in text and "data-workbook" not in text


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/dashboard/"])
def test_a_region_outside_the_scope_shows_the_page_with_the_reason(world, path):
    page = _client(world.nanan_officer).get(f"{path}?region=310105")
    assert page.status_code == 403
    text = page.content.decode()
    assert "This region is outside your responsibility." in text or "此区域不在您的管辖范围内" in text
    assert 'class="inline statistics-form"' in text and "<html" in text


def test_the_charts_name_every_street_and_hide_the_axes_when_empty():
    script = (settings.BASE_DIR / "static" / "js" / "dashboard.js").read_text(encoding="utf-8")
    assert "interval: 0" in script  # no street name is skipped, however many streets
    assert "show: !empty" in script  # an empty chart shows its message, not a bare axis
    assert "legend: { bottom: 0" in script  # the legend below the names, clear of the bars
    assert "MANY_STREETS = 12" in script and 'chart.axis === "street"' in script  # many: on its side


def test_each_chart_says_what_its_categories_are(world):
    charts = _charts(world.changning_viewer, "region=310105&from=2026-01&to=2026-03")
    assert {key: chart["axis"] for key, chart in charts.items()} == {
        "stations": "street",
        "services": "month",
        "training": "street",
        "care_rooms": "street",
        "scorecards": "score",
        "findings": "month",
    }


def test_the_evaluation_charts_count_score_bands_and_findings_per_month(world):
    quiet = make_station(world.company_a, world.regions["310105001"], "静站")
    busy = make_station(world.company_b, world.regions["310105008"], "忙站")
    scheme = scheme_for(world, [("publicity_events", 100, 1, "at_least")])
    publicity(busy, dt.date(2026, 9, 5))
    run_evaluation(scheme, dt.date(2026, 9, 1))  # 静站 0 points (a finding), 忙站 100
    publicity(quiet, dt.date(2026, 10, 5))
    run_evaluation(scheme, dt.date(2026, 10, 1))  # 静站 meets it (its finding closes), 忙站 not
    charts = _charts(world.changning_viewer, "region=310105&from=2026-09&to=2026-10")
    bands = charts["scorecards"]
    assert "2026-10" in bands["note"] and not bands["empty"]
    stations, pilots = (series["data"] for series in bands["series"])
    assert (stations, pilots) == (
        [1, 0, 0, 0, 1],
        [0] * 5,
    )  # October, the latest month evaluated  # both at 100 in October, the latest month evaluated
    findings = {s["name"]: s["data"] for s in charts["findings"]["series"]}
    assert list(findings.values()) == [[1, 1], [0, 1], [1, 1]]  # opened, closed, open at month end
    # a street officer reads the street's own: 静站 alone
    street = _charts(world.street_officer, "from=2026-09&to=2026-10")
    assert street["scorecards"]["series"][0]["data"] == [0, 0, 0, 0, 1]
    assert street["findings"]["series"][0]["data"] == [1, 0]


def test_a_chart_whose_figures_are_all_zero_says_it_has_none(world, station_a):
    """A period with no services, no training and no findings: those charts say so instead of
    drawing bare axes along zero; a target alone is a figure to draw."""
    charts = _charts(world.changning_viewer, "region=310105&from=2025-01&to=2025-06")
    for key in ("services", "training", "findings", "scorecards", "care_rooms"):
        assert charts[key]["empty"] is True, key
    assert charts["stations"]["empty"] is False  # station_a, as it is today, whatever the period
    TrainingTarget.objects.create(region=world.regions["310105"], year=2025, person_times=50)
    charts = _charts(world.changning_viewer, "region=310105&from=2025-01&to=2025-06")
    assert charts["training"]["empty"] is False
    Station.objects.filter(pk=station_a.pk).delete()
    assert _charts(world.changning_viewer, "region=310105")["stations"]["empty"] is True


def test_the_dashboard_says_when_its_figures_cannot_be_loaded(world):
    text = _client(world.changning_viewer).get("/statistics/dashboard/").content.decode()
    assert 'data-failed="' in text
    script = (settings.BASE_DIR / "static" / "js" / "dashboard.js").read_text(encoding="utf-8")
    assert 'getAttribute("data-failed")' in script and "barMaxWidth" in script


# the sha256 of dist/echarts.min.js in the npm package echarts@6.1.0 (npm pack echarts@6.1.0)
ECHARTS_NPM_DIGEST = "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"


def test_the_vendored_echarts_is_the_npm_packages_file_with_its_licence():
    folder = settings.BASE_DIR / "static" / "vendor" / "echarts"
    script = (folder / "echarts.min.js").read_bytes()
    assert hashlib.sha256(script).hexdigest() == ECHARTS_NPM_DIGEST
    notes = (folder / "README.md").read_text(encoding="utf-8")
    assert b'version:"6.1.0"' in script and "echarts@6.1.0" in notes
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (folder / "NOTICE").read_text(encoding="utf-8")
    assert (folder / "LICENSE-d3").exists()

"""The evaluation pages, the API and the admin: scoped (a district officer sees the district, a
street officer the street, a company its own), the forbidden paths, the refused forms keeping
their input, weights not adding to 100 refused on every road, fixed query counts, exports."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import Finding, FindingComment, Scorecard
from tests.conftest import api_client_for
from tests.factories import make_user

from .evaluation_data import MONTH, make_station, publicity, scheme_for

pytestmark = pytest.mark.django_db

TWO = [("publicity_events", 60, 1, "at_least"), ("emergency_response", 40, 15, "at_most")]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def evaluated(world):
    """Two 长宁 stations in two streets (甲物业 in 华阳路, 乙物业 in 仙霞), evaluated for October:
    甲's station held a publicity event, 乙's did not (a finding)."""
    from reports.evaluation import services  # noqa: PLC0415 - after the world is made

    a = make_station(world.company_a, world.regions["310105001"], "华阳甲站")
    b = make_station(world.company_b, world.regions["310105008"], "仙霞乙站")
    publicity(a, dt.date(2026, 10, 8))
    scheme = scheme_for(world, TWO)
    services.run_evaluation(scheme, MONTH)
    return {"a": a, "b": b, "scheme": scheme}


def test_district_officer_sees_the_district_ranking(world, evaluated):
    page = client_for(world.changning_officer).get(reverse("reports:evaluation_scorecards"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "华阳甲站" in text and "仙霞乙站" in text
    assert text.index("华阳甲站") < text.index("仙霞乙站")  # ranked by score
    assert 'id="run-now"' in text  # the officer may run a month now


def test_street_officer_sees_the_street_and_a_company_its_own(world, evaluated):
    text = client_for(world.street_officer).get(reverse("reports:evaluation_scorecards")).content.decode()
    assert "华阳甲站" in text and "仙霞乙站" not in text and 'id="run-now"' not in text
    text = client_for(world.company_b_admin).get(reverse("reports:evaluation_scorecards")).content.decode()
    assert "仙霞乙站" in text and "华阳甲站" not in text


def test_scorecard_detail_shows_raw_figures_and_is_404_outside_the_scope(world, evaluated):
    card = Scorecard.objects.get(station=evaluated["b"])
    url = reverse("reports:evaluation_scorecard", args=[card.pk])
    page = client_for(world.company_b_admin).get(url)
    assert page.status_code == 200
    assert "Publicity events in the month" in page.content.decode() or "宣传" in page.content.decode()
    for outsider in (world.company_a_admin, world.street_officer, world.nanan_officer):
        assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_findings_list_filters_exports_and_counts_queries(world, evaluated, django_assert_max_num_queries):
    client = client_for(world.changning_officer)
    url = reverse("reports:evaluation_findings")
    page = client.get(url, {"state": "open", "code": "publicity_events"})
    assert "仙霞乙站" in page.content.decode()
    assert "仙霞乙站" not in client.get(url, {"state": "closed"}).content.decode()
    export = client.get(url, {"state": "open", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(url, {"month": "2026-13"}).status_code == 200  # a bad month is an error, not a crash
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(8):  # more findings: the same queries
        scheme_station = make_station(world.company_b, world.regions["310105008"], f"新站{n}")
        del scheme_station
    from reports.evaluation import services  # noqa: PLC0415

    services.run_evaluation(evaluated["scheme"], MONTH)
    assert Finding.objects.count() == 9
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    assert client_for(world.company_a_admin).get(url).content.decode().count("仙霞乙站") == 0


def test_scorecards_export(world, evaluated):
    response = client_for(world.changning_officer).get(
        reverse("reports:evaluation_scorecards"), {"month": "2026-10", "export": "xlsx"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_comment_form_keeps_input_and_the_forbidden_paths(world, evaluated):
    finding = Finding.objects.get(station=evaluated["b"])
    url = reverse("reports:evaluation_finding", args=[finding.pk])
    officer = client_for(world.changning_officer)
    refused = officer.post(url, {"text": "x" * 2001})
    assert refused.status_code == 400 and "x" * 2001 in refused.content.decode()
    assert not FindingComment.objects.exists()
    assert officer.post(url, {"text": "请本月内补开宣传活动"}).status_code == 302
    assert FindingComment.objects.get().author == world.changning_officer
    assert (
        client_for(world.company_b_admin).post(url, {"text": "已安排"}).status_code == 302
    )  # the company replies
    viewer = make_user("cn_viewer2", world.changning_bureau, "viewer")
    assert client_for(viewer).post(url, {"text": "看看"}).status_code == 403
    for outsider in (world.company_a_admin, world.nanan_officer, world.street_officer):
        assert client_for(outsider).post(url, {"text": "x"}).status_code == 404
    assert FindingComment.objects.count() == 2
    assert list(Finding.objects.open_for(world.company_b_admin)) == [finding]
    assert not Finding.objects.open_for(world.company_a_admin).exists()
    assert not Finding.objects.open_for(viewer).exists()  # a viewer has nothing to do


def test_portal_scheme_form_refuses_weights_not_adding_to_100_and_keeps_input(world, evaluated):
    scheme = evaluated["scheme"]
    url = reverse("reports:evaluation_scheme_edit", args=[scheme.pk])
    data = {
        "name": "改过的名称",
        "is_active": "on",
        "use_publicity_events": "on",
        "weight_publicity_events": "70",
        "threshold_publicity_events": "2",
        "direction_publicity_events": "at_least",
        "use_satisfaction_average": "on",
        "weight_satisfaction_average": "20",
        "threshold_satisfaction_average": "4",
        "direction_satisfaction_average": "at_least",
    }
    officer = client_for(world.changning_officer)
    refused = officer.post(url, data)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="indicator-errors"' in text and "100" in text and "改过的名称" in text and 'value="70"' in text
    scheme.refresh_from_db()
    assert scheme.current.number == 1 and scheme.name != "改过的名称"
    data["weight_satisfaction_average"] = "30"
    assert officer.post(url, data).status_code == 302
    scheme.refresh_from_db()
    assert scheme.current.number == 2 and scheme.name == "改过的名称"
    # who may not change it
    assert client_for(world.street_officer).post(url, data).status_code == 403
    assert client_for(world.company_a_admin).get(url).status_code == 404
    assert client_for(world.nanan_officer).get(url).status_code == 404
    assert client_for(world.street_officer).get(reverse("reports:evaluation_scheme_new")).status_code == 403


def test_run_now_by_an_officer_only(world, evaluated):
    url = reverse("reports:evaluation_run")
    scheme = evaluated["scheme"]
    response = client_for(world.changning_officer).post(url, {"scheme": scheme.pk, "month": "2026-09"})
    assert response.status_code == 302 and scheme.runs.filter(month=dt.date(2026, 9, 1)).exists()
    client_for(world.street_officer).post(url, {"scheme": scheme.pk, "month": "2026-08"})
    client_for(world.company_a_admin).post(url, {"scheme": scheme.pk, "month": "2026-08"})
    assert not scheme.runs.filter(month=dt.date(2026, 8, 1)).exists()


def test_api_scheme_weights_refused_beside_the_field(world, evaluated):
    api = api_client_for(world.changning_officer)
    body = {
        "region": "310105",
        "name": "x",
        "indicators": [
            {"code": "publicity_events", "weight": 50},
            {"code": "emergency_response", "weight": 40},
        ],
    }
    response = api.patch(
        f"/api/v1/evaluation-schemes/{evaluated['scheme'].pk}/",
        {"indicators": body["indicators"]},
        format="json",
    )
    assert response.status_code == 400 and "100" in response.json()["error"]["fields"]["indicators"][0]
    body["indicators"][1]["weight"] = 50
    response = api.patch(
        f"/api/v1/evaluation-schemes/{evaluated['scheme'].pk}/",
        {"indicators": body["indicators"]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert (
        api_client_for(world.street_officer)
        .patch(
            f"/api/v1/evaluation-schemes/{evaluated['scheme'].pk}/",
            {"indicators": body["indicators"]},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        api_client_for(world.company_a_admin)
        .get(f"/api/v1/evaluation-schemes/{evaluated['scheme'].pk}/")
        .status_code
        == 404
    )


def test_api_scorecards_findings_and_comment(world, evaluated, django_assert_max_num_queries):
    api = api_client_for(world.company_b_admin)
    cards = api.get("/api/v1/scorecards/", {"month": "2026-10"}).json()["results"]
    assert [card["name"] for card in cards] == ["仙霞乙站"]
    assert cards[0]["lines"][0]["raw"] == "0" and cards[0]["lines"][0]["met"] is False
    findings = api.get("/api/v1/evaluation-findings/", {"state": "open"}).json()["results"]
    assert len(findings) == 1
    url = f"/api/v1/evaluation-findings/{findings[0]['id']}/comment/"
    assert api.post(url, {"text": ""}, format="json").status_code == 400
    assert api.post(url, {"text": "已安排宣传"}, format="json").status_code == 201
    assert api_client_for(world.company_a_admin).post(url, {"text": "x"}, format="json").status_code == 404
    officer = api_client_for(world.changning_officer)
    run = officer.post(
        "/api/v1/evaluation-runs/run/", {"scheme": evaluated["scheme"].pk, "month": "2026-11"}, format="json"
    )
    assert run.status_code == 201 and run.json()["month"] == "2026-11-01"
    refused = api_client_for(world.street_officer).post(
        "/api/v1/evaluation-runs/run/", {"scheme": evaluated["scheme"].pk, "month": "2026-11"}, format="json"
    )
    assert refused.status_code == 403
    with django_assert_max_num_queries(8):
        officer.get("/api/v1/scorecards/")


def test_admin_scheme_form_refuses_weights_beside_the_field(world, evaluated, admin_client):
    scheme = evaluated["scheme"]
    url = reverse("admin:reports_evaluationscheme_change", args=[scheme.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "name": scheme.name,
        "is_active": "on",
        "use_publicity_events": "on",
        "weight_publicity_events": "30",
        "threshold_publicity_events": "1",
        "direction_publicity_events": "at_least",
    }
    for indicator in ("care_visits_on_time", "satisfaction_average"):
        data[f"direction_{indicator}"] = "at_least"
    from reports.evaluation.catalogue import INDICATORS  # noqa: PLC0415

    for indicator in INDICATORS:
        data.setdefault(f"direction_{indicator.code}", indicator.direction)
    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and "100" in refused.content.decode()
    assert "errorlist" in refused.content.decode()
    scheme.refresh_from_db()
    assert scheme.current.number == 1
    data["weight_publicity_events"] = "100"
    assert admin_client.post(url, data).status_code == 302
    scheme.refresh_from_db()
    assert scheme.current.number == 2


def test_admin_shows_indicator_labels_not_codes(world, evaluated, admin_client):
    """The scorecard's indicators as a table of labels and figures (not the stored JSON), the
    findings' indicator column and filter, and a version's indicators: labels, never codes."""
    card = Scorecard.objects.get(station=evaluated["b"])
    text = admin_client.get(reverse("admin:reports_scorecard_change", args=[card.pk])).content.decode()
    assert "当月宣传活动次数" in text and "0 次" in text and "≥ 1" in text
    assert "publicity_events" not in text and '"raw"' not in text
    text = admin_client.get(reverse("admin:reports_finding_changelist")).content.decode()
    assert "当月宣传活动次数" in text and "紧急呼叫响应时间" in text  # the column and the filter
    assert ">publicity_events<" not in text and "column-label" not in text  # no bare property column
    version = evaluated["scheme"].current
    text = admin_client.get(reverse("admin:reports_schemeversion_change", args=[version.pk])).content.decode()
    assert "当月宣传活动次数" in text and "publicity_events" not in text


def test_portal_region_filter_lists_names_and_filters_by_their_code(world, evaluated):
    client = client_for(world.changning_officer)
    url = reverse("reports:evaluation_scorecards")
    page = client.get(url, {"month": "2026-10"}).content.decode()
    assert '<select name="region"' in page
    assert '<option value="310105001">华阳路街道</option>' in page and ">长宁区</option>" in page
    only_xianxia = client.get(url, {"month": "2026-10", "region": "310105008"}).content.decode()
    assert "仙霞乙站" in only_xianxia and "华阳甲站" not in only_xianxia
    assert "区或街道（镇）" in only_xianxia and "区划代码" not in only_xianxia
    # a company sees the streets of its own stations only
    page = client_for(world.company_b_admin).get(url, {"month": "2026-10"}).content.decode()
    assert 'value="310105008"' in page and 'value="310105001"' not in page
    findings = client.get(reverse("reports:evaluation_findings")).content.decode()
    assert '<select name="region"' in findings

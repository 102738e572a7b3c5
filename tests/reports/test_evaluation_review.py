"""The reviewer's points on the evaluations: only an ended month is evaluated (service, portal,
admin, API, task), comments notify the other side, the finding notice names what was found,
stations and pilots ranked apart, the run-now form's scheme, figures with their units."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from reports.evaluation import services
from reports.evaluation.tasks import run_monthly_evaluations
from reports.models import EvaluationRun, Finding
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory, make_user

from .evaluation_data import MONTH, make_station, publicity, scheme_for

pytestmark = pytest.mark.django_db

TWO = [("publicity_events", 60, 1, "at_least"), ("emergency_response", 40, 15, "at_most")]
TODAY = dt.date(2026, 12, 3)  # three days into December: November is the latest ended month
NOVEMBER, DECEMBER = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def evaluated(world):
    """甲's station in 华阳路 held a publicity event in October, 乙's in 仙霞 did not."""
    a = make_station(world.company_a, world.regions["310105001"], "华阳甲站")
    b = make_station(world.company_b, world.regions["310105008"], "仙霞乙站")
    publicity(a, dt.date(2026, 10, 8))
    scheme = scheme_for(world, TWO)
    services.run_evaluation(scheme, MONTH)
    return {"a": a, "b": b, "scheme": scheme}


# --- 1. only an ended month ----------------------------------------------------------------------


def test_service_refuses_the_current_and_future_months(world, evaluated, today):
    scheme = evaluated["scheme"]
    for month in (DECEMBER, dt.date(2026, 12, 31), dt.date(2027, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            services.run_evaluation(scheme, month)
        assert "month" in refused.value.message_dict
        assert "2026-11" in refused.value.message_dict["month"][0]  # the latest month one can run
    assert not scheme.runs.filter(month__gte=DECEMBER).exists()
    assert services.run_evaluation(scheme, NOVEMBER).month == NOVEMBER  # ended: evaluated
    with pytest.raises(ValidationError):  # on the 1st the month just begun is still refused
        services.check_month_ended(DECEMBER, today=dt.date(2026, 12, 1))
    assert services.check_month_ended(NOVEMBER, today=dt.date(2026, 12, 1)) == NOVEMBER


def test_portal_run_now_refuses_the_current_month_beside_the_field_keeping_the_input(world, evaluated, today):
    scheme = evaluated["scheme"]
    officer = client_for(world.changning_officer)
    refused = officer.post(reverse("reports:evaluation_run"), {"scheme": scheme.pk, "month": "2026-12"})
    assert refused.status_code == 400
    text = refused.content.decode()
    form = text[text.index('id="run-now"') :]
    form = form[: form.index("</form>")]
    assert "2026-12" in form and 'value="2026-12"' in form  # the input kept
    assert "errorlist" in form and "尚未结束" in form  # the reason beside the field
    assert f'value="{scheme.pk}" selected' in form
    assert not scheme.runs.filter(month=DECEMBER).exists()
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})  # the filter's month too
    done = officer.post(reverse("reports:evaluation_run"), {"scheme": scheme.pk, "month": "2026-11"})
    assert done.status_code == 302 and scheme.runs.filter(month=NOVEMBER).exists()
    # the page offers the latest ended month, not the current one
    page = officer.get(reverse("reports:evaluation_scorecards"), {"month": "2026-12"}).content.decode()
    assert 'name="month" value="2026-11"' in page


def test_api_run_refuses_the_current_month_on_the_field(world, evaluated, today):
    api = api_client_for(world.changning_officer)
    scheme = evaluated["scheme"]
    response = api.post(
        "/api/v1/evaluation-runs/run/", {"scheme": scheme.pk, "month": "2026-12"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "month" in response.json()["error"]["fields"]
    assert not scheme.runs.filter(month=DECEMBER).exists()
    ok = api.post("/api/v1/evaluation-runs/run/", {"scheme": scheme.pk, "month": "2026-11"}, format="json")
    assert ok.status_code == 201


def test_admin_actions_evaluate_only_ended_months(world, evaluated, today, admin_client):
    scheme = evaluated["scheme"]
    response = admin_client.post(
        reverse("admin:reports_evaluationscheme_changelist"),
        {"action": "run_last_month", "_selected_action": [scheme.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert list(scheme.runs.order_by("month").values_list("month", flat=True)) == [MONTH, NOVEMBER]
    # a run of the current month left from before the rule: its re-run is refused with the reason
    stale = EvaluationRun.objects.create(scheme=scheme, version=scheme.current, month=DECEMBER)
    response = admin_client.post(
        reverse("admin:reports_evaluationrun_changelist"),
        {"action": "run_again", "_selected_action": [stale.pk]},
        follow=True,
    )
    assert "尚未结束" in response.content.decode()
    assert not stale.scorecards.exists()


def test_scheduled_run_on_the_first_evaluates_the_month_just_ended(world, evaluated, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 12, 1))
    ids = run_monthly_evaluations()
    assert [run.month for run in EvaluationRun.objects.filter(pk__in=ids)] == [NOVEMBER]


# --- 2. comments reach the other side ------------------------------------------------------------


def test_comments_notify_the_other_side_once_each_not_the_author(world, evaluated):
    finding = Finding.objects.get(station=evaluated["b"])  # 乙物业's station in 仙霞
    url = reverse("reports:evaluation_finding", args=[finding.pk])
    link = url
    xianxia = OrganizationFactory(
        kind="street_office", name="仙霞新村街道办事处", region=world.regions["310105008"]
    )
    xianxia_officer = make_user("xx_officer", xianxia, Role.OFFICER)
    b_staff = make_user("b_staff", world.company_b, Role.STAFF)
    Notification.objects.all().delete()  # the run's own notices

    assert client_for(world.changning_officer).post(url, {"text": "请本月内补开宣传活动"}).status_code == 302
    notices = list(Notification.objects.all())
    assert [n.recipient for n in notices] == [world.company_b_admin]  # its administrators only
    assert notices[0].link == link and "请本月内补开宣传活动" in notices[0].body
    assert b_staff not in [n.recipient for n in notices]

    Notification.objects.all().delete()
    assert client_for(world.company_b_admin).post(url, {"text": "已安排下周活动"}).status_code == 302
    recipients = sorted(n.recipient.username for n in Notification.objects.all())
    # the district bureau's officer and 仙霞's street office; not 华阳路's, 南安's, a viewer, the author
    assert recipients == sorted([world.changning_officer.username, xianxia_officer.username])
    assert all(n.link == link and "已安排下周活动" in n.body for n in Notification.objects.all())

    Notification.objects.all().delete()
    for outsider in (world.company_a_admin, world.nanan_officer, world.street_officer):
        assert client_for(outsider).post(url, {"text": "x"}).status_code == 404
    assert client_for(world.changning_viewer).post(url, {"text": "看看"}).status_code == 403
    assert not Notification.objects.exists()


# --- 3. the finding notice names what was found --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["2026-10", "仙霞乙站", "Publicity events in the month", "0 events", "≥ 1 events", "station"]),
        ("zh-hans", ["2026-10", "仙霞乙站", "当月宣传活动次数", "0 次", "≥ 1 次", "站点"]),
    ],
)
def test_finding_notice_names_subject_indicator_figure_threshold_month_and_links(
    world, django_capture_on_commit_callbacks, language, expected
):
    from django.utils import translation  # noqa: PLC0415

    make_station(world.company_a, world.regions["310105001"], "华阳甲站")
    b = make_station(world.company_b, world.regions["310105008"], "仙霞乙站")
    scheme = scheme_for(world, TWO)
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        services.run_evaluation(scheme, MONTH)
    finding = Finding.objects.get(station=b)
    notices = Notification.objects.filter(recipient=world.company_b_admin)
    assert notices.count() == 1  # one per finding: 乙's station failed one indicator
    notice = notices.get()
    text = f"{notice.title} {notice.body}"
    for part in expected:
        assert part in text, (part, text)
    assert "0.00" not in text and "1.00" not in text
    assert notice.link == reverse("reports:evaluation_finding", args=[finding.pk])
    # 甲物业 gets its own station's notice, not 乙's
    assert all("仙霞乙站" not in n.body for n in Notification.objects.filter(recipient=world.company_a_admin))


# --- 4. stations and pilots ranked apart ---------------------------------------------------------


def test_stations_and_pilots_ranked_apart_on_the_page_and_in_the_export(world):
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from reports.models import Scorecard  # noqa: PLC0415

    from .evaluation_data import make_pilot, milestone  # noqa: PLC0415

    a = make_station(world.company_a, world.regions["310105001"], "华阳甲站")
    make_station(world.company_b, world.regions["310105001"], "华阳乙站")
    publicity(a, dt.date(2026, 10, 8))
    late = make_pilot(world, world.company_a, world.regions["310105001"])
    on_time = make_pilot(world, world.company_b, world.regions["310105001"], programme=late.programme)
    milestone(late, dt.date(2026, 9, 1))
    milestone(on_time, dt.date(2026, 9, 1), done_on=dt.date(2026, 8, 30))
    scheme = scheme_for(
        world, [("publicity_events", 60, 1, "at_least"), ("milestones_overdue", 40, 0, "at_most")]
    )
    services.run_evaluation(scheme, MONTH)
    ranks = {
        (card.kind, card.name): (card.rank_in_district, card.rank_in_street)
        for card in Scorecard.objects.filter(month=MONTH)
    }
    assert sorted(ranks.values()) == [(1, 1), (1, 1), (2, 2), (2, 2)]  # per kind: 1 and 2 each
    assert ranks[("station", "华阳甲站")] == (1, 1) and ranks[("station", "华阳乙站")] == (2, 2)

    page = client_for(world.changning_officer).get(
        reverse("reports:evaluation_scorecards"), {"month": "2026-10"}
    )
    text = page.content.decode()
    stations = text[text.index('id="ranking-station"') : text.index('id="ranking-pilot"')]
    pilots = text[text.index('id="ranking-pilot"') :]
    assert "华阳甲站" in stations and "华阳乙站" in stations and "乙物业 ·" not in stations
    assert "甲物业 ·" in pilots and "乙物业 ·" in pilots and "华阳甲站" not in pilots
    for section in (stations, pilots):
        district = section[: section.index("</table>")]
        assert district.count("<tr><td>1</td>") == 1 and district.count("<tr><td>2</td>") == 1
    assert pilots.index("乙物业 ·") < pilots.index("甲物业 ·")  # 乙's pilot met its milestones

    export = client_for(world.changning_officer).get(
        reverse("reports:evaluation_scorecards"), {"month": "2026-10", "export": "xlsx"}
    )
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert len(book.worksheets) == 2
    for sheet, first, second in zip(
        book.worksheets, ("华阳甲站", "乙物业 ·"), ("华阳乙站", "甲物业 ·"), strict=True
    ):
        rows = [row for row in sheet.iter_rows(values_only=True) if row[1] in (1, 2)]
        assert [row[1] for row in rows] == [1, 2]
        assert str(rows[0][3]).startswith(first) and str(rows[1][3]).startswith(second)
    # the count of publicity events is written as a whole number, the group header names its unit
    station_sheet = book.worksheets[0]
    headers = [cell.value for row in station_sheet.iter_rows(max_row=4) for cell in row]
    assert any(
        str(h) in ("当月宣传活动次数（次）", "Publicity events in the month（events）") for h in headers
    ), headers
    row = next(r for r in station_sheet.iter_rows() if r[3].value == "华阳乙站")
    figures = [cell for cell in row if cell.number_format == "0"]
    assert figures and figures[0].value == 0


# --- 5. the run-now form's scheme ----------------------------------------------------------------


def test_run_now_form_preselects_the_only_scheme_else_asks_to_choose(world, evaluated):
    from reports.evaluation.forms import RunForm  # noqa: PLC0415
    from reports.models import EvaluationScheme  # noqa: PLC0415

    page = client_for(world.changning_officer).get(reverse("reports:evaluation_scorecards")).content.decode()
    form = page[page.index('id="run-now"') :]
    form = form[: form.index("</select>")]
    assert "---------" not in form and f'value="{evaluated["scheme"].pk}" selected' in form
    assert 'value=""' not in form  # the only scheme: nothing else to choose
    scheme_for(world, TWO, region="350583", by=world.nanan_officer)
    html = str(RunForm(schemes=EvaluationScheme.objects.order_by("pk"))["scheme"])
    assert "---------" not in html
    assert (
        '<option value="" selected>请选择</option>' in html
        or '<option value="" selected>choose…</option>' in html
    )


# --- 6. figures with their units, counts whole ---------------------------------------------------


def test_figures_show_with_units_and_counts_whole(world, evaluated, admin_client):
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from reports.models import Scorecard  # noqa: PLC0415

    officer = client_for(world.changning_officer)
    finding = Finding.objects.get(station=evaluated["b"])
    pages = {
        "findings": officer.get(reverse("reports:evaluation_findings")),
        "finding": officer.get(reverse("reports:evaluation_finding", args=[finding.pk])),
        "admin findings": admin_client.get(reverse("admin:reports_finding_changelist")),
        "admin finding": admin_client.get(reverse("admin:reports_finding_change", args=[finding.pk])),
    }
    for name, page in pages.items():
        text = page.content.decode()
        assert page.status_code == 200, name
        assert "0 次" in text and "≥ 1 次" in text, name  # the pages answer in Chinese
        assert "0.00" not in text and "1.00" not in text, name
    card = Scorecard.objects.get(station=evaluated["b"])
    for url in (
        reverse("reports:evaluation_scorecard", args=[card.pk]),
        reverse("admin:reports_scorecard_change", args=[card.pk]),
    ):
        client = admin_client if "admin" in url else officer
        text = client.get(url).content.decode()
        assert "0 次" in text and "≥ 1 次" in text and "≤ 15 分钟" in text, url
        assert "15.00" not in text and "1.00" not in text, url
    schemes = officer.get(reverse("reports:evaluation_schemes")).content.decode()
    assert "≥ 1 次" in schemes and "≤ 15 分钟" in schemes and "15.00" not in schemes

    export = officer.get(reverse("reports:evaluation_findings"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "仙霞乙站")
    assert row[5:8] in ((0, 1, "events"), (0, 1, "次"))

"""Statistics workbooks go through 我的导出 when the period's service records pass
EXPORT_ASYNC_THRESHOLD, from the portal and the API, with the asking person's scope; small ones
download at once; a job whose region left the person's scope fails with the reason."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Membership
from reports import jobs, tasks
from reports.models import ExportJob
from tests.conftest import api_client_for
from tests.factories import PASSWORD

from .evaluation_data import at, make_resident, make_station, record

pytestmark = pytest.mark.django_db

QUERY = "region=310105&from=2026-09&to=2026-10"


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def handed(monkeypatch):
    """Handing a job to the worker records it; the test runs it."""
    handed = []
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: handed.append(args[0]))
    return handed


def records(world, count):
    station = make_station(world.company_a, world.regions["310105001"], "统计站")
    resident = make_resident(station)
    for n in range(count):
        record(station, resident, at(dt.date(2026, 9, 1 + n)))


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_small_period_downloads_at_once(world, handed):
    records(world, 2)
    response = client_for(world.changning_officer).get(f"/statistics/workbooks/district/?{QUERY}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists() and handed == []


def test_a_large_period_becomes_a_job_of_my_exports_with_the_persons_scope(world, handed):
    records(world, 3)
    officer = world.changning_officer
    response = client_for(officer).get(f"/statistics/workbooks/district/?{QUERY}")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/#job-{job.pk}"
    assert (job.user, job.kind, job.key, job.params) == (
        officer,
        "workbook",
        "district",
        {"region": "310105", "from": "2026-09", "to": "2026-10"},
    )
    assert job.filename.startswith("长宁区") and "202609-202610" in job.filename
    # as read, in the form's order once read back from the database (jsonb would sort an object)
    job.refresh_from_db()
    assert job.filter_items == [("所属区划", "长宁区"), ("起始月份", "2026-09"), ("截止月份", "2026-10")]
    assert jobs.run_export_job(job.pk) == "done"
    job.refresh_from_db()
    sheets = load_workbook(job.file.path, read_only=True).sheetnames
    assert len(sheets) > 2 and sheets[-1] == "指标说明"
    # theirs alone
    assert client_for(officer).get(f"/exports/{job.pk}/download/").status_code == 200
    assert client_for(world.street_officer).get(f"/exports/{job.pk}/download/").status_code == 404


def test_the_api_answers_202_with_the_job_above_the_threshold(
    world, handed, django_capture_on_commit_callbacks
):
    records(world, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(world.changning_officer).get(
            f"/api/v1/statistics/workbooks/annex2/?{QUERY}"
        )
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response.json()["id"] == job.pk and handed == [job.pk]


def test_refused_input_never_makes_a_job(world, handed):
    records(world, 3)
    client = client_for(world.street_officer)
    response = client.get(f"/statistics/workbooks/district/?{QUERY}")  # the district: not the street's
    assert response.status_code == 403 and not ExportJob.objects.exists()
    assert client.get("/statistics/workbooks/nothing/").status_code == 404
    assert (
        client_for(world.company_a_admin).get(f"/statistics/workbooks/district/?{QUERY}").status_code == 403
    )


def test_a_job_whose_region_left_the_persons_scope_fails_with_the_reason(world, handed):
    records(world, 3)
    officer = world.changning_officer
    client_for(officer).get(f"/statistics/workbooks/district/?{QUERY}")
    job = ExportJob.objects.get()
    Membership.objects.filter(user=officer).update(organization=world.huayang_office)
    with translation.override("en"):
        assert jobs.run_export_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "no longer" in job.error and not job.file

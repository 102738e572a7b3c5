"""Background exports (reports.jobs): above EXPORT_ASYNC_THRESHOLD rows an export becomes a job
that a worker writes; below it stays instant. The job runs the rows the list showed, under the
scope of the person who asked, never twice at once, never half-visible, and it is never lost."""

import gc
import io
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError
from openpyxl import load_workbook
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import Membership, Organization
from accounts.scoping import scope_for
from config.urls import router
from reports import exporting, jobs, tasks
from reports.models import ExportJob
from reports.spreadsheets.writer import Column, SheetSpec
from tests.conftest import api_client_for
from tests.factories import PASSWORD, OrganizationFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.EXPORT_ASYNC_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path
    return settings


@pytest.fixture(autouse=True)
def worker_in_process(monkeypatch):
    """Handing a job to "the worker" runs it here, whatever the broker: the tests say when a
    job is handed (``handed``) and run it themselves unless the test is about the handing."""
    handed = []

    def apply_async(args, **options):
        handed.append(args[0])
        return tasks.run_export_job.apply(args)

    monkeypatch.setattr(tasks.run_export_job, "apply_async", apply_async)
    return handed


def run(job):
    state = jobs.run_export_job(job.pk)
    job.refresh_from_db()
    return state


def rows_of(job):
    """The first sheet's rows, each without the empty cells a read-only reader pads it with up
    to the sheet's width (a title row is one cell merged across)."""
    assert job.file, job.error
    sheet = load_workbook(job.file.path, read_only=True).worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(tuple(row))
    return rows


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def many_companies(world, n=5, region="310105004"):
    return [OrganizationFactory(name=f"导出测试物业{i}", region=world.regions[region]) for i in range(n)]


def admin_client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


# -- the threshold, on each road ---------------------------------------------------------------


def test_api_export_below_the_threshold_is_instant(world, settings):
    settings.EXPORT_ASYNC_THRESHOLD = 100
    response = api_client_for(world.changning_officer).get("/api/v1/organizations/export/")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(body(response))).worksheets[0].max_row > 1
    assert not ExportJob.objects.exists()


def test_api_export_above_the_threshold_answers_202_with_the_job(world, django_capture_on_commit_callbacks):
    many_companies(world)
    client = api_client_for(world.changning_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get("/api/v1/organizations/export/", {"kind": "property_company"})
    assert response.status_code == 202
    payload = response.json()
    job = ExportJob.objects.get()
    assert payload["id"] == job.pk and payload["state"] == "queued" and payload["progress"] == 0
    assert payload["url"].endswith(f"/api/v1/export-jobs/{job.pk}/")
    assert payload["page_url"].endswith(f"/exports/#job-{job.pk}")
    assert payload["download_url"] is None
    assert job.user == world.changning_officer and job.channel == "api"
    assert dict(job.filter_items) == {"类型": "物业服务企业"}  # as people read them
    assert job.label == "单位名录"
    assert len(callbacks) == 1  # handed to a worker once the request's transaction commits


def test_admin_export_above_the_threshold_redirects_to_my_exports(world):
    many_companies(world)
    client = admin_client("cn_officer")
    small = client.get("/admin/accounts/organization/export/", {"kind__exact": "street_office"})
    assert small.status_code == 200 and small["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()
    response = client.get("/admin/accounts/organization/export/", follow=True)
    job = ExportJob.objects.get()
    assert response.redirect_chain[-1][0] == f"/exports/#job-{job.pk}"
    page = response.content.decode()
    assert f'id="job-{job.pk}"' in page and "单位名录" in page
    assert job.channel == "admin" and job.scope["admin"] is True


def test_filters_are_kept_as_people_read_them_without_naming_what_the_user_cannot_see(world, settings):
    many_companies(world)
    client = admin_client("cn_officer")
    xinhua = world.regions["310105004"]
    parameters = {"region__id__exact": xinhua.pk, "q": "导出", "o": "1"}
    client.get("/admin/accounts/organization/export/", parameters)
    job = ExportJob.objects.get()
    assert dict(job.filter_items) == {"所属区划": str(xinhua), "查找": "导出"}
    # a company's officer filtering the staff list by another company's id: the id, never its name
    settings.EXPORT_ASYNC_THRESHOLD = -1  # even an empty export becomes a job
    admin_client("a_admin").get("/staff/", {"export": "xlsx", "employer": world.company_b.pk})
    staff_job = ExportJob.objects.exclude(pk=job.pk).get()
    assert "乙物业" not in str(staff_job.filters)
    assert str(world.company_b.pk) in dict(staff_job.filter_items).values()


def test_admin_action_on_selected_rows_above_the_threshold_becomes_a_job(world):
    companies = many_companies(world)
    response = admin_client("cn_officer").post(
        "/admin/accounts/organization/",
        {"action": "export_selected", "_selected_action": [c.pk for c in companies[:4]]},
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert run(job) == "done"
    assert sorted(row[0] for row in rows_of(job)[1:]) == sorted(c.name for c in companies[:4])


def test_admin_change_list_links_to_my_exports(world):
    page = admin_client("cn_officer").get("/admin/accounts/organization/").content.decode()
    assert 'href="/exports/"' in page


def test_portal_export_above_the_threshold_becomes_a_job(world):
    for n in range(4):
        make_staff(world.company_a, f"服务员{n}")
    client = admin_client("a_admin")
    response = client.get("/staff/", {"export": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/#job-{job.pk}"
    assert job.channel == "portal" and dict(job.filter_items) == {}
    assert run(job) == "done"
    assert sorted(row[0] for row in rows_of(job)[1:] if row[0]) == [f"服务员{n}" for n in range(4)]


def test_portal_export_below_the_threshold_is_instant(world):
    make_staff(world.company_a, "服务员")
    response = admin_client("a_admin").get("/staff/", {"export": "xlsx"})
    assert response.status_code == 200 and not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_at_once(world, monkeypatch):
    """CELERY_TASK_ALWAYS_EAGER (no REDIS_URL): the job is written as soon as it is recorded,
    before the answer."""
    monkeypatch.undo()  # the real apply_async, eager
    monkeypatch.setitem(tasks.run_export_job.app.conf, "task_always_eager", True)
    many_companies(world)
    response = api_client_for(world.changning_officer).get("/api/v1/organizations/export/")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.state == "done" and job.progress == 100 and job.enqueued_at is None
    assert response.json()["state"] == "done" and response.json()["download_url"]


# -- what the job writes -----------------------------------------------------------------------


def test_the_job_writes_exactly_the_filtered_scoped_rows(world):
    many_companies(world)
    many_companies(world, 2, region="350583001")  # 南安: outside 长宁's scope
    client = api_client_for(world.changning_officer)
    listed = set()
    page = client.get("/api/v1/organizations/", {"kind": "property_company", "page_size": 200}).json()
    listed = {row["name"] for row in page["results"]}
    client.get("/api/v1/organizations/export/", {"kind": "property_company"})
    job = ExportJob.objects.get()
    assert run(job) == "done"
    rows = rows_of(job)
    assert rows[0][:3] == ("单位名称", "单位类型", "统一社会信用代码")
    assert {row[0] for row in rows[1:]} == listed
    assert len(listed) == 7 and not any(name.startswith("南安") for name in listed)
    assert job.rows_written == job.rows_total == 7 and job.progress == 100
    assert job.finished_at and job.expires_at - job.finished_at == timedelta(days=7)
    assert job.filename.startswith("单位名录-") and job.filename.endswith(".xlsx")


def test_a_company_job_holds_only_its_own_rows(world):
    OrganizationFactory(name="丁物业", region=world.regions["310105001"])
    job = jobs.submit_export(
        exporting.registered_definition("单位名录"),
        Organization.objects.visible_to(world.company_a_admin),
        user=world.company_a_admin,
        channel="api",
        filters={},
    )
    run(job)
    assert [row[0] for row in rows_of(job)[1:]] == ["甲物业"]


def test_an_export_with_no_rows_still_has_its_headers(world):
    job = jobs.submit_export(
        exporting.registered_definition("单位名录"),
        Organization.objects.visible_to(world.changning_officer).filter(name="没有这家"),
        user=world.changning_officer,
        channel="portal",
        filters={"name": "没有这家"},
    )
    assert run(job) == "done"
    assert rows_of(job) == [rows_of(job)[0]] and rows_of(job)[0][0] == "单位名称"
    assert job.rows_written == 0


def test_a_workbook_built_by_a_function_runs_as_a_job(world):
    seen = {}

    def build(user, params):
        seen["user"], seen["params"] = user, params
        spec = SheetSpec(
            "街道概况", [Column("街道", "name"), Column("站点数", "stations")], title_rows=["长宁区"]
        )
        return [(spec, [{"name": "华阳路街道", "stations": 3}, {"name": "新华路街道", "stations": 2}])]

    jobs.register_workbook("test-overview", "辖区概况", build)
    job = jobs.submit_workbook(world.changning_officer, "test-overview", {"month": "2026-11"})
    assert job.kind == "workbook" and job.label == "辖区概况"
    assert run(job) == "done"
    assert seen == {"user": world.changning_officer, "params": {"month": "2026-11"}}
    assert rows_of(job) == [("长宁区",), ("街道", "站点数"), ("华阳路街道", 3), ("新华路街道", 2)]
    assert job.rows_total == 2


def test_an_unknown_workbook_is_refused_when_asked(world):
    with pytest.raises(KeyError):
        jobs.submit_workbook(world.changning_officer, "no-such-workbook")


def test_every_export_definition_has_its_own_key():
    """A worker finds a list's export again by its key: two exports must not share one."""
    jobs.list_definition("?")  # imports every app's exports module
    modules = [m for m in sys.modules.values() if getattr(m, "__name__", "").endswith(".exports")]
    definitions = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, exporting.ExportDefinition)
    ]
    assert len(definitions) > 20
    assert all(exporting.registered_definition(d.export_key) is d for d in definitions)


# -- scope -------------------------------------------------------------------------------------


def _job_for(user, **fields):
    return jobs.submit_export(
        exporting.registered_definition("单位名录"),
        Organization.objects.visible_to(user),
        user=user,
        channel=fields.pop("channel", "portal"),
        filters={},
    )


def test_a_user_who_lost_the_membership_gets_a_clear_failure(world):
    job = _job_for(world.changning_officer)
    Membership.objects.filter(user=world.changning_officer).update(is_active=False)
    with translation.override("en"):
        assert run(job) == "failed"
    assert "no longer hold the membership or role" in job.error
    assert not job.file and job.finished_at


def test_a_user_moved_to_a_street_office_lost_the_district(world):
    job = _job_for(world.changning_officer)
    Membership.objects.filter(user=world.changning_officer).update(organization=world.huayang_office)
    with translation.override("en"):
        assert run(job) == "failed"
    assert "no longer hold" in job.error


def test_a_deactivated_user_gets_a_clear_failure(world):
    job = _job_for(world.changning_officer)
    type(world.changning_officer).objects.filter(pk=world.changning_officer.pk).update(is_active=False)
    with translation.override("en"):
        assert run(job) == "failed"
    assert "deactivated" in job.error


def test_an_admin_export_fails_once_the_admin_access_is_gone(world):
    job = _job_for(world.changning_officer, channel="admin")
    type(world.changning_officer).objects.filter(pk=world.changning_officer.pk).update(is_staff=False)
    with translation.override("en"):
        assert run(job) == "failed"
    assert "administration" in job.error


def test_a_user_who_kept_the_scope_gets_the_file(world):
    job = _job_for(world.street_officer)
    assert job.scope["regions"] == list(scope_for(world.street_officer).view_region_codes)
    assert run(job) == "done"


def test_another_user_cannot_see_or_download_a_job(world):
    job = _job_for(world.changning_officer)
    run(job)
    other = world.street_officer
    api = api_client_for(other)
    assert api.get(f"/api/v1/export-jobs/{job.pk}/").status_code == 404
    assert api.get(f"/api/v1/export-jobs/{job.pk}/download/").status_code == 404
    assert api.get("/api/v1/export-jobs/").json()["results"] == []
    portal = admin_client("hy_officer")
    assert portal.get(f"/exports/{job.pk}/download/").status_code == 404
    assert f"job-{job.pk}" not in portal.get("/exports/").content.decode()
    assert portal.get("/exports/status/").json() == {"jobs": []}
    # the owner does
    owner = api_client_for(world.changning_officer)
    assert (
        owner.get(f"/api/v1/export-jobs/{job.pk}/")
        .json()["download_url"]
        .endswith(f"/api/v1/export-jobs/{job.pk}/download/")
    )
    download = owner.get(f"/api/v1/export-jobs/{job.pk}/download/")
    assert download.status_code == 200 and load_workbook(io.BytesIO(body(download))).worksheets[0]["A1"].value
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert admin_client("cn_officer").get(f"/exports/{job.pk}/download/").status_code == 200


def test_a_job_not_ready_cannot_be_downloaded(world):
    job = _job_for(world.changning_officer)
    response = api_client_for(world.changning_officer).get(f"/api/v1/export-jobs/{job.pk}/download/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_ready"
    assert admin_client("cn_officer").get(f"/exports/{job.pk}/download/").status_code == 404


def test_anonymous_callers_are_refused(world):
    assert Client().get("/exports/").status_code == 302
    assert Client().get("/exports/status/").status_code == 302
    assert api_client_for(None).get("/api/v1/export-jobs/").status_code == 401


# -- the file appears whole, or not at all -----------------------------------------------------


def test_the_file_is_written_under_a_temporary_name_and_renamed(world, monkeypatch, tmp_path):
    job = _job_for(world.changning_officer)
    seen = {}
    write = jobs.write_workbook

    def watched(fp, sheets):
        written = write(fp, sheets)
        fp.flush()
        seen["files"] = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
        seen["row"] = ExportJob.objects.values("state", "file").get(pk=job.pk)
        return written

    monkeypatch.setattr(jobs, "write_workbook", watched)
    assert run(job) == "done"
    [partial] = seen["files"]
    assert partial.endswith(".xlsx.part")
    assert seen["row"] == {"state": "running", "file": ""}  # nothing offered yet
    final = Path(job.file.path)
    assert final.name == partial.removesuffix(".part") and final.exists()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [final.name]


# openpyxl's abandoned sheet writer complains when it is collected after the abort
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_job_failing_half_way_leaves_no_file(world, tmp_path):
    def rows():
        yield {"name": "one"}
        raise RuntimeError("the database went away")

    jobs.register_workbook(
        "test-broken", "坏的", lambda user, params: [(SheetSpec("s", [Column("n", "name")]), rows())]
    )
    job = jobs.submit_workbook(world.changning_officer, "test-broken")
    with translation.override("en"):
        assert run(job) == "failed"
    assert "error on the server" in job.error and not job.file
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    gc.collect()


# -- never twice at once; never lost -----------------------------------------------------------


def test_a_running_job_is_not_run_again(world):
    job = _job_for(world.changning_officer)
    ExportJob.objects.filter(pk=job.pk).update(
        state="running", heartbeat_at=timezone.now(), started_at=timezone.now(), attempts=1, run_token="other"
    )
    assert jobs.run_export_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.run_token) == ("running", 1, "other")


def test_a_finished_job_is_not_run_again(world):
    job = _job_for(world.changning_officer)
    run(job)
    name = job.file.name
    assert jobs.run_export_job(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.file.name == name and job.attempts == 1


# openpyxl's abandoned sheet writer complains when it is collected after the abort
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_worker_thought_dead_stops_when_another_took_the_job(world, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)
    holder = {}

    def rows():
        for n in range(5):
            if n == 2:  # meanwhile the sweeper gave the job to another worker
                ExportJob.objects.filter(pk=holder["job"].pk).update(run_token="someone-else")
            yield {"name": f"行{n}"}

    jobs.register_workbook(
        "test-slow", "慢的", lambda user, params: [(SheetSpec("s", [Column("n", "name")]), rows())]
    )
    holder["job"] = job = jobs.submit_workbook(world.changning_officer, "test-slow")
    assert run(job) == "skipped"
    assert job.state == "running" and job.run_token == "someone-else" and not job.file
    gc.collect()


def test_progress_is_saved_while_writing(world, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)
    seen = []
    holder = {}

    def rows():
        for n in range(10):
            if n in (5, 9):
                seen.append(
                    ExportJob.objects.values_list("rows_written", "progress").get(pk=holder["job"].pk)
                )
            yield {"name": n}

    jobs.register_workbook(
        "test-progress", "进度", lambda user, params: [(SheetSpec("s", [Column("n", "name")]), rows())]
    )
    holder["job"] = job = jobs.submit_workbook(world.changning_officer, "test-progress")
    run(job)
    assert seen == [(4, 0), (8, 0)]  # rows saved as they go; no total known, so no percentage
    assert job.progress == 100 and job.rows_written == 10


def test_the_sweeper_hands_again_a_job_whose_worker_died(world, worker_in_process):
    job = _job_for(world.changning_officer)
    long_ago = timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1)
    ExportJob.objects.filter(pk=job.pk).update(
        state="running", started_at=long_ago, heartbeat_at=long_ago, attempts=1, run_token="dead"
    )
    fresh = _job_for(world.changning_officer)
    ExportJob.objects.filter(pk=fresh.pk).update(
        state="running", started_at=timezone.now(), heartbeat_at=timezone.now(), attempts=1, run_token="alive"
    )
    assert jobs.sweep_export_jobs() == 1
    assert worker_in_process == [job.pk]
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 2 and job.file
    fresh.refresh_from_db()
    assert fresh.state == "running" and fresh.run_token == "alive"


def test_a_job_interrupted_too_often_fails_with_a_message(world, worker_in_process):
    job = _job_for(world.changning_officer)
    long_ago = timezone.now() - timedelta(hours=1)
    ExportJob.objects.filter(pk=job.pk).update(
        state="running", heartbeat_at=long_ago, attempts=jobs.MAX_ATTEMPTS
    )
    with translation.override("en"):
        assert jobs.sweep_export_jobs() == 0
    job.refresh_from_db()
    assert job.state == "failed" and "interrupted 3 times" in job.error and worker_in_process == []


def test_a_job_asked_while_the_broker_is_down_is_recorded_and_runs_later(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(args, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_export_job, "apply_async", broker_down)
    many_companies(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(world.changning_officer).get("/api/v1/organizations/export/")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.state == "queued" and job.enqueued_at is None
    assert jobs.sweep_export_jobs() == 0  # still down
    monkeypatch.undo()
    handed = []
    monkeypatch.setattr(
        tasks.run_export_job,
        "apply_async",
        lambda args, **o: handed.append(args) or tasks.run_export_job.apply(args),
    )
    assert jobs.sweep_export_jobs() == 0  # not yet: a queued job gets QUEUED_GRACE to be picked up
    assert jobs.sweep_export_jobs(now=timezone.now() + jobs.QUEUED_GRACE + timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.state == "done" and handed == [(job.pk,)]


# -- expiry ------------------------------------------------------------------------------------


def test_expired_files_are_deleted(world, tmp_path):
    job = _job_for(world.changning_officer)
    run(job)
    path = Path(job.file.path)
    kept = _job_for(world.changning_officer)
    run(kept)
    leftover = tmp_path / "exports" / "2020" / "01" / "9-dead.xlsx.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    old = timezone.now().timestamp() - 3 * 86400
    os.utime(leftover, (old, old))
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert jobs.purge_expired_exports() == 2
    assert not path.exists() and not leftover.exists() and Path(kept.file.path).exists()
    job.refresh_from_db()
    assert job.file.name == "" and job.state == "done"
    assert admin_client("cn_officer").get(f"/exports/{job.pk}/download/").status_code == 404
    jobs.purge_expired_exports(now=timezone.now() + jobs.FORGET_AFTER + timedelta(days=1))
    assert not ExportJob.objects.filter(pk=job.pk).exists()


def test_the_retention_is_configurable(world, settings):
    settings.EXPORT_RETENTION_DAYS = 2
    job = _job_for(world.changning_officer)
    run(job)
    assert job.expires_at - job.finished_at == timedelta(days=2)
    page = admin_client("cn_officer").get("/exports/").content.decode()
    assert "2 天内下载" in page or "for 2 days" in page
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs.purge_expired_exports() == 1
    job.refresh_from_db()
    assert not job.file


def test_the_housekeeping_is_scheduled_in_the_database():
    sweep = PeriodicTask.objects.get(task="reports.sweep_export_jobs")
    purge = PeriodicTask.objects.get(task="reports.purge_expired_exports")
    assert sweep.enabled and sweep.interval.every == 5 and sweep.interval.period == "minutes"
    assert purge.enabled and purge.crontab.hour == "3"


# -- queries -----------------------------------------------------------------------------------


def _runner_queries(world, extra):
    many_companies(world, extra)
    job = _job_for(world.changning_officer)
    with CaptureQueriesContext(connection) as queries:
        assert run(job) == "done"
    return len(queries) - 1  # refresh_from_db


def test_the_runner_queries_do_not_grow_with_rows(world):
    few = _runner_queries(world, 2)
    ExportJob.objects.all().delete()
    more = _runner_queries(world, 60)
    assert few == more
    # claim (select for update + update), user, scope, count, total, rows, done
    assert few <= 10


def test_my_exports_page_and_status_cost_fixed_queries(world, django_assert_num_queries):
    client = admin_client("cn_officer")
    _job_for(world.changning_officer)
    client.get("/exports/")
    with CaptureQueriesContext(connection) as one:
        client.get("/exports/")
    for _n in range(5):
        run(_job_for(world.changning_officer))
    with CaptureQueriesContext(connection) as six:
        page = client.get("/exports/")
    assert len(one) == len(six)
    assert page.content.decode().count("<progress") == 6
    assert 'src="/static/reports/export-jobs.js"' in page.content.decode()
    status = client.get("/exports/status/").json()["jobs"]
    assert len(status) == 6 and {row["state"] for row in status} == {"queued", "done"}


# -- every list's query can be stored ----------------------------------------------------------


def _exporting_admins():
    return [
        model_admin
        for model_admin in django_admin.site._registry.values()
        if getattr(model_admin, "export_definition", None) is not None
    ]


def _exporting_viewsets():
    return [
        viewset for _prefix, viewset, _name in router.registry if getattr(viewset, "export_definition", None)
    ]


def test_every_exported_list_survives_being_stored(world):
    """The query of each admin change list and API list with an export, as the officer sees
    it, is stored and rebuilt into the same SQL (and its definition is found by its key)."""
    user = world.changning_officer
    checked = []
    factory = RequestFactory()
    for model_admin in _exporting_admins():
        request = factory.get("/")
        request.user = user
        checked.append((model_admin.export_definition, model_admin.get_queryset(request)))
    for viewset in _exporting_viewsets():
        view = viewset(action="export", format_kwarg=None, kwargs={})
        view.request = Request(APIRequestFactory().get("/"))
        view.request.user = user
        checked.append((viewset.export_definition, view.filter_queryset(view.get_queryset())))
    assert len(checked) > 30
    for definition, queryset in checked:
        thawed = jobs.thaw_queryset(queryset.model._meta.label, jobs.freeze_queryset(queryset))
        assert str(thawed.query) == str(queryset.query), definition.export_key
        assert jobs.list_definition(definition.export_key) is definition


def test_a_query_that_cannot_be_stored_is_exported_at_once(world, monkeypatch):
    def cannot(queryset):
        raise TypeError("cannot pickle 'generator' object")

    monkeypatch.setattr(jobs, "freeze_queryset", cannot)
    many_companies(world)
    response = api_client_for(world.changning_officer).get("/api/v1/organizations/export/")
    assert response.status_code == 200 and not ExportJob.objects.exists()

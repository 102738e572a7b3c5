"""The supervision journey in a real Chromium: statistics staff open the dashboard, ask for the
district workbook of a period with many records, watch its progress bar on 我的导出 move by
itself and download it; a district officer finds the evaluation's finding on the to-do page and
opens it."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports import jobs, tasks
from reports.evaluation.services import run_evaluation
from reports.models import ExportJob, Finding
from tests.e2e.steps import log_in
from tests.e2e.test_content_security_policy import _violations, _watch
from tests.reports.evaluation_data import at, make_resident, make_station, record, scheme_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dashboard_workbook_in_the_background_and_a_finding_on_the_todo_page(
    page, world, settings, tmp_path, monkeypatch
):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    settings.MEDIA_ROOT = tmp_path
    # No worker here: the job is recorded and handed to nobody; the test plays the worker.
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: None)
    station = make_station(world.company_a, world.regions["310105001"], "旅程站")
    resident = make_resident(station)
    for day in (3, 10, 17):
        record(station, resident, at(dt.date(2026, 9, day)))
    run_evaluation(scheme_for(world, [("publicity_events", 100, 1, "at_least")]), dt.date(2026, 9, 1))
    finding = Finding.objects.get(station=station)
    seen = _watch(page)

    log_in(page, "cn_viewer")
    page.goto("/statistics/dashboard/?region=310105&from=2026-09&to=2026-10")
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", "true", timeout=30000)
    expect(page.locator(".chart[data-drawn=true]")).to_have_count(6)
    expect(page.locator("#chart-scorecards canvas")).to_be_visible()

    page.goto("/statistics/?region=310105&from=2026-09&to=2026-10")
    page.click("a[data-workbook=district]")
    job = ExportJob.objects.get()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#job-{job.pk}")
    row = page.locator(f"#job-{job.pk}")
    expect(row.locator("a[data-field=download]")).to_be_hidden()
    ExportJob.objects.filter(pk=job.pk).update(state="running", progress=40, rows_written=8, rows_total=20)
    expect(row.locator("progress")).to_have_js_property("value", 40)
    ExportJob.objects.filter(pk=job.pk).update(state="queued", progress=0)
    assert jobs.run_export_job(job.pk) == "done"
    link = row.locator("a[data-field=download]")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "长宁区" in book.worksheets[0]["A1"].value and book.sheetnames[-1] == "指标说明"

    page.context.clear_cookies()
    log_in(page, "cn_officer")
    page.goto("/todo/")
    entry = page.locator(f"a[href='/evaluations/findings/{finding.pk}/']")
    expect(page.locator("tr").filter(has=entry)).to_contain_text("旅程站")
    entry.click()
    expect(page.locator("main")).to_contain_text("旅程站")
    assert _violations(seen) == [], seen

"""我的导出 in a real Chromium: an officer exports a list longer than the threshold from the
admin, lands on 我的导出, watches the progress bar move by itself (under the
Content-Security-Policy, no console error) and downloads the file once it is written."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports import jobs, tasks
from reports.models import ExportJob
from tests.factories import PASSWORD, OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_follows_a_background_export(page, world, settings, tmp_path, monkeypatch):
    settings.EXPORT_ASYNC_THRESHOLD = 3
    settings.MEDIA_ROOT = tmp_path
    # No worker in this test: the job is recorded and handed to nobody; the test plays the worker.
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: None)
    for n in range(4):
        OrganizationFactory(name=f"旅程物业{n}", region=world.regions["310105004"])
    problems = []
    # Script errors and policy violations; a failed load is judged by its address below.
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    def failed(response):
        if response.status >= 400 and "favicon" not in response.url:
            problems.append(f"{response.status} {response.url}")

    page.on("response", failed)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "cn_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto("/admin/accounts/organization/?kind__exact=property_company")
    page.click("a.export-link")

    job = ExportJob.objects.get()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#job-{job.pk}")
    assert page.url.split("#")[0].endswith("/exports/")
    row = page.locator(f"#job-{job.pk}")
    expect(row).to_contain_text("单位名录")
    expect(row).to_contain_text("类型 = 物业服务企业")
    expect(row.locator("a[data-field=download]")).to_be_hidden()

    ExportJob.objects.filter(pk=job.pk).update(state="running", progress=40, rows_written=2, rows_total=6)
    expect(row.locator("progress")).to_have_js_property("value", 40)
    expect(row.locator("[data-field=rows]")).to_have_text("2 / 6")

    ExportJob.objects.filter(pk=job.pk).update(state="queued", progress=0)
    assert jobs.run_export_job(job.pk) == "done"
    link = row.locator("a[data-field=download]")
    expect(link).to_be_visible()
    expect(row.locator("progress")).to_have_js_property("value", 100)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("单位名录-")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"甲物业", "乙物业", *(f"旅程物业{n}" for n in range(4))}
    assert problems == []

"""Statistics staff open the dashboard in a real Chromium under the Content-Security-Policy: the
four charts draw from the statistics API with no violation, and the 附件2 workbook downloads
from the 统计报表 page."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.test_content_security_policy import _violations, _watch
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_statistics_staff_see_the_charts_and_download_the_annex2_table(page, world):
    seen = _watch(page)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "cn_viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text("cn_viewer")

    page.goto("/statistics/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", "true", timeout=30000)
    expect(page.locator(".chart[data-drawn=true]")).to_have_count(6)
    expect(page.locator(".chart canvas").first).to_be_visible()

    page.goto("/statistics/")
    with page.expect_download() as download:
        page.click("a[data-workbook=annex2]")
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.worksheets[0]["A1"].value == "长宁区示范项目基本情况统计表"
    assert book.worksheets[0]["C4"].value == "企业基本情况"

    assert _violations(seen) == [], seen


def test_a_dashboard_whose_figures_fail_to_load_says_so_in_every_card(page, world):
    page.route("**/api/v1/statistics/dashboard/**", lambda route: route.fulfill(status=500, body="{}"))
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "cn_viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text("cn_viewer")
    page.goto("/statistics/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", "error", timeout=30000)
    failed = page.locator(".chart.chart-failed")
    expect(failed).to_have_count(6)
    expect(failed.first).to_have_text(page.locator("#dashboard").get_attribute("data-failed"))

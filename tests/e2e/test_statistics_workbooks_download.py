"""A district officer on 统计报表 in a real Chromium, in Chinese and in English: each workbook
downloads from its button and opens as the Chinese table — 附件2 in the notice's layout."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from stations.models import Station
from tests.e2e.steps import log_in
from tests.reports.test_statistics_figures import _demonstration_pilot, at, record
from tests.reports.test_statistics_workbooks import NOTICE_HEADER

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_workbook_downloads_from_the_statistics_page_as_the_chinese_table(
    page, world, station_a, resident, language, live_server
):
    _demonstration_pilot(world, station_a)
    Station.objects.filter(pk=station_a.pk).update(area=Decimal("80"), status="operating")
    world.company_a.elderly_care_since = dt.date(2020, 3, 1)
    world.company_a.save()
    record(station_a, resident, at(2026, 2, 5))
    log_in(page, "cn_viewer")  # (clears the cookies: the language is chosen after it)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/statistics/?region=310105&from=2026-01&to=2026-03")
    heading = "统计报表" if language == "zh-hans" else "Statistics"
    expect(page.locator("h1")).to_have_text(heading)
    books = {}
    for key in ("annex2", "district"):
        with page.expect_download() as download:
            page.click(f"a[data-workbook={key}]")
        assert download.value.suggested_filename.endswith("-202601-202603.xlsx")
        books[key] = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    annex = [list(row) for row in books["annex2"].worksheets[0].iter_rows(values_only=True)]
    assert annex[0][0] == "长宁区示范项目基本情况统计表"
    assert annex[4][2:] == NOTICE_HEADER
    assert annex[5][2:] == ["华阳路街道“物业服务+养老服务”试点", "甲物业", 80, 0, None, "2020年3月", 1]
    assert annex[-2:] == [["审核人：", *[None] * 8], ["填报人：", *[None] * 8]]
    overview = books["district"]["试点与站点"]
    assert overview["A3"].value == "街道（镇）" and "运营中（个，现状）" in [c.value for c in overview[3]]
    assert overview.freeze_panes == "A4"

"""The staff journey in Chromium: a company lists a service officer with a login; the bureau
imports the pre-job scores in the admin; the company sees the pass and that the person may now
take orders; a volunteer's hours earn points that show on the team page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user
from tests.reports.test_import import workbook_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")


def test_staff_training_and_points(page, browser, live_server, world, station_a, pre_job, team, tmp_path):
    login = make_user("a_zhang", world.company_a, "staff")
    _login(page, "a_admin")
    page.goto("/staff/")
    form = page.locator("form:has(input[name=what][value=staff])")
    form.locator("input[name=name]").fill("张服务员")
    form.locator("input[name=phone]").fill("13977778888")
    form.locator("select[name=employer]").select_option(str(world.company_a.pk))
    form.locator("select[name=region]").select_option(str(world.regions["310105001"].pk))
    form.locator("input[name=roles][value=service]").check()
    form.locator("input[name=joined_on]").fill("2025-05-01")
    form.locator("select[name=user]").select_option(str(login.pk))
    form.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("张服务员")
    expect(page.locator("#eligibility")).to_contain_text("尚未通过岗前培训考核")
    detail_url = page.url

    sheet = tmp_path / "成绩.xlsx"
    sheet.write_bytes(
        workbook_bytes(
            [
                ["姓名", "手机号", "是否出勤", "理论成绩", "实操成绩"],
                ["张服务员", "13977778888", "是", 86, 90],
            ]
        ).getvalue()
    )
    officer = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    _login(officer, "cn_officer")
    officer.goto(f"/admin/staff/trainingsession/{pre_job.pk}/import-scores/")
    officer.set_input_files("input[name=file]", str(sheet))
    officer.get_by_role("button", name="导入").click()
    expect(officer.locator(".messagelist")).to_contain_text("已导入 1 行")
    officer.context.close()

    page.goto(detail_url)
    expect(page.locator("#results")).to_contain_text("三员岗前培训")
    expect(page.locator("#eligibility")).to_contain_text("可以")
    page.goto(f"/stations/manage/{station_a.pk}/records/")
    # The service is logged in the name of the staff member (a login is not needed to serve).
    expect(page.locator("form:has(input[name=what][value=log]) select[name=staff]")).to_contain_text(
        "张服务员"
    )

    page.goto("/staff/volunteers/")
    activity = page.locator("form:has(input[name=what][value=activity])")
    activity.locator("select[name=team]").select_option(str(team.pk))
    activity.locator("input[name=held_on]").fill(timezone.localdate().isoformat())
    activity.locator("input[name=title]").fill("独居老人寻访")
    activity.locator("textarea[name=hours]").fill("王阿姨 2")
    activity.get_by_role("button", name="保存").click()
    expect(page.locator("#ledger")).to_contain_text("独居老人寻访")
    expect(page.locator("div.card", has_text="华阳爱心志愿者队")).to_contain_text("王阿姨20")

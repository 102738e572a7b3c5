"""The care-room journey in Chromium: a town officer finds an overdue room, records an
inspection with a violation and starts a use application, applies; the bureau sees only its own
step, surveys and gives its opinion."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.facilities.conftest import make_room
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")


def test_town_inspects_and_applies_bureau_surveys(page, browser, live_server, nanan):
    room = make_room(nanan, handed_over_on=timezone.localdate() - dt.timedelta(days=400))
    _login(page, "ximei_officer")
    page.goto("/facilities/")
    town = page.locator(f"#town-{nanan.ximei.code}")
    expect(town).to_contain_text("溪美花园")
    expect(town).to_contain_text("逾期")
    town.get_by_role("link", name="溪美花园").click()
    form = page.locator("form:has(input[name=what][value=inspection])")
    form.locator("textarea[name=findings]").fill("用房空置，堆放杂物")
    form.locator("select[name=kind]").select_option("built_unused")
    form.locator("input[name=rectify_by]").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#violations")).to_contain_text("建而不用")

    page.locator("form:has(input[name=what][value=start])").get_by_role("button", name="发起").click()
    expect(page.locator("#status")).to_contain_text("初步对接")
    apply = page.locator("form:has(input[name=action][value=apply])")
    apply.locator("select[name=operating_mode]").select_option("property_care")
    apply.locator("textarea[name=services]").fill("助餐、日间照料")
    apply.get_by_role("button", name="提出申请").click()
    expect(page.locator("#status")).to_contain_text("已提出申请")
    application_url = page.url

    bureau = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    _login(bureau, "na_officer")
    bureau.goto(application_url)
    expect(bureau.locator("#actions form")).to_have_count(2)  # survey, or not approve
    survey = bureau.locator("form:has(input[name=action][value=survey])")
    survey.locator("textarea[name=text]").fill("现场踏勘，同意")
    survey.get_by_role("button", name="现场踏勘并提出意见").click()
    expect(bureau.locator("#status")).to_contain_text("已踏勘并提出意见")
    expect(bureau.locator("#steps")).to_contain_text("现场踏勘，同意")
    bureau.context.close()
    assert room.applications.get().status == "surveyed"

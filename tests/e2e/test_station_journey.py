"""A station's main journeys in Chromium: the public finds the nearest station; the operator
takes an order, assigns it and completes it, and the service record shows the posted price."""

import pytest
from playwright.sync_api import expect

from stations import services
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finder_and_order_to_record(page, world, station_a, station_b, resident, staff_a):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    services.change_station_status(station_b, "operating", by=world.company_b_admin)

    page.goto("/stations/")
    page.fill("input[name=lat]", "31.2245")
    page.fill("input[name=lng]", "121.4300")
    page.fill("input[name=radius]", "6000")
    page.get_by_role("button", name="查找").click()
    rows = page.locator("#stations > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("华阳路为老服务站")
    page.get_by_role("link", name="华阳路为老服务站").click()
    expect(page.locator("#prices")).to_contain_text("12.00")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "a_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"/stations/manage/{station_a.pk}/")
    order_form = page.locator("form:has(input[name=what][value=order])")
    order_form.locator("select[name=resident]").select_option(str(resident.pk))
    order_form.locator("select[name=category]").select_option("meals")
    order_form.get_by_role("button", name="保存").click()
    expect(page.locator("#orders")).to_contain_text("李阿婆")
    page.locator("#orders select[name=staff]").first.select_option(str(staff_a.pk))
    page.locator("#orders").get_by_role("button", name="派单").first.click()
    expect(page.locator("#orders")).to_contain_text("已派单")
    page.locator("#orders").get_by_role("link", name="完成").first.click()
    complete = page.locator("form#complete-form")
    # proposed: ended now, begun the typical half hour of a meal ago, one meal
    expect(complete.locator("input[name=quantity]")).to_have_value("1")
    complete.locator("textarea[name=notes]").fill("送餐到家")
    complete.get_by_role("button", name="完成").click()
    expect(page.locator("#closed")).to_contain_text("12.00")
    page.goto(f"/stations/manage/{station_a.pk}/records/")
    expect(page.locator("#records")).to_contain_text("12.00")
    expect(page.locator("#records")).to_contain_text("助餐送餐")

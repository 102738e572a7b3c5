"""In Chromium: the finder and a station's public page on a 390 px phone (no sideways scroll,
hours grouped), and a company administrator placing a station by clicking the district plan."""

import pytest
from playwright.sync_api import expect

from stations import services
from tests.e2e.steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_finder_and_station_page_fit_a_phone(page, world, station_a, station_b):
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    page.set_viewport_size(PHONE)
    page.goto("/stations/?service=")
    card = page.locator("#stations > li").filter(has_text="华阳路为老服务站")
    expect(card).to_contain_text("周一、周二 08:30–17:30")
    assert sideways_overflow(page) <= 0
    link = card.get_by_role("link", name="华阳路为老服务站")
    assert link.bounding_box()["height"] >= 40  # a tap target, not a line of text
    link.click()
    expect(page.locator("#opening-hours")).to_contain_text("周三至周日休息")
    expect(page.locator("#prices td[data-label]").first).to_be_visible()
    assert sideways_overflow(page) <= 0


def test_the_administrator_clicks_the_plan_to_place_the_station(page, world, station_a, station_b):
    log_in(page, "a_admin")
    page.goto(f"/stations/manage/{station_a.pk}/details/")
    plan = page.locator("#plan")
    box = plan.bounding_box()
    plan.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude, longitude = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    # the plan is centred on the district's known stations (31.21–31.22 N, 121.39–121.43 E)
    assert 31.20 < latitude < 31.23 and 121.38 < longitude < 121.44
    page.get_by_role("button", name="保存站点信息").click()
    expect(page.locator(".messages")).to_contain_text("站点信息已保存")
    station_a.refresh_from_db()
    assert float(station_a.latitude) == pytest.approx(latitude, abs=1e-6)

"""The care-room journey in Chromium: a town officer finds an overdue room, records an
inspection with a violation (a refused date comes back with the input kept; the confirmation
takes the photo) and starts a use application, applies; the bureau sees only its own step,
surveys and gives its opinion, and refusing asks first. On a 390 px phone the inspection form,
the camera input and the violations fit the screen."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from facilities import services
from tests.facilities.conftest import make_room
from tests.factories import PASSWORD

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

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
    form = page.locator("#inspection-form")
    form.locator("input[name=inspected_on]").fill((timezone.localdate() + dt.timedelta(days=2)).isoformat())
    form.locator("textarea[name=findings]").fill("用房空置，堆放杂物")
    form.locator("select[name=kind]").select_option("built_unused")
    form.locator("input[name=rectify_by]").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    form.locator("button[name=next]").click()
    # refused (a date to come): the error beside the date, everything typed still there
    form = page.locator("#inspection-form")
    expect(form.locator("#id_inspected_on-error")).to_be_visible()
    expect(form.locator("textarea[name=findings]")).to_have_value("用房空置，堆放杂物")
    expect(form.locator("select[name=kind]")).to_have_value("built_unused")
    form.locator("input[name=inspected_on]").fill(timezone.localdate().isoformat())
    form.locator("button[name=next]").click()
    # the confirmation says what the record does and takes the photos; nothing is saved before
    expect(page.locator("#consequence")).to_be_visible()
    assert not room.inspections.exists()
    page.locator("input[name=photos]").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.locator("button[name=confirmed]").click()
    expect(page.locator("#violations")).to_contain_text("建而不用")
    assert room.inspections.get().photos.count() == 1

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


def test_refusing_asks_first_in_the_browser(page, live_server, nanan):
    room = make_room(nanan, handed_over_on=timezone.localdate() - dt.timedelta(days=400))
    application = services.start_application(by=nanan.ximei_officer, room=room)
    services.act_on_application(
        application, "apply", by=nanan.ximei_officer, operating_mode="property_care", services="助餐"
    )
    _login(page, "na_officer")
    page.goto(f"/facilities/applications/{application.pk}/")
    refuse = page.locator("#step-reject")
    refuse.locator("textarea[name=text]").fill("选址不宜")
    refuse.locator("button.primary").click()
    expect(page.locator("#consequence")).to_be_visible()
    assert room.applications.get().status == "applied"
    page.locator("button[name=confirmed]").click()
    expect(page.locator("#status")).to_contain_text("不予同意")
    assert room.applications.get().status == "rejected"


def test_phone_inspection_fits_390_px(browser, live_server, nanan):
    room = make_room(nanan, handed_over_on=timezone.localdate() - dt.timedelta(days=400))
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    ).new_page()
    _login(phone, "ximei_officer")
    phone.goto(f"/facilities/rooms/{room.pk}/")
    # the page's content fits (the site header's own width is the portal shell's, not this page's)
    width = """() => Math.max(...Array.from(document.querySelectorAll('main *'))
        .filter(e => !e.closest('table.list:not(.stack)')).map(e => e.getBoundingClientRect().right))"""
    assert phone.evaluate(width) <= 390
    form = phone.locator("#inspection-form")
    form.locator("textarea[name=findings]").fill("一层出租")
    form.locator("select[name=kind]").select_option("illegally_let")
    form.locator("input[name=rectify_by]").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    form.locator("button[name=next]").click()
    camera = phone.locator("input[name=photos]")
    expect(camera).to_have_attribute("capture", "environment")
    expect(camera).to_have_attribute("accept", "image/*")
    assert phone.evaluate(width) <= 390
    camera.set_input_files(
        [
            {"name": "门口.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "室内.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    phone.locator("button[name=confirmed]").click()
    expect(phone.locator("#violations")).to_contain_text("违规出租")
    assert phone.evaluate(width) <= 390
    box = phone.locator("#violations tbody tr").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert room.inspections.get().photos.count() == 2
    phone.context.close()

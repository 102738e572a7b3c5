"""The five lists in Chromium, from the district's sample to the poster on the station's wall:
the bureau issues a sample, the company customises it (a price changed, an item added) and
submits it, the street office approves it, the company publishes it, and the public page and
the printed poster show the published version with its QR code."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import ChecklistItem, ChecklistVersion, VersionState
from stations import services as station_services
from tests.e2e.steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def add_item(page, kind, **values):
    section = page.locator(f"#list-{kind}")
    section.locator("details.add-item summary").click()
    form = section.locator("form.item-form")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()


def act(page, action):
    page.locator(f"form:has(input[name=action][value={action}]) button[type=submit]").first.click()


def test_sample_to_poster(page, browser, live_server, world, station_a):
    station_services.change_station_status(station_a, "operating", by=world.company_a_admin)
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # the district bureau issues the sample
    log_in(page, "cn_officer")
    page.goto("/lists/samples/")
    page.locator("#start-sample button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/lists/versions/\d+/$"))
    add_item(page, "services", name="社区助餐", category="meals", price="12", unit="meal", level="low_cost")
    add_item(page, "services", name="上门助洁", category="cleaning", price="45", unit="hour", level="market")
    # a refused item comes back with what was typed and the error beside the field
    add_item(page, "facilities", name="活动室", area="-5")
    form = page.locator("#list-facilities form.item-form")
    expect(form.locator("p.has-errors:has([name=place]) .field-errors")).to_be_visible()
    expect(form.locator("[name=name]")).to_have_value("活动室")
    form.locator("[name=place]").fill("会所一楼")
    form.locator("[name=area]").fill("80")
    form.locator("button[type=submit]").click()
    expect(page.locator("#list-facilities tbody")).to_contain_text("会所一楼")
    act(page, "publish_template")
    assert asked and ("every street and company" in asked[-1] or "本区各街道" in asked[-1])
    sample = ChecklistVersion.objects.get(station=None)
    assert sample.state == VersionState.PUBLISHED

    # the company customises the lists of its station and submits them
    log_in(page, "a_admin")
    page.goto(f"/lists/manage/stations/{station_a.pk}/")
    page.locator("#start-version button[type=submit]").click()
    version = ChecklistVersion.objects.get(station=station_a)
    meals = ChecklistItem.objects.get(version=version, name="社区助餐")
    page.locator(f"#item-{meals.pk} a").first.click()
    page.locator(f"#item-{meals.pk} [name=price]").fill("10")
    page.locator(f"#item-{meals.pk} button[type=submit]").click()
    expect(page.locator(f"#item-{meals.pk}")).to_contain_text("10.00")
    add_item(
        page,
        "services",
        name="陪同就医",
        category="medical_escort",
        price="40",
        unit="time",
        level="low_cost",
    )
    expect(page.locator("#differences")).to_contain_text("陪同就医")
    expect(page.locator("#differences")).to_contain_text("12.00")
    act(page, "submit")
    expect(page.locator("#current")).to_contain_text(str(VersionState.SUBMITTED.label))

    # the street office sees what differs from the sample and approves, after confirming
    log_in(page, "hy_officer")
    page.goto("/lists/queue/")
    page.locator("#submitted").get_by_role("link", name=station_a.name).click()
    expect(page.locator("#differences ins").first).to_have_text("10.00")
    asked.clear()
    act(page, "approve")
    assert asked, "approving asks first"
    version.refresh_from_db()
    assert (version.state, version.approved_by) == (VersionState.APPROVED, world.street_officer)

    # the company publishes: the lists become the station's posted prices
    log_in(page, "a_admin")
    page.goto(f"/lists/manage/stations/{station_a.pk}/")
    asked.clear()
    act(page, "publish")
    assert asked, "publishing asks first"
    expect(page.locator("#history")).to_contain_text(world.street_officer.username)
    assert station_a.prices.get(category="meals").price == 10

    # the public: the published lists, and the poster with its QR code
    page.context.clear_cookies()
    page.goto(f"/lists/stations/{station_a.pk}/")
    expect(page.locator("#posted-prices")).to_contain_text("陪同就医")
    expect(page.locator("#posted-prices")).to_contain_text("10.00")
    expect(page.locator("#complaint-channels")).to_contain_text("021-62000001")
    page.goto(f"/lists/stations/{station_a.pk}/poster/?size=A3")
    public_url = f"{live_server.url}/lists/stations/{station_a.pk}/"
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator(".qr")).to_contain_text(public_url)
    version.refresh_from_db()
    published_on = timezone.localdate(version.published_at).isoformat()
    expect(page.locator("#poster-version")).to_contain_text(published_on)
    page.emulate_media(media="print")
    expect(page.locator("button[data-print]")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")

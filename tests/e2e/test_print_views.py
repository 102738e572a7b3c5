"""The printed application in Chromium: it works under the Content-Security-Policy (the print
button is wired by the script file), the toolbar disappears on paper, and the page fits A4 —
a screenshot with print media emulated is kept for whoever reviews the layout."""

import re

import pytest
from playwright.sync_api import expect

from pilots import services
from tests.factories import PASSWORD
from tests.pilots.conftest import FULL_FORM

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSP_WORDS = re.compile(r"Content Security Policy|Refused to (execute|apply|load)", re.I)


def test_the_printed_form_prints_under_the_policy(page, world, call, tmp_path):
    draft = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **FULL_FORM,
    )
    app = services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(app, "return", by=world.street_officer, text="请补充资金保障")
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "a_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text("a_admin")

    page.goto(f"/pilots/applications/{app.pk}/print/")
    expect(page.locator("h1.form-title")).to_have_text("居家社区养老服务改革试点申报表")
    expect(page.locator("#pilot-type")).to_contain_text("☑“物业服务+养老服务”")
    expect(page.locator("#opinion-1")).to_contain_text("请补充资金保障")  # the return stands
    # The print button calls window.print() from the script file: replace it to see the call.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1

    # On screen the form has the width of A4's text (170 mm at 96 dpi: 643 px), as on paper.
    width = page.evaluate("() => document.querySelector('#application-form').getBoundingClientRect().width")
    assert 600 < width <= 643
    page.emulate_media(media="print")
    expect(page.locator("nav.toolbar")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "application-print.png"), full_page=True)
    # Chromium's own PDF of the page takes the A4 size from the stylesheet's @page rule.
    pdf = page.pdf(prefer_css_page_size=True)
    assert re.search(rb"/MediaBox \[0 0 59[45][.\d]* 84[12][.\d]*\]", pdf)  # 210 x 297 mm
    assert not [t for t in seen if CSP_WORDS.search(t) or t.startswith("pageerror")]

"""Under the Content-Security-Policy the pages still work in a real Chromium and the console
reports no violation: home, a portal form page (the station finder), the language switch, the
admin with its filter sidebar, and the Swagger UI of the API."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSP_WORDS = re.compile(r"Content Security Policy|Refused to (execute|apply|load)", re.I)


def _watch(page):
    """Every console message and every ``securitypolicyviolation`` event of the page."""
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def _violations(seen):
    return [text for text in seen if CSP_WORDS.search(text) or text.startswith("pageerror")]


def test_pages_work_under_the_policy_without_violations(page, world):
    seen = _watch(page)

    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("h1")).to_have_text("物业+养老试点管理平台")
    # The language switch submits itself through the script file (no inline handler any more).
    page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_have_text("Property + Elderly Care Pilot Platform")
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("h1")).to_have_text("物业+养老试点管理平台")

    page.goto("/stations/")
    expect(page.locator("#locate")).to_be_visible()
    page.goto("/accounts/register/")
    expect(page.locator("form")).not_to_have_count(0)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "cn_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text("cn_officer")

    page.goto("/admin/accounts/organization/")
    expect(page.locator("#result_list")).to_contain_text("甲物业")
    # The filter sidebar's script (a file of the admin) runs: its details toggle.
    filters = page.locator("#changelist-filter")
    expect(filters).to_be_visible()

    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=60000)

    assert _violations(seen) == [], seen

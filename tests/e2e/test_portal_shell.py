"""The portal's main journeys in a real Chromium: Chinese home page, log in (and the lockout
message, the same for an unknown name), role-specific home, language switch, API token, admin in
Chinese, log out."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.services import LOCKED_MESSAGE
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")


def test_officer_logs_in_sees_role_home_switches_language_and_logs_out(page, world):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("物业+养老试点管理平台")
    # No asset is loaded from outside the server.
    assert all(
        link.startswith("/")
        for link in page.eval_on_selector_all(
            "link[href], script[src]", "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))"
        )
    )

    log_in(page, "cn_officer", "wrong-password")
    expect(page.locator(".errors")).to_be_visible()

    log_in(page, "cn_officer", PASSWORD)
    expect(page.locator(".who")).to_contain_text("cn_officer")
    expect(page.get_by_text("长宁区民政局 · 经办人员")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("登记单位"))).to_be_visible()

    page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_have_text("Property + Elderly Care Pilot Platform")
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("h1")).to_have_text("物业+养老试点管理平台")

    page.goto("/admin/")
    expect(page.locator("#site-name")).to_have_text("物业+养老试点管理平台")
    page.goto("/admin/accounts/organization/")
    expect(page.locator("#result_list")).to_contain_text("甲物业")
    expect(page.locator("#result_list")).not_to_contain_text("南安丙物业")

    page.goto("/")
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()


def test_viewer_home_says_read_only(page, world):
    log_in(page, "cn_viewer", PASSWORD)
    expect(page.get_by_text("长宁区民政局 · 只读人员")).to_be_visible()
    expect(page.get_by_text("只读权限")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("登记单位"))).to_have_count(0)


def test_company_issues_a_token_shown_once_and_uses_it(page, world, live_server):
    log_in(page, "a_admin", PASSWORD)
    expect(page.get_by_text("甲物业 · 单位管理员")).to_be_visible()
    page.goto("/accounts/tokens/")
    page.fill("input[name=name]", "呼叫中心")
    page.check("input[name=read_only]")
    page.click("button[type=submit].primary")
    secret = page.locator("#issued-secret").inner_text().strip()
    assert secret.startswith("wy_")
    response = page.request.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 200 and response.json()["username"] == "a_admin"
    page.reload()
    expect(page.locator("#issued-secret")).to_have_count(0)
    # Revoking asks first, on a page that says what will happen.
    page.get_by_role("link", name="撤销…").click()
    expect(page.locator("h1")).to_contain_text("呼叫中心")
    expect(page.get_by_text("撤销后无法恢复", exact=False)).to_be_visible()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_text("已撤销").first).to_be_visible()


def test_locked_pair_is_told_why_with_the_same_words_for_an_unknown_name(page, world):

    with translation.override("zh-hans"):
        locked = str(LOCKED_MESSAGE)
    for _ in range(5):
        log_in(page, "hy_officer", "wrong-password")
    log_in(page, "hy_officer", PASSWORD)
    expect(page.locator(".errors")).to_contain_text(locked)
    expect(page.locator(".who")).to_have_count(0)
    known = page.locator(".errors").inner_text()
    for _ in range(5):
        log_in(page, "nobody_at_all", "wrong-password")
    log_in(page, "nobody_at_all", PASSWORD)
    assert page.locator(".errors").inner_text() == known

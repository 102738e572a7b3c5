"""The whole pilot journey in Chromium: a company registers, applies, uploads, submits; the
street officer recommends; the bureau approves and publishes; the public pilot list shows the
pilot; the company sees the decision among its notices."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.pilots.conftest import FULL_FORM

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text(username)


def log_out(page):
    page.get_by_role("button", name="退出").click()


def test_register_apply_review_approve_publish(page, world, call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # A company registers itself and its first user.
    page.goto("/accounts/register/")
    page.select_option("select[name=kind]", "property_company")
    page.fill("input[name=organization_name]", "上海新华颐养物业有限公司")
    page.fill("input[name=credit_code]", "91310105MA1FL00004")
    page.select_option("select[name=region]", label="华阳路街道")
    page.fill("input[name=contact_person]", "陈经理")
    page.fill("input[name=contact_phone]", "021-60000000")
    page.fill("input[name=username]", "xinhua")
    page.fill("input[name=name]", "陈经理")
    page.fill("input[name=password1]", "Xinhua-Care-2026")
    page.fill("input[name=password2]", "Xinhua-Care-2026")
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text("xinhua")

    # It applies to the open call, step by step, saving a draft.
    page.get_by_role("link", name="试点方案").first.click()
    page.get_by_role("link", name=call.title).click()
    page.get_by_role("link", name="在线申报").click()
    page.select_option("select[name=pilot_type]", "mutual_aid")
    page.select_option("select[name=site_region]", label="华阳路街道")
    for step in range(4):
        expect(page.locator(".steps li.current")).to_have_count(1)
        for field in page.locator("form.card [name]:not([type=hidden]):not(select)").all():
            name = field.get_attribute("name")
            if name in FULL_FORM:
                field.fill(FULL_FORM[name])
        page.get_by_role("button", name="保存并继续").click()
        expect(page.locator(".messages")).to_contain_text("草稿已保存")  # every step saves the draft
    expect(page.locator("#status")).to_have_text("草稿")

    # Uploads the form scan; a renamed program is refused.
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "程序.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\0" * 64}],
    )
    page.fill("input[name=name]", "申报表扫描件")
    page.get_by_role("button", name="上传").click()
    # refused beside the field, with the name typed still there
    expect(page.locator("#attachment-form .field-errors")).to_contain_text("不是允许的文件类型")
    expect(page.locator("input[name=name]")).to_have_value("申报表扫描件")
    page.fill("input[name=name]", "")
    page.set_input_files(
        "input[name=file]", files=[{"name": "申报表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#attachments")).to_contain_text("申报表.pdf")

    page.get_by_role("button", name="提交").click()
    expect(page.locator("#status")).to_have_text("已提交，待镇街审核")
    application_url = page.url
    log_out(page)

    # The street officer of 华阳路街道 recommends.
    log_in(page, "hy_officer", PASSWORD)
    page.goto(application_url)
    page.get_by_role("link", name="推荐", exact=True).click()
    page.fill("textarea[name=text]", "情况属实，同意推荐。")
    page.get_by_role("button", name="推荐", exact=True).click()
    expect(page.locator("#status")).to_have_text("镇街已推荐，待民政局审核")
    log_out(page)

    # The bureau approves and publishes the pilot list.
    log_in(page, "cn_officer", PASSWORD)
    page.goto(application_url)
    page.get_by_role("link", name="批准…", exact=True).click()
    # the step asks first, saying what will happen, and shows the quota left
    expect(page.locator("#consequence")).to_contain_text("批准后不能撤销")
    expect(page.locator("#quota")).to_contain_text("尚余 3 个")
    page.fill("textarea[name=text]", "同意列为试点。")
    page.get_by_role("button", name="确认：批准", exact=True).click()
    expect(page.locator("#status")).to_have_text("已批准")
    expect(page.locator("#opinions")).to_contain_text("同意列为试点。")
    page.goto(f"/pilots/programmes/{call.pk}/")
    page.get_by_role("link", name="公布试点名单…").click()
    # the application phase of the call is still open: the page says so before publishing
    expect(page.locator("#publication-warnings")).to_contain_text("申报阶段尚未结束")
    page.get_by_role("button", name="确认：公布试点名单").click()
    expect(page.locator("#pilot-list")).to_contain_text("上海新华颐养物业有限公司")
    log_out(page)

    # Anyone reads the published list.
    page.goto(f"/pilots/programmes/{call.pk}/pilots/")
    expect(page.locator("#pilot-list")).to_contain_text("上海新华颐养物业有限公司")
    expect(page.locator("#pilot-list")).to_contain_text("互助式养老服务试点")

    # The company sees the decision among its notices.
    log_in(page, "xinhua", "Xinhua-Care-2026")
    expect(page.locator("#notices .badge")).to_be_visible()
    page.click("#notices")
    expect(page.locator("#notification-list")).to_contain_text("已批准")
    page.goto(application_url)
    expect(page.locator("#status")).to_have_text("已批准")

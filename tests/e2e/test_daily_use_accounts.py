"""In Chromium: a refused registration keeps what was typed and says every mistake beside its
field; the region picker narrows as one types; the language switch names each language in its own
language (issue 15)."""

import pytest
from playwright.sync_api import expect

from tests.factories import valid_credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_refused_registration_and_the_region_picker(page, world):
    world.company_a.credit_code = valid_credit_code(901)
    world.company_a.save()
    page.goto("/accounts/register/")
    page.select_option("select[name=kind]", "property_company")
    page.fill("input[name=organization_name]", "重复物业")
    page.fill("input[name=credit_code]", valid_credit_code(901))
    # The filter box narrows the grouped list to what was typed.
    page.fill("input.region-filter", "华阳")
    visible = page.eval_on_selector_all(
        "select[name=region] option:not([hidden])", "els => els.map(e => e.textContent.trim())"
    )
    assert visible[1:] == ["华阳路街道"]
    expect(page.locator("select[name=region]")).to_have_value(str(world.regions["310105001"].pk))
    page.fill("input[name=contact_person]", "赵六")
    page.fill("input[name=contact_phone]", "abc")
    page.fill("input[name=username]", "fresh_admin")
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=password1]", "123")
    page.fill("input[name=password2]", "123")
    page.click("button[type=submit].primary")
    expect(page.locator(".has-errors")).to_have_count(3)  # credit code, phone, password at once
    expect(page.get_by_text("甲物业", exact=False).first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("organization_credit_code_unique")
    expect(page.locator("input[name=organization_name]")).to_have_value("重复物业")
    expect(page.locator("input[name=contact_phone]")).to_have_value("abc")
    expect(page.locator("select[name=region]")).to_have_value(str(world.regions["310105001"].pk))


def test_language_switch_names_each_language_in_its_own_words(page, world):
    page.goto("/")
    names = page.eval_on_selector_all("select[name=language] option", "els => els.map(e => e.textContent)")
    assert names == ["简体中文", "English"]
    page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_have_text("Property + Elderly Care Pilot Platform")
    names = page.eval_on_selector_all("select[name=language] option", "els => els.map(e => e.textContent)")
    assert names == ["简体中文", "English"]

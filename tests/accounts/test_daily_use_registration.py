"""Registration refused says everything wrong at once, beside each field, in plain words, and
keeps what was typed (issue 15, item 8); one phone rule for every phone typed in accounts."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.forms import OrganizationContactForm, RegistrationForm
from accounts.models import Organization, User
from core.validators import normalise_phone, validate_phone
from tests.factories import PASSWORD, valid_credit_code

pytestmark = pytest.mark.django_db


def form_data(world, **changes):
    data = {
        "kind": "property_company",
        "organization_name": "新注册物业",
        "credit_code": valid_credit_code(555),
        "region": world.regions["310105001"].pk,
        "address": "长宁路 1 号",
        "contact_person": "赵六",
        "contact_phone": "021-62001234",
        "username": "fresh_admin",
        "name": "赵六",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(changes)
    return data


def register(data, language="zh-hans"):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch leaves it
    return client.post("/accounts/register/", data)


def test_duplicate_credit_code_is_named_beside_its_field_not_as_a_database_constraint(world):
    world.company_a.credit_code = valid_credit_code(777)
    world.company_a.save()
    response = register(form_data(world, credit_code=valid_credit_code(777)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["credit_code"]
    message = errors["credit_code"][0]
    assert "甲物业" in message and "organization_credit_code_unique" not in message
    page = response.content.decode()
    assert "organization_credit_code_unique" not in page and "约束" not in page
    assert not Organization.objects.filter(name="新注册物业").exists()


def test_weak_password_and_unit_mistakes_are_reported_together(world):
    world.company_a.credit_code = valid_credit_code(778)
    world.company_a.save()
    response = register(
        form_data(
            world,
            credit_code=valid_credit_code(778),
            contact_phone="abc",
            password1="123",
            password2="123",
        )
    )
    errors = response.context["form"].errors
    assert {"credit_code", "contact_phone", "password1"} <= set(errors)
    assert errors["password1"][0] == "密码太短，至少需要 8 个字符。"  # not Django's English
    assert not User.objects.filter(username="fresh_admin").exists()


def test_password_mismatch_does_not_hide_the_units_errors(world):
    response = register(form_data(world, credit_code="91310105MA0000000X", password2="other-password-1"))
    errors = response.context["form"].errors
    assert {"credit_code", "password2"} <= set(errors)


def test_taken_username_and_bad_phone_at_once_with_input_kept(world):
    response = register(form_data(world, username="a_admin", contact_phone="abc"))
    form = response.context["form"]
    assert set(form.errors) == {"username", "contact_phone"}
    page = response.content.decode()
    # What was typed comes back (the passwords excepted, as everywhere).
    assert 'value="新注册物业"' in page and 'value="abc"' in page and 'value="a_admin"' in page
    assert PASSWORD not in page


def test_refusal_reads_in_english_too(world):
    response = register(form_data(world, contact_phone="abc"), language="en")
    message = response.context["form"].errors["contact_phone"][0]
    assert message.startswith("Enter a phone number of 7 to 20 digits")


def test_a_valid_registration_still_goes_through_with_the_phone_normalised(world):
    response = register(form_data(world, contact_phone="０２１－6200 1234"))
    assert response.status_code == 302
    unit = Organization.objects.get(name="新注册物业")
    assert unit.contact_phone == "021-62001234"


@pytest.mark.parametrize(
    "phone", ["13812345678", "021-62001234", "(021)62001234", "+86 138 1234 5678", "021-62001234转801"]
)
def test_phone_rule_accepts_what_people_write(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["abc", "021-1", "12345", "1381234567a", "1" * 21, "021--"])
def test_phone_rule_refuses_what_is_not_a_number(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_normalise_phone():
    assert normalise_phone(" ０２１－６２００ １２３４ ") == "021-62001234"


def test_the_contact_form_and_the_model_share_the_phone_rule(world):
    form = OrganizationContactForm(
        {"address": "", "contact_person": "张", "contact_phone": "abc", "hotline": "xyz"},
        instance=world.company_a,
    )
    assert set(form.errors) == {"contact_phone", "hotline"}
    world.company_a.contact_phone = "abc"
    with pytest.raises(ValidationError) as refused:
        world.company_a.full_clean()
    assert "contact_phone" in refused.value.message_dict


def test_registration_region_picker_groups_streets_under_city_and_district(world):
    html = str(RegistrationForm()["region"])
    assert "data-region-picker" in html
    assert '<optgroup label="上海市 长宁区">' in html
    assert ">华阳路街道</option>" in html

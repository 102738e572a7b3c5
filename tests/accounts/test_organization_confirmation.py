"""Kind, registered name, region, credit code and licence are the bureau's to confirm: no member of an
organisation changes them on its own (issue 10, item 1), by any road; an officer of the region
does, and each such change is audited as ``confirm_organization``."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts import services
from accounts.models import AuditEntry, Organization
from tests.conftest import api_client_for
from tests.factories import PASSWORD, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def confirmations(org):
    return AuditEntry.objects.filter(
        action="confirm_organization", object_id=str(org.pk), content_type__model="organization"
    )


def patch(user, org, data):
    return api_client_for(user).patch(f"/api/v1/organizations/{org.pk}/", data, format="json")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "civil_affairs"),
        ("kind", "street_office"),
        ("kind", "social_organization"),
        ("has_property_licence", True),
        ("credit_code", "CREDIT"),
        ("region", "310105"),
        ("name", "改名物业有限公司"),
    ],
)
def test_company_admin_cannot_change_a_confirmed_field_of_its_own_company(world, field, value):
    company = world.company_b  # no licence yet, in 310105008
    if value == "CREDIT":
        value = valid_credit_code(987, "310105")
    before = {name: getattr(company, name) for name in services.CONFIRMED_FIELDS}
    response = patch(world.company_b_admin, company, {field: value})
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    company.refresh_from_db()
    assert {name: getattr(company, name) for name in services.CONFIRMED_FIELDS} == before
    assert not confirmations(company).exists()


def test_company_asking_to_become_a_bureau_is_told_who_can_do_that(world):
    response = patch(world.company_b_admin, world.company_b, {"kind": "civil_affairs"})
    message = api_client_for(world.company_b_admin).patch(
        f"/api/v1/organizations/{world.company_b.pk}/",
        {"kind": "civil_affairs"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == message.status_code == 403
    assert "platform administrator" in message.json()["error"]["message"]
    assert "government unit" in message.json()["error"]["message"]


def test_company_becoming_a_bureau_does_not_widen_what_it_sees(world):
    patch(world.company_b_admin, world.company_b, {"kind": "civil_affairs"})
    client = api_client_for(world.company_b_admin)
    ids = {row["id"] for row in client.get("/api/v1/organizations/?page_size=100").json()["results"]}
    assert ids == {world.company_b.pk}


def test_company_admin_still_keeps_its_contact_details_current(world):
    response = patch(
        world.company_b_admin,
        world.company_b,
        {
            "address": "长宁区安化路1号",
            "kind": world.company_b.kind,
            "credit_code": world.company_b.credit_code,
        },
    )
    assert response.status_code == 200, response.content
    world.company_b.refresh_from_db()
    assert world.company_b.address == "长宁区安化路1号"
    assert not confirmations(world.company_b).exists()


def test_freshly_self_registered_company_cannot_make_itself_a_bureau_or_licensed(world):
    client = Client()
    response = client.post(
        "/accounts/register/",
        {
            "kind": "property_company",
            "organization_name": "新注册物业",
            "credit_code": valid_credit_code(555),
            "region": world.regions["310105001"].pk,
            "address": "",
            "contact_person": "赵六",
            "contact_phone": "13800000000",
            "username": "fresh_admin",
            "name": "赵六",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    unit = Organization.objects.get(name="新注册物业")
    user = unit.memberships.get().user
    for data in ({"kind": "civil_affairs"}, {"has_property_licence": True}):
        assert patch(user, unit, data).status_code == 403
    unit.refresh_from_db()
    assert (unit.kind, unit.has_property_licence) == ("property_company", False)


def test_registration_service_refuses_fields_beyond_the_form(world):
    with pytest.raises(PermissionDenied):
        services.register_organization(
            organization={
                "kind": "property_company",
                "name": "夹带物业",
                "credit_code": valid_credit_code(556),
                "region": world.regions["310105001"],
                "contact_person": "x",
                "contact_phone": "1",
                "is_active": False,
            },
            username="smuggler",
            password=PASSWORD,
        )
    assert not Organization.objects.filter(name="夹带物业").exists()


def test_officer_of_the_region_confirms_the_licence_and_it_is_audited(world):
    response = patch(world.changning_officer, world.company_b, {"has_property_licence": True})
    assert response.status_code == 200, response.content
    world.company_b.refresh_from_db()
    assert world.company_b.has_property_licence is True
    entry = confirmations(world.company_b).get()
    assert entry.actor == world.changning_officer and entry.channel == "api"
    assert entry.changes == {"has_property_licence": [False, True]}


def test_officer_confirms_a_move_within_the_region_audited_with_codes(world):
    response = patch(world.street_officer, world.company_a, {"region": "310105001"})
    assert response.status_code == 200  # unchanged region: not a confirmation
    assert not confirmations(world.company_a).exists()
    response = patch(world.changning_officer, world.company_a, {"region": "310105008"})
    assert response.status_code == 200, response.content
    assert confirmations(world.company_a).get().changes == {"region": ["310105001", "310105008"]}


def test_officer_of_another_region_cannot_confirm(world):
    # 南安's officer cannot even see 长宁's company (404); the service refuses it too.
    assert patch(world.nanan_officer, world.company_b, {"has_property_licence": True}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.update_organization(world.company_b, by=world.nanan_officer, has_property_licence=True)
    # A street officer cannot move a company of their street out to another street.
    with pytest.raises(PermissionDenied):
        services.update_organization(
            world.company_a, by=world.street_officer, region=world.regions["310105008"]
        )
    world.company_b.refresh_from_db()
    world.company_a.refresh_from_db()
    assert world.company_b.has_property_licence is False
    assert world.company_a.region.code == "310105001"
    assert not confirmations(world.company_b).exists()


def test_viewer_of_the_region_cannot_confirm(world):
    assert patch(world.changning_viewer, world.company_b, {"has_property_licence": True}).status_code == 403
    world.company_b.refresh_from_db()
    assert world.company_b.has_property_licence is False


def test_only_superusers_turn_an_organisation_into_a_government_unit_or_back(world):
    with pytest.raises(PermissionDenied):
        services.update_organization(world.company_b, by=world.changning_officer, kind="street_office")
    with pytest.raises(PermissionDenied):
        services.update_organization(world.huayang_office, by=world.changning_officer, kind="other")
    with pytest.raises(PermissionDenied):
        services.create_organization(
            by=world.changning_officer,
            kind="civil_affairs",
            name="假民政局",
            region=world.regions["310105001"],
        )

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    services.update_organization(world.company_b, by=root, kind="street_office", credit_code="")
    world.company_b.refresh_from_db()
    assert world.company_b.kind == "street_office"
    assert confirmations(world.company_b).get().actor == root


def test_admin_form_refuses_a_government_kind_from_an_officer(world):
    client = Client()
    client.login(username="cn_officer", password=PASSWORD)
    company = world.company_b
    response = client.post(
        f"/admin/accounts/organization/{company.pk}/change/",
        {
            "kind": "civil_affairs",
            "name": company.name,
            "credit_code": company.credit_code,
            "region": company.region_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    company.refresh_from_db()
    assert company.kind == "property_company"
    response = client.post(
        "/admin/accounts/organization/add/",
        {
            "kind": "civil_affairs",
            "name": "假民政局",
            "region": world.regions["310105001"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and response.context["adminform"].form.non_field_errors()
    assert not Organization.objects.filter(name="假民政局").exists()


def test_admin_officer_confirms_licence_through_the_service(world):
    client = Client()
    client.login(username="cn_officer", password=PASSWORD)
    company = world.company_b
    response = client.post(
        f"/admin/accounts/organization/{company.pk}/change/",
        {
            "kind": company.kind,
            "name": company.name,
            "credit_code": company.credit_code,
            "region": company.region_id,
            "has_property_licence": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = confirmations(company).get()
    assert (entry.actor, entry.channel) == (world.changning_officer, "admin")

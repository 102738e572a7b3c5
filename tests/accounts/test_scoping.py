"""The one scoping path: who sees and changes which organisations, in the API and the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry, Membership, Organization
from tests.conftest import api_client_for
from tests.factories import PASSWORD, OrganizationFactory

pytestmark = pytest.mark.django_db


def names(response):
    return {row["name"] for row in response.json()["results"]}


def test_company_user_gets_404_for_another_company_through_the_api(world):
    client = api_client_for(world.company_a_admin)
    assert client.get(f"/api/v1/organizations/{world.company_a.pk}/").status_code == 200
    response = client.get(f"/api/v1/organizations/{world.company_b.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.patch(f"/api/v1/organizations/{world.company_b.pk}/", {"name": "x"}).status_code == 404


def test_company_user_lists_only_its_own_organisation(world):
    assert names(api_client_for(world.company_a_admin).get("/api/v1/organizations/")) == {"甲物业"}


def test_changning_officer_sees_changning_and_nothing_of_nanan(world):
    seen = names(api_client_for(world.changning_officer).get("/api/v1/organizations/?page_size=200"))
    assert seen == {"长宁区民政局", "华阳路街道办事处", "甲物业", "乙物业"}
    assert (
        api_client_for(world.changning_officer)
        .get(f"/api/v1/organizations/{world.nanan_company.pk}/")
        .status_code
        == 404
    )


def test_street_officer_sees_only_its_street(world):
    seen = names(api_client_for(world.street_officer).get("/api/v1/organizations/"))
    assert seen == {"华阳路街道办事处", "甲物业"}  # 乙物业 lies in 仙霞新村街道


def test_anonymous_sees_no_organisation(world, api):
    assert api.get("/api/v1/organizations/").status_code == 401


def test_viewer_can_read_but_not_change(world):
    client = api_client_for(world.changning_viewer)
    assert client.get(f"/api/v1/organizations/{world.company_a.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/organizations/{world.company_a.pk}/", {"address": "新地址"}, format="json"
    )
    assert response.status_code == 403
    world.company_a.refresh_from_db()
    assert world.company_a.address != "新地址"


def test_officer_registers_a_company_in_own_region_only(world):
    client = api_client_for(world.changning_officer)
    data = {
        "kind": "property_company",
        "name": "新物业",
        "region": "310105002",
        "credit_code": "91310105MA1FL0000" + "4",
    }
    assert client.post("/api/v1/organizations/", data, format="json").status_code == 201
    data.update(name="越界物业", region="350583001", credit_code="")
    response = client.post("/api/v1/organizations/", data, format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="越界物业").exists()


def test_company_cannot_confirm_its_own_licence(world):
    client = api_client_for(world.company_b_admin)
    response = client.patch(
        f"/api/v1/organizations/{world.company_b.pk}/", {"has_property_licence": True}, format="json"
    )
    assert response.status_code == 403
    assert "物业管理资质" in response.json()["error"]["message"]
    assert (
        client.patch(
            f"/api/v1/organizations/{world.company_b.pk}/", {"contact_person": "李四"}, format="json"
        ).status_code
        == 200
    )


def _admin_client(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_changning_officer_admin_lists_no_nanan_organisation(world):
    client = _admin_client(world.changning_officer)
    response = client.get("/admin/accounts/organization/")
    assert response.status_code == 200
    listed = {org.name for org in response.context["cl"].result_list}
    assert listed == {"长宁区民政局", "华阳路街道办事处", "甲物业", "乙物业"}
    assert client.get(f"/admin/accounts/organization/{world.nanan_company.pk}/change/").status_code == 302


def test_company_user_sees_other_company_nowhere_in_the_admin(world):
    # Not a government member: no admin at all.
    client = _admin_client(world.company_a_admin)
    assert client.get("/admin/accounts/organization/").status_code == 302
    # Even given staff status and the view permission by hand, the scoping path still hides it.
    user = world.company_a_admin
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client = _admin_client(user)
    response = client.get("/admin/accounts/organization/")
    assert {org.name for org in response.context["cl"].result_list} == {"甲物业"}
    assert client.get(f"/admin/accounts/organization/{world.company_b.pk}/change/").status_code == 302
    autocomplete = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "membership", "field_name": "organization", "term": "物业"},
    )
    assert "乙物业" not in autocomplete.content.decode()


def test_government_membership_gives_admin_access_with_role_group(world):
    assert world.changning_officer.is_staff
    assert world.changning_officer.has_perm("accounts.change_organization")
    assert world.changning_viewer.is_staff
    assert not world.changning_viewer.has_perm("accounts.change_organization")
    assert not world.company_a_admin.is_staff


def test_organisation_list_costs_the_same_queries_at_10_and_100_rows(world, django_assert_num_queries):
    client = api_client_for(world.changning_officer)
    for n in range(6):
        OrganizationFactory(name=f"批量物业{n}", region=world.regions["310105005"])

    def count_for(page_size):
        world.changning_officer.__dict__.pop("_scope_cache", None)  # as on a fresh request
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/organizations/?page_size={page_size}")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    small, rows_small = count_for(3)
    for n in range(100):
        OrganizationFactory(name=f"更多物业{n}", region=world.regions["310105006"])
    large, rows_large = count_for(100)
    assert (rows_small, rows_large) == (3, 100)
    assert small == large == 3  # scope, count, page
    world.changning_officer.__dict__.pop("_scope_cache", None)
    with django_assert_num_queries(small - 1):  # the scope is kept across requests: count, page
        client.get("/api/v1/organizations/?page_size=50")


def test_portal_organisation_page_is_scoped_and_edits_through_the_service(world):
    client = _admin_client(world.company_a_admin)
    page = client.get(f"/organizations/{world.company_a.pk}/")
    assert page.status_code == 200 and "a_admin" in page.content.decode()
    assert client.get(f"/organizations/{world.company_b.pk}/").status_code == 404
    response = client.post(
        f"/organizations/{world.company_a.pk}/",
        {"address": "华阳路 100 号", "contact_person": "赵六", "contact_phone": ""},
    )
    assert response.status_code == 302
    world.company_a.refresh_from_db()
    assert world.company_a.address == "华阳路 100 号"

    assert AuditEntry.objects.filter(
        object_id=str(world.company_a.pk), channel="portal", action="update"
    ).exists()


def test_viewer_sees_the_portal_organisation_page_without_a_form(world):
    client = _admin_client(world.changning_viewer)
    page = client.get(f"/organizations/{world.company_a.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(f"/organizations/{world.company_a.pk}/", {"address": "x"}).status_code == 403


def test_admin_change_list_costs_the_same_queries_at_10_and_100_rows(world):
    client = _admin_client(world.changning_officer)

    def count():
        client.get("/admin/accounts/organization/")  # warm: the scope kept, the session's refresh stamp
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/admin/accounts/organization/")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["cl"].result_list)

    for n in range(6):
        OrganizationFactory(name=f"小批物业{n}", region=world.regions["310105005"])
    small, rows_small = count()
    for n in range(90):
        OrganizationFactory(name=f"大批物业{n}", region=world.regions["310105006"])
    large, rows_large = count()
    assert (rows_small, rows_large) == (10, 100)
    assert small == large


def test_officer_adds_a_member_to_a_company_of_the_region_in_the_admin(world):
    client = _admin_client(world.changning_officer)
    newcomer = world.company_b_admin
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": newcomer.pk, "organization": world.company_a.pk, "role": "staff", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, organization=world.company_a).exists()
    # An organisation outside the region is not a valid choice.
    response = client.post(
        "/admin/accounts/membership/add/",
        {"user": newcomer.pk, "organization": world.nanan_company.pk, "role": "staff", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(organization=world.nanan_company).exists()

"""Publishing the pilot list asks first and says what is still open (the application phase,
drafts, applications under review, with their numbers); a published list is withdrawn by its
bureau with a reason: audited, announced to those it concerns, shown on the public page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.models import AuditEntry, Notification
from pilots import services
from pilots.models import PublicationState
from tests.factories import PASSWORD
from tests.pilots.conftest import FULL_FORM
from tests.pilots.test_api_and_scoping import api_client_for

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def approved(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(draft, "recommend", by=world.street_officer, text="同意")
    return services.transition(draft, "approve", by=world.changning_officer, text="同意")


@pytest.fixture
def other_draft(world, call):
    return services.create_application(
        by=world.company_b_admin,
        programme=call,
        organization=world.company_b,
        pilot_type="mutual_aid",
        site_region=world.regions["310105008"],
        **FULL_FORM,
    )


def test_publishing_asks_first_and_warns_of_the_open_phase_and_pending_drafts(world, approved, other_draft):
    client = logged_in("cn_officer")
    page = client.get(f"/pilots/programmes/{approved.programme_id}/publish/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="consequence"' in body
    assert "申报阶段尚未结束" in body  # the call's application phase runs until five days from now
    assert "还有 1 份申报是草稿或被退回修改" in body
    approved.programme.refresh_from_db()
    assert approved.programme.list_published_at is None  # opening the page publishes nothing
    assert client.post(f"/pilots/programmes/{approved.programme_id}/publish/").status_code == 302
    approved.programme.refresh_from_db()
    assert approved.programme.publication_state == PublicationState.LIST_PUBLISHED


def test_the_programme_page_links_to_the_confirmation_not_a_one_click_button(world, approved):
    body = logged_in("cn_officer").get(f"/pilots/programmes/{approved.programme_id}/").content.decode()
    assert f'href="/pilots/programmes/{approved.programme_id}/publish/"' in body
    assert f'action="/pilots/programmes/{approved.programme_id}/publish/"' not in body


def test_only_the_issuing_bureau_publishes(world, approved):
    for username in ("hy_officer", "a_admin"):
        logged_in(username).post(f"/pilots/programmes/{approved.programme_id}/publish/")
    approved.programme.refresh_from_db()
    assert approved.programme.list_published_at is None


def test_withdrawing_needs_a_reason_kept_on_refusal_and_is_announced(world, approved, other_draft):
    programme = services.publish_pilot_list(approved.programme, by=world.changning_officer)
    client = logged_in("cn_officer")
    url = f"/pilots/programmes/{programme.pk}/withdraw-list/"
    assert "撤回试点名单" in client.get(url).content.decode()
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400 and refused.context["form"].errors["reason"]
    Notification.objects.all().delete()
    assert client.post(url, {"reason": "名单有误，核实后重新公布"}).status_code == 302
    programme.refresh_from_db()
    assert programme.publication_state == PublicationState.LIST_WITHDRAWN
    assert (
        programme.list_published_at is None and programme.list_withdrawal_reason == "名单有误，核实后重新公布"
    )
    entry = AuditEntry.objects.get(action="transition:withdraw_list", object_id=str(programme.pk))
    assert entry.note == "名单有误，核实后重新公布" and entry.actor == world.changning_officer
    told = Notification.objects.get(recipient=world.company_a_admin)  # the pilot unit
    assert "撤回" in told.title and told.body == "名单有误，核实后重新公布"
    # a draft never submitted is not concerned
    assert not Notification.objects.filter(recipient=world.company_b_admin).exists()
    # the public page says so, with the reason, and lists no pilot; nor does the API
    public = Client().get(f"/pilots/programmes/{programme.pk}/pilots/").content.decode()
    assert 'id="withdrawn"' in public and "名单有误，核实后重新公布" in public and "甲物业" not in public
    assert Client().get("/api/v1/pilots/").json()["count"] == 0


def test_a_withdrawn_list_can_be_published_again(world, approved):
    programme = services.publish_pilot_list(approved.programme, by=world.changning_officer)
    services.withdraw_pilot_list(programme, by=world.changning_officer, reason="核实")
    again = services.publish_pilot_list(programme, by=world.changning_officer)
    assert again.publication_state == PublicationState.LIST_PUBLISHED
    assert "甲物业" in Client().get(f"/pilots/programmes/{programme.pk}/pilots/").content.decode()


def test_only_the_bureau_withdraws_and_only_a_published_list(world, approved):
    with pytest.raises(ValidationError):
        services.withdraw_pilot_list(approved.programme, by=world.changning_officer, reason="x")
    programme = services.publish_pilot_list(approved.programme, by=world.changning_officer)
    for outsider in (world.street_officer, world.company_a_admin, world.nanan_officer):
        with pytest.raises(PermissionDenied):
            services.withdraw_pilot_list(programme, by=outsider, reason="x")
    assert logged_in("a_admin").post(
        f"/pilots/programmes/{programme.pk}/withdraw-list/", {"reason": "x"}
    ).status_code in (400, 404)
    programme.refresh_from_db()
    assert programme.list_published_at is not None


def test_the_api_withdraws_through_the_same_rule(world, approved):
    programme = services.publish_pilot_list(approved.programme, by=world.changning_officer)
    client = api_client_for(world.changning_officer)
    refused = client.post(f"/api/v1/programmes/{programme.pk}/withdraw_list/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    done = client.post(f"/api/v1/programmes/{programme.pk}/withdraw_list/", {"reason": "核实"}, format="json")
    assert done.status_code == 200
    assert (
        done.json()["publication_state"] == "list_withdrawn"
        and done.json()["list_withdrawal_reason"] == "核实"
    )
    company = api_client_for(world.company_a_admin)
    assert (
        company.post(
            f"/api/v1/programmes/{programme.pk}/withdraw_list/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )

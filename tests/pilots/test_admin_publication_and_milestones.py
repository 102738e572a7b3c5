"""The admin completes milestones through ``complete_milestone`` and announces calls and publishes
pilot lists only through ``announce`` / ``publish_pilot_list``, after asking."""

import pytest

from accounts.models import AuditEntry, Notification
from pilots import services
from pilots.models import PilotMilestone, Programme
from tests.admin_pages import admin_client, form_data, superuser

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["superuser", "district_officer"])
def client(request, world):
    return admin_client(superuser() if request.param == "superuser" else world.changning_officer)


@pytest.fixture
def pilot(world, call):
    return services.designate_pilot(
        call,
        by=world.changning_officer,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
    )


def milestone_post(client, pilot, **row):
    url = f"/admin/pilots/pilot/{pilot.pk}/change/"
    data = form_data(client.get(url))
    data.update({f"milestones-0-{name}": value for name, value in row.items()})
    return client.post(url, data)


def test_a_milestone_marked_done_without_evidence_is_refused_on_its_row(pilot, client):
    page = milestone_post(client, pilot, completed_on="2026-01-05", evidence="  ")
    assert page.status_code == 200
    formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.prefix == "milestones"
    )
    assert formset.forms[0].errors["evidence"]
    assert "站点照片和开放时间公示" in page.content.decode()  # what evidence the milestone asks for
    milestone = PilotMilestone.objects.get(pilot=pilot)
    assert milestone.status == "pending" and milestone.completed_on is None


def test_the_status_cannot_be_typed_done_in_the_admin(pilot, client):
    page = milestone_post(client, pilot, status="done")
    assert page.status_code in (200, 302)
    assert PilotMilestone.objects.get(pilot=pilot).status == "pending"


def test_a_milestone_with_evidence_is_completed_through_the_service(pilot, client):
    page = milestone_post(client, pilot, completed_on="2026-01-05", evidence="站点已开放，照片见附件")
    assert page.status_code == 302
    milestone = PilotMilestone.objects.get(pilot=pilot)
    assert milestone.status == "done" and milestone.evidence == "站点已开放，照片见附件"
    assert AuditEntry.objects.filter(action="milestone_done", object_id=str(pilot.pk)).exists()


def test_a_completed_milestone_is_not_changed_silently(pilot, client):
    milestone_post(client, pilot, completed_on="2026-01-05", evidence="站点已开放")
    page = milestone_post(client, pilot, completed_on="2026-02-01", evidence="改过的佐证")
    assert page.status_code == 200  # refused on its row, not "saved"
    assert "不能修改" in page.content.decode() or "cannot be changed" in page.content.decode()
    milestone = PilotMilestone.objects.get(pilot=pilot)
    assert (milestone.completed_on.isoformat(), milestone.evidence) == ("2026-01-05", "站点已开放")


def test_announcing_an_announced_call_again_says_nothing_changed(world, call, client):
    before = Programme.objects.get(pk=call.pk).announced_at
    assert before is not None
    page = client.post(
        "/admin/pilots/programme/",
        {"action": "announce", "_selected_action": [call.pk], "confirmed": "yes"},
        follow=True,
    )
    text = page.content.decode()
    assert "未作改变" in text and "已发布 1" not in text
    assert Programme.objects.get(pk=call.pk).announced_at == before


def test_typing_dates_into_the_programme_form_announces_and_publishes_nothing(world, call, client):
    call.announced_at = None
    call.save()
    url = f"/admin/pilots/programme/{call.pk}/change/"
    data = form_data(client.get(url))
    data.update({"announced_at_0": "2026-01-05", "announced_at_1": "09:00:00"})
    data.update({"list_published_at_0": "2026-01-05", "list_published_at_1": "09:00:00"})
    assert client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert call.announced_at is None and call.list_published_at is None


def test_publishing_a_pilot_list_asks_first_and_then_notifies_and_audits(world, call, pilot, client):
    action = {"action": "publish_list", "_selected_action": [call.pk]}
    page = client.post("/admin/pilots/programme/", action)
    assert page.status_code == 200
    assert page.context["consequence"] and call.title in page.content.decode()
    assert Programme.objects.get(pk=call.pk).list_published_at is None

    page = client.post("/admin/pilots/programme/", {**action, "confirmed": "yes"})
    assert page.status_code == 302
    assert Programme.objects.get(pk=call.pk).list_published_at is not None
    assert AuditEntry.objects.filter(action__contains="publish_list", object_id=str(call.pk)).exists()
    assert Notification.objects.filter(recipient=world.company_a_admin, title__contains=call.title).exists()


def test_announcing_asks_first(world, call, client):
    call.announced_at = None
    call.save()
    action = {"action": "announce", "_selected_action": [call.pk]}
    assert client.post("/admin/pilots/programme/", action).status_code == 200
    assert Programme.objects.get(pk=call.pk).announced_at is None
    assert client.post("/admin/pilots/programme/", {**action, "confirmed": "yes"}).status_code == 302
    assert Programme.objects.get(pk=call.pk).announced_at is not None


def test_an_officer_of_another_district_cannot_publish(world, call, pilot):
    client = admin_client(world.nanan_officer)
    client.post(
        "/admin/pilots/programme/",
        {"action": "publish_list", "_selected_action": [call.pk], "confirmed": "yes"},
    )
    assert Programme.objects.get(pk=call.pk).list_published_at is None

"""A company withdraws a submitted application before the review begins (audited, the street is
told); an officer compares the version returned with the one resubmitted, field by field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.models import AuditEntry, Notification
from pilots import services
from tests.factories import PASSWORD
from tests.pilots.test_api_and_scoping import api_client_for

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def submitted(world, draft):
    return services.transition(draft, "submit", by=world.company_a_admin)


def test_the_company_withdraws_its_submission_after_confirming(world, submitted):
    client = logged_in("a_admin")
    page = client.get(f"/pilots/applications/{submitted.pk}/act/withdraw/").content.decode()
    assert "撤回提交" in page and 'id="consequence"' in page and 'name="scan"' not in page
    submitted.refresh_from_db()
    assert submitted.status == "submitted"  # opening the page changes nothing
    Notification.objects.all().delete()
    response = client.post(f"/pilots/applications/{submitted.pk}/act/withdraw/", {"text": "补充材料后再报"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "draft" and submitted.is_editable_by_applicant
    entry = AuditEntry.objects.get(action="transition:withdraw", object_id=str(submitted.pk))
    assert entry.actor == world.company_a_admin and entry.note == "补充材料后再报"
    told = Notification.objects.get(recipient=world.street_officer)
    assert "撤回" in told.title and "补充材料后再报" in told.body
    assert not Notification.objects.filter(recipient=world.company_a_admin).exists()


def test_no_withdrawal_once_the_street_has_given_its_opinion(world, submitted):
    services.transition(submitted, "return", by=world.street_officer, text="请补充")
    with pytest.raises(ValidationError):
        services.transition(submitted, "withdraw", by=world.company_a_admin)
    services.update_application(submitted, by=world.company_a_admin, guarantee_funds="街道补贴")
    again = services.transition(submitted, "submit", by=world.company_a_admin)
    recommended = services.transition(again, "recommend", by=world.street_officer, text="同意")
    with pytest.raises(ValidationError):
        services.transition(recommended, "withdraw", by=world.company_a_admin)


def test_only_the_applicant_withdraws(world, submitted):
    for outsider in (world.street_officer, world.changning_officer):
        with pytest.raises(PermissionDenied):
            services.transition(submitted, "withdraw", by=outsider)
    assert logged_in("b_admin").post(f"/pilots/applications/{submitted.pk}/act/withdraw/").status_code == 404
    street = logged_in("hy_officer").get(f"/pilots/applications/{submitted.pk}/")
    assert "withdraw" not in [a.name for a in street.context["actions"]]


def test_the_api_withdraws_through_the_same_rule(world, submitted):
    client = api_client_for(world.company_a_admin)
    response = client.post(f"/api/v1/applications/{submitted.pk}/withdraw/", {"text": "暂缓"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    again = client.post(f"/api/v1/applications/{submitted.pk}/withdraw/", {}, format="json")
    assert again.status_code == 200  # a double click changes nothing
    assert AuditEntry.objects.filter(action="transition:withdraw", object_id=str(submitted.pk)).count() == 1


def test_comparing_the_returned_version_with_the_resubmitted_one(world, submitted):
    services.transition(submitted, "return", by=world.street_officer, text="请补充资金保障")
    services.update_application(
        submitted, by=world.company_a_admin, guarantee_funds="街道补贴 5 万元", project_lead="李四"
    )
    services.transition(submitted, "submit", by=world.company_a_admin)
    client = logged_in("hy_officer")
    detail = client.get(f"/pilots/applications/{submitted.pk}/").content.decode()
    assert 'id="compare-link"' in detail
    page = client.get(f"/pilots/applications/{submitted.pk}/compare/")
    changed = {row["field"]: (row["old"], row["new"]) for row in page.context["changed"]}
    assert changed == {"project_lead": ("张三", "李四"), "guarantee_funds": ("企业自筹", "街道补贴 5 万元")}
    body = page.content.decode()
    assert "资金保障" in body and "街道补贴 5 万元" in body and "企业自筹" in body
    assert client.get(f"/pilots/applications/{submitted.pk}/compare/?from=1&to=9").status_code == 404
    assert client.get(f"/pilots/applications/{submitted.pk}/compare/?from=x").status_code == 404
    assert logged_in("b_admin").get(f"/pilots/applications/{submitted.pk}/compare/").status_code == 404


def test_no_comparison_before_a_second_version(world, submitted):
    assert logged_in("a_admin").get(f"/pilots/applications/{submitted.pk}/compare/").status_code == 404

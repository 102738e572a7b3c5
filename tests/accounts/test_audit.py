"""The audit log records who changed what (old → new), when, and through which channel."""

import pytest
from django.test import Client

from accounts import audit
from accounts.models import AuditEntry, Organization
from tests.conftest import api_client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return AuditEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)


def test_api_update_records_actor_channel_and_old_new_values(world):
    company = world.company_a
    old_address = company.address
    response = api_client_for(world.changning_officer).patch(
        f"/api/v1/organizations/{company.pk}/",
        {"address": "长宁区华阳路1号", "contact_person": "王五"},
        format="json",
    )
    assert response.status_code == 200
    entry = entries_for(company).filter(action="update").latest("at")
    assert entry.actor == world.changning_officer
    assert entry.actor_repr == "cn_officer"
    assert entry.channel == "api"
    assert entry.changes == {"address": [old_address, "长宁区华阳路1号"], "contact_person": ["", "王五"]}


def test_admin_change_is_recorded_with_admin_channel(world):
    client = Client()
    client.login(username="cn_officer", password=PASSWORD)
    company = world.company_b
    response = client.post(
        f"/admin/accounts/organization/{company.pk}/change/",
        {
            "kind": company.kind,
            "name": "乙物业（更名）",
            "credit_code": company.credit_code,
            "region": company.region_id,
            "address": "",
            "contact_person": "",
            "contact_phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = entries_for(company).filter(action="update").latest("at")
    assert (entry.actor, entry.channel) == (world.changning_officer, "admin")
    assert entry.changes["name"] == ["乙物业", "乙物业（更名）"]


def test_create_and_delete_are_recorded(world):
    with audit.audit_context(actor=world.changning_officer, channel="task"):
        org = Organization.objects.create(kind="other", name="临时单位", region=world.regions["310105"])
        pk = org.pk
        org.delete()
    actions = list(
        AuditEntry.objects.filter(object_id=str(pk), content_type__model="organization")
        .order_by("id")
        .values_list("action", "channel")
    )
    assert actions == [("create", "task"), ("delete", "task")]


def test_save_without_changes_writes_nothing(world):
    before = AuditEntry.objects.count()
    company = Organization.objects.get(pk=world.company_a.pk)
    company.save()
    assert AuditEntry.objects.count() == before


def test_password_change_is_logged_without_the_hash(world):
    user = world.company_a_admin
    user.set_password("Another-Secret-99")
    user.save()
    entry = entries_for(user).filter(action="update").latest("at")
    assert entry.changes == {"password": ["***", "***"]}


def test_transition_helper_records_states(world):
    entry = audit.record_transition(
        world.company_a, "approve", from_state="submitted", to_state="approved", actor=world.changning_officer
    )
    assert entry.action == "transition:approve"
    assert entry.changes == {"state": ["submitted", "approved"]}


def test_audit_log_in_admin_lists_entries_for_superuser(world, admin_client):
    api_client_for(world.changning_officer).patch(
        f"/api/v1/organizations/{world.company_a.pk}/", {"address": "审计地址"}, format="json"
    )
    response = admin_client.get("/admin/accounts/auditentry/", {"q": "甲物业"})
    assert response.status_code == 200
    assert "审计地址" in response.content.decode()

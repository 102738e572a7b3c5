"""The audit log is read by people: channels, actions and changes in words of either language,
while the stored entry keeps its codes (issue 15, item 3)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import facilities.services.use  # noqa: F401 - registers the use-procedure workflow
from accounts import audit, audit_display, exports
from accounts.models import AuditEntry, Organization
from facilities.models import UseApplication

pytestmark = pytest.mark.django_db


def entry(model, action, changes, channel="portal"):
    return AuditEntry(
        action=action,
        channel=channel,
        changes=changes,
        content_type=ContentType.objects.get_for_model(model),
        object_id="1",
    )


def test_transition_reads_as_the_step_and_its_states_in_chinese_and_english():
    e = entry(UseApplication, "transition:apply", {"state": ["contacted", "applied"]})
    with translation.override("zh-hans"):
        assert audit_display.action_label(e) == "流转：提出申请"
        assert audit_display.changes_text(e) == "状态：初步对接 → 已提出申请"
        assert e.get_channel_display() == "门户"
    with translation.override("en"):
        assert audit_display.action_label(e) == "step: Apply"
        assert audit_display.changes_text(e) == "status: Initial contact → Applied by the town"
        assert e.get_channel_display() == "portal"


def test_field_changes_use_verbose_names_choices_and_yes_no():
    e = entry(
        Organization,
        "update",
        {"kind": ["other", "property_company"], "has_property_licence": [False, True], "address": ["", "x"]},
        channel="admin",
    )
    with translation.override("en"):
        text = audit_display.changes_text(e)
        assert "kind: Other → Property-management company" in text
        assert "holds a property-management licence: no → yes" in text
        assert "address: — → x" in text
        assert audit_display.action_label(e) == "changed"
        assert e.get_channel_display() == "administration"


def test_one_entry_names_the_records_it_refers_to(world):
    e = entry(
        Organization, "update", {"region_id": [world.regions["310105001"].pk, world.regions["310105008"].pk]}
    )
    with translation.override("zh-hans"):
        rows = audit_display.change_rows(e, names=True)
    assert rows == [("所属区划", "华阳路街道（310105001）", "仙霞新村街道（310105008）")]


def test_unknown_action_and_field_are_shown_as_written():
    e = entry(Organization, "something_new", {"mystery": [1, 2]})
    assert audit_display.action_label(e) == "something_new"
    assert audit_display.changes_text(
        e
    ) == "mystery: 1 → 2" or "mystery：1 → 2" in audit_display.changes_text(e)


def test_stored_values_are_unchanged(world):
    with audit.audit_context(actor=world.changning_officer, channel=audit.Channel.PORTAL):
        world.company_b.address = "新地址"
        world.company_b.save()
    stored = AuditEntry.objects.filter(object_id=str(world.company_b.pk), action="update").latest("at")
    assert stored.channel == "portal" and stored.changes == {"address": ["", "新地址"]}


def test_admin_list_and_export_show_labels_not_codes(world, admin_user):
    with audit.audit_context(actor=world.changning_officer, channel=audit.Channel.PORTAL):
        world.company_b.kind = "other"
        world.company_b.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    page = client.get("/admin/accounts/auditentry/").content.decode()
    assert "门户" in page and "类型：物业服务企业 → 其他" in page.replace("&gt;", ">")
    assert "kind: property_company" not in page
    latest = AuditEntry.objects.filter(action="update", object_id=str(world.company_b.pk)).latest("at")
    detail = client.get(f"/admin/accounts/auditentry/{latest.pk}/change/").content.decode()
    assert "<td>类型</td><td>物业服务企业</td><td>其他</td>" in detail
    columns = {column.header: column for column in exports.AUDIT_ENTRIES.columns}
    with translation.override("zh-hans"):
        assert columns["操作"].extract(latest) == "修改"
        assert columns["变更"].extract(latest) == "类型：物业服务企业 → 其他"
        assert columns["渠道"].extract(latest) == "门户"


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/accounts/auditentry/").status_code == 200
    return len(captured.captured_queries)


def test_labelling_costs_no_query_per_entry(world, admin_user):
    client = Client()
    client.force_login(admin_user)

    def write(n):
        with audit.audit_context(actor=world.changning_officer, channel=audit.Channel.ADMIN):
            for i in range(n):
                world.company_b.address = f"地址 {i}"
                world.company_b.save()

    write(5)
    few = _changelist_queries(client)
    write(40)
    assert _changelist_queries(client) == few

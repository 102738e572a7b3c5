"""The five lists in the admin: items written through the services (a refusal beside its row),
steps taken by confirmed actions, checks read-only, fixed query counts for the change lists."""

import datetime as dt

import pytest

from accounts.models import AuditEntry
from checklists import services
from checklists.models import CheckFinding, ChecklistCheck, ChecklistItem, ChecklistVersion, VersionState
from tests.admin_pages import admin_client, form_data

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/checklists/checklistversion/"
CHECKS = "/admin/checklists/checklistcheck/"


def _formset(page, kind):
    return next(
        inline.formset for inline in page.context["inline_admin_formsets"] if inline.formset.kind == kind
    )


def _with_new_row(page, kind, values):
    data = form_data(page)
    formset = _formset(page, kind)
    prefix, count = formset.prefix, formset.total_form_count()
    data[f"{prefix}-TOTAL_FORMS"] = count + 1
    for name, value in values.items():
        data[f"{prefix}-{count}-{name}"] = value
    return data


BATHING = {"name": "上门助浴", "category": "bathing", "price": "60", "unit": "time", "level": "low_cost"}


def test_street_adds_an_item_through_the_service_and_sees_its_refusal_beside_the_field(world, draft):
    client = admin_client(world.street_officer)
    url = f"{VERSIONS}{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    before = draft.items.count()
    refused = client.post(url, _with_new_row(page, "services", BATHING | {"price": "0"}))
    assert refused.status_code == 200  # the page again, with the error beside the row
    row = _formset(refused, "services").forms[-1]
    assert "level" in row.errors
    assert draft.items.count() == before
    saved = client.post(url, _with_new_row(page, "services", BATHING))
    assert saved.status_code == 302
    item = draft.items.get(name="上门助浴")
    assert (item.kind, item.position, item.category) == ("services", 4, "bathing")
    assert AuditEntry.objects.filter(action="item_added", object_id=str(draft.pk)).exists()


def test_two_new_rows_that_clash_are_refused_together(world, draft):
    client = admin_client(world.street_officer)
    url = f"{VERSIONS}{draft.pk}/change/"
    page = client.get(url)
    data = _with_new_row(page, "services", BATHING)
    prefix = _formset(page, "services").prefix
    count = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = count + 1
    for name, value in (BATHING | {"price": "65"}).items():
        data[f"{prefix}-{count}-{name}"] = value
    response = client.post(url, data)
    assert response.status_code == 200
    assert "name" in _formset(response, "services").forms[-1].errors
    assert not draft.items.filter(name="上门助浴").exists()


def test_changing_and_removing_rows_go_through_the_services(world, draft):
    client = admin_client(world.street_officer)
    url = f"{VERSIONS}{draft.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    services_set = _formset(page, "services")
    meals = next(form for form in services_set.forms if form.instance.name == "社区助餐")
    visit = next(form for form in services_set.forms if form.instance.name == "关爱探访")
    data[f"{meals.prefix}-price"] = "15"
    data[f"{meals.prefix}-level"] = "market"
    data[f"{visit.prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    assert str(draft.items.get(name="社区助餐").price) == "15.00"
    assert not draft.items.filter(name="关爱探访").exists()
    actions = set(AuditEntry.objects.filter(object_id=str(draft.pk)).values_list("action", flat=True))
    assert {"item_changed", "item_removed"} <= actions


def test_items_of_posted_lists_are_read_only(world, published):
    client = admin_client(world.street_officer)
    url = f"{VERSIONS}{published.pk}/change/"
    page = client.get(url)
    inlines = page.context["inline_admin_formsets"]
    assert inlines and not any(
        inline.has_add_permission or inline.has_change_permission for inline in inlines
    )
    before = list(published.items.values_list("name", "price"))
    client.post(url, _with_new_row(page, "services", BATHING))
    assert list(published.items.values_list("name", "price")) == before


def test_approval_is_a_confirmed_action_of_the_stations_street(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    selected = {"action": "approve", "_selected_action": [draft.pk]}
    # the district bureau sees the lists but is not the street office: refused, nothing changes
    bureau = admin_client(world.changning_officer)
    bureau.post(VERSIONS, selected | {"confirmed": "1"})
    assert ChecklistVersion.objects.get(pk=draft.pk).state == VersionState.SUBMITTED
    street = admin_client(world.street_officer)
    confirm = street.post(VERSIONS, selected)
    assert confirm.status_code == 200 and confirm.context["any_allowed"] is True
    assert ChecklistVersion.objects.get(pk=draft.pk).state == VersionState.SUBMITTED  # asked first
    street.post(VERSIONS, selected | {"confirmed": "1"})
    approved = ChecklistVersion.objects.get(pk=draft.pk)
    assert (approved.state, approved.approved_by) == (VersionState.APPROVED, world.street_officer)


def test_a_street_reads_its_districts_sample_draft_without_rows_to_write(world, seed_regions):
    version = services.start_template(world.regions["310105"], by=world.changning_officer)
    page = admin_client(world.street_officer).get(f"{VERSIONS}{version.pk}/change/")
    assert page.status_code == 200
    assert not any(inline.has_add_permission for inline in page.context["inline_admin_formsets"])
    bureau = admin_client(world.changning_officer).get(f"{VERSIONS}{version.pk}/change/")
    assert all(inline.has_add_permission for inline in bureau.context["inline_admin_formsets"])


def test_versions_cannot_be_added_or_deleted_in_the_admin(world, published):
    client = admin_client(world.changning_officer)
    assert client.get(f"{VERSIONS}add/").status_code == 403
    assert client.post(f"{VERSIONS}{published.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ChecklistVersion.objects.filter(pk=published.pk).exists()


def test_checks_are_read_only_with_their_findings(world, published):
    item = published.items.get(name="社区助餐")
    check = services.record_check(
        published.station,
        by=world.street_officer,
        checked_on=dt.date(2026, 1, 5),
        results=[{"item": item, "result": "not_done", "note": "价格未公示"}],
    )
    client = admin_client(world.street_officer)
    page = client.get(f"{CHECKS}{check.pk}/change/")
    assert page.status_code == 200 and "价格未公示" in page.content.decode()
    client.post(f"{CHECKS}{check.pk}/change/", {"summary": "改"})
    assert ChecklistCheck.objects.get(pk=check.pk).summary == ""
    assert client.post(f"{CHECKS}{check.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{CHECKS}add/").status_code == 403


# --- query counts -------------------------------------------------------------------------------


def _changelist(client, url, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(url, {"all": ""})
    assert response.status_code == 200
    return response.context["cl"]


# user, permissions, counts, the page (the session and the scope are read from the cache)
VERSION_CHANGELIST_QUERIES = 5


@pytest.mark.parametrize("total", [10, 100])
def test_version_change_list_costs_the_same_at_10_and_100_rows(
    world, published, django_assert_num_queries, total
):
    have = ChecklistVersion.objects.count()
    ChecklistVersion.objects.bulk_create(
        [
            ChecklistVersion(region=published.region, number=100 + n, state=VersionState.SUPERSEDED)
            if n % 2
            else ChecklistVersion(
                station=published.station,
                region=published.region,
                number=100 + n,
                state=VersionState.SUPERSEDED,
            )
            for n in range(have, total)
        ]
    )
    client = admin_client(world.changning_officer)
    cl = _changelist(client, VERSIONS, django_assert_num_queries, VERSION_CHANGELIST_QUERIES)
    assert cl.result_count == total


CHECK_CHANGELIST_QUERIES = 7  # as above, with the date hierarchy and the counts of findings


@pytest.mark.parametrize("total", [10, 100])
def test_check_change_list_costs_the_same_at_10_and_100_rows(
    world, published, django_assert_num_queries, total
):
    items = list(published.items.all()[:2])
    for day in range(total):
        check = ChecklistCheck.objects.create(
            station=published.station,
            version=published,
            checked_on=dt.date(2025, 1, 1) + dt.timedelta(days=day),
            checked_by=world.street_officer,
            office=world.huayang_office,
        )
        CheckFinding.objects.bulk_create(
            [CheckFinding(check_record=check, item=item, result="not_done", note="x") for item in items]
        )
    client = admin_client(world.street_officer)
    cl = _changelist(client, CHECKS, django_assert_num_queries, CHECK_CHANGELIST_QUERIES)
    assert cl.result_count == total
    assert {(row.finding_total, row.not_done_total) for row in cl.result_list} == {(2, 2)}


def test_each_inline_shows_its_own_list_of_this_version_only(world, sample, draft):
    page = admin_client(world.street_officer).get(f"{VERSIONS}{draft.pk}/change/")
    shown = {}
    for inline in page.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            assert form.instance.kind == inline.formset.kind
            shown[form.instance.pk] = form.instance.version_id
    assert set(shown) == set(ChecklistItem.objects.filter(version=draft).values_list("pk", flat=True))
    assert set(shown.values()) == {draft.pk}  # not the sample's items it was copied from

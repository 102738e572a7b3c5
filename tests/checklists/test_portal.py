"""Portal pages of the five lists: the rules reach people through the pages, each role sees
what it may, and the list pages cost a fixed number of queries."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from checklists import services
from checklists.models import CheckFinding, ChecklistItem, ChecklistVersion, ListKind, VersionState
from stations import services as station_services
from tests.conftest import api_client_for
from tests.copies import copy_rows
from tests.factories import PASSWORD, OrganizationFactory, make_user

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def operating(world, station):
    station_services.change_station_status(station, "operating", by=world.company_a_admin)
    return station


def test_a_refused_item_comes_back_with_the_input_and_the_error_beside_the_field(world, draft):
    client = logged_in("a_admin")
    page = f"/lists/manage/stations/{draft.station_id}/"
    response = client.post(
        page,
        {
            "what": "add",
            "kind": "services",
            "name": "上门助浴",
            "category": "bathing",
            "price": "30",
            "unit": "time",
            "level": "free",  # a free service has the fee 0
            "provider": "康乐助浴队",
        },
    )
    assert response.status_code == 200
    assert not ChecklistItem.objects.filter(version=draft, name="上门助浴").exists()
    form = response.context["lists"][0]["add_form"]
    assert list(form.errors) == ["level"]
    html = response.content.decode()
    level = re.search(r'<p class="field has-errors"><label for="id_services_level">.*?</p>', html, re.S)
    assert level is not None and "field-errors" in level.group(0)
    assert 'value="上门助浴"' in html and 'value="康乐助浴队"' in html
    assert '<details class="add-item" open>' in html


def test_a_refused_change_keeps_the_row_open_with_the_typed_value(world, draft):
    client = logged_in("a_admin")
    item = draft.items.get(name="社区助餐")
    response = client.post(
        f"/lists/versions/{draft.pk}/",
        {
            "what": "change",
            "item": item.pk,
            "name": "社区助餐",
            "category": "meals",
            "price": "-3",
            "unit": "meal",
            "level": "low_cost",
        },
    )
    html = response.content.decode()
    assert f'id="id_item{item.pk}_price"' in html and 'value="-3"' in html
    assert "field-errors" in html
    item.refresh_from_db()
    assert item.price == 12


def test_the_company_customises_submits_and_the_differences_show_sample_and_now(world, draft):
    client = logged_in("a_admin")
    page = f"/lists/manage/stations/{draft.station_id}/"
    meals = draft.items.get(name="社区助餐")
    client.post(
        page,
        {
            "what": "change",
            "item": meals.pk,
            "name": "社区助餐",
            "category": "meals",
            "price": "10",
            "unit": "meal",
            "level": "low_cost",
        },
    )
    client.post(page, {"what": "remove", "item": draft.items.get(name="活动室").pk})
    client.post(
        page,
        {
            "what": "add",
            "kind": "resources",
            "name": "社区卫生服务中心",
            "resource_kind": "medical",
            "offer": "上门体检",
            "contact_phone": "021-62001234",
        },
    )
    response = client.post(page, {"what": "act", "action": "submit"}, follow=True)
    draft.refresh_from_db()
    assert draft.state == VersionState.SUBMITTED
    differences = response.context["differences"]
    assert [i.name for i in differences["added"]] == ["社区卫生服务中心"]
    assert [i.name for i in differences["removed"]] == ["活动室"]
    change = differences["changed"][0]
    assert (change["item"].name, change["fields"][0]["sample"], change["fields"][0]["now"]) == (
        "社区助餐",
        "12.00",
        "10.00",
    )
    assert "<del>12.00</del> → <ins>10.00</ins>" in response.content.decode()


def test_the_street_approves_with_a_confirmation_and_returns_only_with_a_reason(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    street = logged_in("hy_officer")
    queue = street.get("/lists/queue/")
    assert [v.pk for v in queue.context["submitted"]] == [draft.pk]
    page = street.get(f"/lists/versions/{draft.pk}/").content.decode()
    assert 'data-confirm="审核通过后' in page or "data-confirm=" in page
    assert 'name="action" value="approve"' in page
    refused = street.post(f"/lists/versions/{draft.pk}/", {"what": "act", "action": "return", "reason": "  "})
    assert refused.context["return_form"].errors["reason"]
    assert '<details class="return" open>' in refused.content.decode()
    draft.refresh_from_db()
    assert draft.state == VersionState.SUBMITTED
    street.post(f"/lists/versions/{draft.pk}/", {"what": "act", "action": "approve"})
    draft.refresh_from_db()
    assert (draft.state, draft.approved_by) == (VersionState.APPROVED, world.street_officer)


def test_a_street_officer_of_another_street_cannot_approve(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    xianxia = OrganizationFactory(
        kind="street_office", name="仙霞新村街道", region=world.regions["310105008"]
    )
    make_user("xx_officer", xianxia, Role.OFFICER)
    other = logged_in("xx_officer")
    assert other.get("/lists/queue/").context["submitted"].count() == 0
    response = other.post(f"/lists/versions/{draft.pk}/", {"what": "act", "action": "approve"})
    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.state == VersionState.SUBMITTED


def test_another_company_cannot_open_the_station_lists(world, draft):
    operating(world, draft.station)  # its public page is open to all; its lists in the works are not
    other = logged_in("b_admin")
    assert draft.station not in [row[0] for row in other.get("/lists/").context["rows"]]
    assert other.get(f"/lists/manage/stations/{draft.station_id}/").status_code == 404
    assert other.get(f"/lists/versions/{draft.pk}/").status_code == 404
    response = other.post(f"/lists/versions/{draft.pk}/", {"what": "remove", "item": draft.items.first().pk})
    assert response.status_code == 404
    assert draft.items.count() == 7


def test_anonymous_sees_only_published_lists_and_the_poster(world, draft):
    operating(world, draft.station)
    anonymous = Client()
    response = anonymous.get(f"/lists/stations/{draft.station_id}/")
    assert response.context["version"] is None and "社区助餐" not in response.content.decode()
    assert anonymous.get(f"/lists/stations/{draft.station_id}/poster/").status_code == 404
    assert anonymous.get(f"/lists/versions/{draft.pk}/").status_code == 302  # to the login
    services.perform(draft, "submit", by=world.company_a_admin)
    services.perform(draft, "approve", by=world.street_officer)
    services.perform(draft, "publish", by=world.company_a_admin)
    html = anonymous.get(f"/lists/stations/{draft.station_id}/").content.decode()
    assert "社区助餐" in html and "甲物业" in html and "021-62000001" in html
    assert "低偿" in html or "Low-cost" in html


def test_the_poster_has_an_svg_qr_code_opening_the_absolute_public_url(world, published):
    operating(world, published.station)
    response = Client().get(f"/lists/stations/{published.station_id}/poster/?size=A3")
    html = response.content.decode()
    url = f"http://testserver/lists/stations/{published.station_id}/"
    assert re.search(r"<svg[^>]*class=\"segno\"", html)
    assert url in html
    assert "poster-a3.css" in html and "data-print" in html
    assert f"Version {published.number}" in html or f"第 {published.number} 版" in html
    assert "021-62000001" in html


def test_the_station_manage_page_sends_prices_to_the_lists(world, station_a):
    html = logged_in("a_admin").get(f"/stations/manage/{station_a.pk}/prices/").content.decode()
    assert f'href="/lists/manage/stations/{station_a.pk}/"' in html
    assert 'value="price"' not in html


def test_the_resource_review_is_flagged_when_overdue_and_confirmed_on_the_page(world, published, settings):
    settings.CHECKLIST_RESOURCE_REVIEW_DAYS = 0
    ChecklistVersion.objects.filter(pk=published.pk).update(resources_reviewed_on="2020-01-01")
    client = logged_in("a_admin")
    page = f"/lists/manage/stations/{published.station_id}/"
    assert client.get(page).context["overdue"] is True
    future = client.post(page, {"what": "review", "reviewed_on": "2999-01-01"})
    assert future.context["review_form"].errors["reviewed_on"]
    client.post(page, {"what": "review", "reviewed_on": "2026-01-01"})
    published.refresh_from_db()
    assert str(published.resources_reviewed_on) == "2026-01-01"


def test_the_street_records_a_check_and_the_company_sees_the_open_finding(world, published):
    street = logged_in("hy_officer")
    meals = published.items.get(name="社区助餐")
    room = published.items.get(name="活动室")
    page = f"/lists/manage/stations/{published.station_id}/check/"
    refused = street.post(page, {"checked_on": "2026-01-05", f"result_{meals.pk}": "not_done"})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    assert 'value="not_done"' in refused.content.decode()
    response = street.post(
        page,
        {
            "checked_on": "2026-01-05",
            f"result_{meals.pk}": "not_done",
            f"note_{meals.pk}": "未公示价格",
            f"photo_{meals.pk}": SimpleUploadedFile(
                "现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"
            ),
            f"result_{room.pk}": "done",
        },
    )
    assert response.status_code == 302
    finding = CheckFinding.objects.get(item=meals)
    assert finding.photo and street.get(f"/lists/findings/{finding.pk}/photo/").status_code == 200
    assert logged_in("b_admin").get(f"/lists/findings/{finding.pk}/photo/").status_code == 404
    company = logged_in("a_admin").get(f"/lists/manage/stations/{published.station_id}/")
    assert [f.note for f in company.context["findings"]] == ["未公示价格"]
    assert logged_in("a_admin").get(page).status_code == 403


def _add_duties(world, version, count):
    """``count`` responsible parties in a draft: the first through the service, the others
    copies of it written in bulk (tests/copies.py), each with its own name and position."""
    first = services.add_item(
        version,
        by=world.company_a_admin,
        kind=ListKind.DUTIES,
        name="责任方0",
        party="department",
        duties="督导",
    )

    def numbered(copy, n):
        copy.name, copy.position = f"责任方{n}", first.position + n

    copy_rows([(ChecklistItem, [first])], times=count - 1, start=1, vary=numbered)


def _publish_with_items(world, station, count):
    version = services.start_station_list(station, by=world.company_a_admin)
    _add_duties(world, version, count)
    services.perform(version, "submit", by=world.company_a_admin)
    services.perform(version, "approve", by=world.street_officer)
    return services.perform(version, "publish", by=world.company_a_admin)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [10, 100])
def test_the_public_lists_and_the_poster_cost_fixed_queries(
    world, sample, station_a, count, django_assert_num_queries
):
    operating(world, station_a)
    _publish_with_items(world, station_a, count)
    anonymous = Client()
    with django_assert_num_queries(4):
        anonymous.get(f"/lists/stations/{station_a.pk}/")
    with django_assert_num_queries(4):
        anonymous.get(f"/lists/stations/{station_a.pk}/poster/")


@pytest.mark.parametrize("count", [10, 100])
def test_the_station_lists_and_the_version_page_cost_fixed_queries(
    world, sample, station_a, count, django_assert_num_queries
):
    version = services.start_station_list(station_a, by=world.company_a_admin)
    _add_duties(world, version, count)
    client = logged_in("a_admin")  # logging in reads the scope once; the pages take it from the cache
    with django_assert_num_queries(12):
        client.get(f"/lists/manage/stations/{station_a.pk}/")
    with django_assert_num_queries(8):
        client.get(f"/lists/versions/{version.pk}/")


@pytest.mark.parametrize("count", [10, 100])
def test_the_district_samples_list_costs_fixed_queries(world, count, django_assert_num_queries):
    district = world.regions["310105"]

    def publish_next():
        version = services.start_template(district, by=world.changning_officer)
        if version.number == 1:
            services.add_item(
                version,
                by=world.changning_officer,
                kind=ListKind.DUTIES,
                name="区民政局",
                party="department",
                duties="督导",
            )
        return services.perform(version, "publish_template", by=world.changning_officer)

    # The workflows publish the first and the last version; the ones between are copies of the
    # first with its item (tests/copies.py), numbered in turn, which publishing the last
    # supersedes as it would have superseded each of them.
    first = publish_next()

    def numbered(copy, n):
        if isinstance(copy, ChecklistVersion):
            copy.number = n

    copy_rows(
        [(ChecklistVersion, [first]), (ChecklistItem, first.items.all())],
        times=count - 2,
        start=2,
        vary=numbered,
    )
    publish_next()
    assert ChecklistVersion.objects.filter(region=district, state="superseded").count() == count - 1
    client = logged_in("cn_officer")
    with django_assert_num_queries(5):
        response = client.get("/lists/samples/")
    assert len(response.context["versions"]) == count


def test_the_reviewer_sees_what_changes_from_the_posted_version(world, client, published):
    change = services.start_station_list(published.station, by=world.company_a_admin)
    services.change_item(change.items.get(name="社区助餐"), by=world.company_a_admin, price="14")
    services.perform(change, "submit", by=world.company_a_admin)
    client.force_login(world.street_officer)
    page = client.get(f"/lists/versions/{change.pk}/").content.decode()
    panel = page.split('id="changes"')[1].split("</section>")[0]
    assert "社区助餐" in panel and "<del>12.00</del>" in panel and "<ins>14.00</ins>" in panel
    api = api_client_for(world.street_officer).get(
        f"/api/v1/checklist-versions/{change.pk}/differences/?against=previous"
    )
    assert [(c["item"]["name"], c["fields"][0]["now"]) for c in api.json()["changed"]] == [
        ("社区助餐", "14.00")
    ]
    assert (
        api_client_for(world.street_officer)
        .get(f"/api/v1/checklist-versions/{change.pk}/differences/?against=nonsense")
        .status_code
        == 400
    )

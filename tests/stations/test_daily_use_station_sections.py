"""Issue 15, item 13 and "Companies": the station page in sections people can find, a form per
task with its own list, a refused form back in its own section with the input and the errors
beside the fields; prices with since-when, who approved and the history; completed and
cancelled orders with filters and an Excel export of exactly those rows; each section at a fixed
number of queries."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from checklists import services as checklist_services
from stations import services
from stations.models import ServiceOrder
from tests.checklists.conftest import draft, sample  # noqa: F401
from tests.factories import PASSWORD, make_service_officer

pytestmark = pytest.mark.django_db

SECTIONS = ["orders", "records", "residents", "prices", "publicity", "survey", "station"]


def _workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_every_section_has_its_tab_and_only_its_own_forms(world, station_a):
    client = logged_in("a_admin")
    expected = {
        "orders": ["order"],
        "records": ["log"],
        "residents": ["resident"],
        "prices": [],
        "publicity": ["publicity"],
        "survey": ["survey"],
        "station": ["status", "expenditure"],
    }
    for section in SECTIONS:
        response = client.get(f"/stations/manage/{station_a.pk}/{section}/")
        html = response.content.decode()
        assert response.status_code == 200
        for label in ("工单", "服务记录", "老年人", "价格", "宣传", "满意度", "站点信息"):
            assert f">{label}</a>" in html
        assert html.count('aria-current="page"') == 1
        assert sorted(response.context["forms"]) == sorted(expected[section])


def test_a_refused_form_comes_back_in_its_own_section_with_the_input(world, station_a):
    response = logged_in("a_admin").post(
        f"/stations/manage/{station_a.pk}/",
        {
            "what": "resident",
            "name": "王阿公",
            "id_number": "310105194003152021",  # a wrong check digit
            "address": "华阳路 12 号",
            "community": world.regions["310105001"].pk,
            "living_situation": "alone",
        },
    )
    html = response.content.decode()
    assert response.context["section"] == "residents"
    assert 'value="王阿公"' in html and 'value="华阳路 12 号"' in html
    assert "id_number" in response.context["forms"]["resident"].errors
    assert 'class="field has-errors"' in html


@pytest.fixture
def closed_orders(world, station_a, resident):
    """Two completed cleaning orders by two people and a cancelled meal order."""
    first = make_service_officer("a_staff", world.company_a, name="郑服")
    second = make_service_officer("a_staff2", world.company_a, name="冯护")
    start = timezone.now() - dt.timedelta(hours=3)
    made = []
    for staff, category in ((first, "cleaning"), (second, "cleaning"), (first, "meals")):
        order = services.create_order(
            by=world.company_a_admin, resident=resident, station=station_a, category=category
        )
        services.transition_order(order, "assign", by=world.company_a_admin, staff=staff)
        if category == "meals":
            services.transition_order(order, "cancel", by=world.company_a_admin, reason="不需要了")
        else:
            services.transition_order(
                order,
                "complete",
                by=world.company_a_admin,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=60),
            )
        made.append(order)
    return made, first, second


def test_closed_orders_filter_and_export_exactly_the_filtered_rows(world, station_a, closed_orders):
    orders, first, _second = closed_orders
    client = logged_in("a_admin")
    page = f"/stations/manage/{station_a.pk}/"
    everything = client.get(page)
    assert [o.pk for o in everything.context["closed_orders"]] == [o.pk for o in reversed(orders)]
    query = {"status": "completed", "category": "cleaning", "staff": first.pk}
    filtered = client.get(page, query)
    assert [o.pk for o in filtered.context["closed_orders"]] == [orders[0].pk]
    workbook = _workbook(client.get(page, query | {"export": "xlsx"}))
    rows = [row for row in workbook.active.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [row[0] for row in rows] == [orders[0].pk]
    cancelled = client.get(page, {"status": "cancelled"})
    assert [o.pk for o in cancelled.context["closed_orders"]] == [orders[2].pk]
    today = timezone.localdate()
    nothing = client.get(page, {"taken_from": (today + dt.timedelta(days=1)).isoformat()})
    assert list(nothing.context["closed_orders"]) == []


def test_a_refused_filter_lists_and_exports_nothing(world, station_a, closed_orders):
    client = logged_in("a_admin")
    page = f"/stations/manage/{station_a.pk}/"
    today = timezone.localdate()
    bad = {"taken_from": today.isoformat(), "taken_until": (today - dt.timedelta(days=3)).isoformat()}
    response = client.get(page, bad)
    assert (
        list(response.context["closed_orders"]) == [] and "taken_until" in response.context["filters"].errors
    )
    workbook = _workbook(client.get(page, bad | {"export": "xlsx"}))
    assert not [row for row in workbook.active.iter_rows(values_only=True) if isinstance(row[0], int)]


def test_prices_show_since_when_who_approved_and_the_history(world, draft):  # noqa: F811
    checklist_services.perform(draft, "submit", by=world.company_a_admin)
    checklist_services.perform(draft, "approve", by=world.street_officer)
    checklist_services.perform(draft, "publish", by=world.company_a_admin)
    station = draft.station
    response = logged_in("a_admin").get(f"/stations/manage/{station.pk}/prices/")
    current = [row for _price, row in response.context["current_prices"]]
    assert current and all(row.approved_by == world.street_officer for row in current)
    assert all(row.approving_office == world.huayang_office for row in current)
    assert all(row.posted_by == world.company_a_admin for row in current)
    history = response.context["price_history"]
    # the prices posted before the lists (the test fixture) are closed, kept in the history
    assert any(row.withdrawn_at is not None for row in history)
    assert {(row.category, row.content) for row in current} == set(
        station.prices.values_list("category", "content")
    )
    assert "华阳路街道办事处" in response.content.decode()


def test_a_price_posted_again_unchanged_keeps_its_since_when(world, station_a):
    entry = {"category": "meals", "content": "午餐", "price": "12", "unit": "meal", "level": "low_cost"}
    services.post_prices(station_a, [entry], by=world.company_a_admin)
    first = station_a.price_history.get(withdrawn_at=None)
    services.post_prices(station_a, [entry], by=world.company_a_admin)
    assert station_a.price_history.get(withdrawn_at=None).pk == first.pk
    services.post_prices(station_a, [entry | {"price": "13"}], by=world.company_a_admin)
    current = station_a.price_history.get(withdrawn_at=None)
    assert current.price == 13 and station_a.price_history.get(pk=first.pk).withdrawn_at is not None


def _many_closed_orders(world, station, resident, count):
    staff = make_service_officer(f"s{count}", world.company_a, name=f"员工{count}")
    for _ in range(count):
        order = services.create_order(
            by=world.company_a_admin, resident=resident, station=station, category="meals"
        )
        services.transition_order(order, "assign", by=world.company_a_admin, staff=staff)
        services.transition_order(order, "cancel", by=world.company_a_admin, reason="测试")


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_costs_the_same_queries_at_10_and_40_orders(
    world, station_a, resident, section, django_assert_num_queries
):
    client = logged_in("a_admin")
    url = f"/stations/manage/{station_a.pk}/{section}/"
    _many_closed_orders(world, station_a, resident, 10)
    client.get(url)  # warm the session and the scope
    connection.queries_log.clear()  # the set-up ran thousands: the log keeps only the last 9,000
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    expected = len(small.captured_queries)
    _many_closed_orders(world, station_a, resident, 30)
    client.get(url)  # the new orders' staff and notices may have renewed the cached scope
    connection.queries_log.clear()
    with django_assert_num_queries(expected):
        client.get(url)
    assert ServiceOrder.objects.count() == 40

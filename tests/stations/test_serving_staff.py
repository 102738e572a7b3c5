"""Orders and service records name the staff member who serves (000, issue 11): the choice lists
and the check are the same conditions, completing an order checks them again, a service officer
without a login account can be given orders, and ``staff`` means a staff member's id throughout
the API."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from staff import services as staff_services
from staff.models import MAY_SERVE, RUNS_PUBLICITY, StaffMember, TrainingRecord
from stations import services
from stations.forms import AssignForm, LogServiceForm, PublicityEventForm
from stations.models import OrderStatus, ServiceRecord
from tests.conftest import api_client_for
from tests.factories import make_staff, pass_pre_job
from tests.staff.conftest import pre_job  # noqa: F401 - shared fixture
from tests.stations.test_portal import logged_in

pytestmark = pytest.mark.django_db


def _order(world, station, resident):
    return services.create_order(
        by=world.company_a_admin, resident=resident, station=station, category="meals"
    )


def _second_station(world):
    return services.save_station(
        None,
        by=world.company_a_admin,
        operator=world.company_a,
        region=world.regions["310105001"],
        name="第二站",
        address="x",
        services=["meals"],
    )


@pytest.fixture
def trained(world, pre_job):  # noqa: F811
    """A service officer of 甲物业 who passed the district's pre-job training."""
    member = make_staff(world.company_a, "周服务", roles=["service"])
    staff_services.record_result(
        pre_job, member, by=world.changning_officer, theory_score=80, practical_score=80
    )
    return member


# --- completion checks who serves again ----------------------------------------------------


def test_completing_is_refused_after_the_pre_job_result_is_corrected_to_a_fail(
    world,
    station_a,
    resident,
    trained,
    staff_a,
    pre_job,  # noqa: F811
):
    order = services.transition_order(
        _order(world, station_a, resident), "assign", by=world.company_a_admin, staff=trained
    )
    staff_services.record_result(  # the practical mark was entered wrongly: 60, below the pass mark of 70
        pre_job, trained, by=world.changning_officer, theory_score=80, practical_score=60
    )
    with pytest.raises(ValidationError) as refused:
        services.transition_order(order, "complete", by=world.company_a_admin)
    message = " ".join(refused.value.message_dict["staff"])
    assert "周服务" in message and "岗前培训" in message
    assert (
        str(_("%(reason)s Assign the order to someone else, then complete it.") % {"reason": ""}) in message
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and not ServiceRecord.objects.exists()

    # the officer reassigns it, then it completes in the name of who served
    services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
    services.transition_order(order, "complete", by=world.company_a_admin)
    assert ServiceRecord.objects.get(order=order).staff == staff_a


@pytest.mark.parametrize(("status", "word"), [("left", "离职"), ("suspended", "暂停")])
def test_completing_is_refused_after_the_person_left_or_was_suspended(
    world, station_a, resident, trained, status, word
):
    order = services.transition_order(
        _order(world, station_a, resident), "assign", by=world.company_a_admin, staff=trained
    )
    staff_services.save_staff(trained, by=world.company_a_admin, status=status)
    with pytest.raises(ValidationError) as refused:
        services.transition_order(order, "complete", by=world.company_a_admin)
    assert word in " ".join(refused.value.messages)
    assert not ServiceRecord.objects.exists()


def test_a_service_officer_without_a_login_is_assigned_and_completes_through_the_api(
    world, station_a, resident
):
    member = make_staff(world.company_a, "无账号的服务员", roles=["service"])
    pass_pre_job(member)
    assert member.user is None
    client = api_client_for(world.company_a_admin)
    order = _order(world, station_a, resident)
    assigned = client.post(f"/api/v1/orders/{order.pk}/assign/", {"staff": member.pk}, format="json")
    assert assigned.status_code == 200, assigned.json()
    assert (assigned.json()["staff"], assigned.json()["staff_name"]) == (member.pk, "无账号的服务员")
    done = client.post(f"/api/v1/orders/{order.pk}/complete/", {}, format="json")
    assert done.json()["status"] == "completed"
    assert ServiceRecord.objects.get(order=order).staff == member
    assert member in AssignForm(station=station_a).fields["staff"].queryset


def test_the_portal_offers_staff_members_and_shows_who_serves_and_why_completion_is_refused(
    world,
    station_a,
    resident,
    trained,
    pre_job,  # noqa: F811
):
    client = logged_in("a_admin")
    order = _order(world, station_a, resident)
    page = client.get(f"/stations/manage/{station_a.pk}/").content.decode()
    assert f'<option value="{trained.pk}">周服务</option>' in page
    client.post(f"/stations/orders/{order.pk}/assign/", {"staff": trained.pk})
    order.refresh_from_db()
    assert order.assigned_to == trained
    assert "<td>周服务</td>" in client.get(f"/stations/manage/{station_a.pk}/").content.decode()
    staff_services.record_result(
        pre_job, trained, by=world.changning_officer, theory_score=80, practical_score=10
    )
    start = timezone.localtime() - dt.timedelta(hours=1)
    refused = client.post(
        f"/stations/orders/{order.pk}/complete/",
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        },
    ).content.decode()
    assert "岗前培训" in refused and not ServiceRecord.objects.exists()


def test_a_login_account_is_refused_where_a_staff_member_is_expected(world, station_a, resident, staff_a):
    order = _order(world, station_a, resident)
    with pytest.raises(ValidationError) as refused:
        services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a.user)
    assert refused.value.message_dict["staff"] == [
        _("Choose a staff member from the staff list, not a login account.")
    ]
    client = api_client_for(world.company_a_admin)
    by_name = client.post(
        f"/api/v1/orders/{order.pk}/assign/", {"staff": staff_a.user.username}, format="json"
    )
    assert by_name.status_code == 400
    assert staff_a.user.username in str(by_name.json()["error"]["fields"]["staff"])
    moment = timezone.now() - dt.timedelta(hours=1)
    logged = client.post(
        "/api/v1/service-records/",
        {
            "resident": resident.pk,
            "station": station_a.pk,
            "category": "meals",
            "staff": staff_a.user.username,
            "started_at": moment.isoformat(),
            "ended_at": (moment + dt.timedelta(minutes=20)).isoformat(),
        },
        format="json",
    )
    assert logged.status_code == 400 and "staff" in logged.json()["error"]["fields"]


# --- the choice lists and the check are the same conditions ----------------------------------


def _update(**fields):
    return lambda member, world: StaffMember.objects.filter(pk=member.pk).update(**fields)


def _to_another_company(member, world):
    StaffMember.objects.filter(pk=member.pk).update(employer=world.company_b)


def _move_to_second_station(member, world):
    member.stations.set([_second_station(world)])


def _fail_pre_job(member, world):
    TrainingRecord.objects.filter(staff=member).update(passed=False)


SERVE_BREAKS = {
    "employer": (_to_another_company, "人员名单"),
    "active": (_update(status="suspended"), "暂停"),
    "service_role": (_update(roles=["publicity"]), "不是服务员"),
    "station": (_move_to_second_station, "不在华阳路为老服务站工作"),
    "pre_job": (_fail_pre_job, "岗前培训"),
}


def test_every_serving_condition_is_covered_below():
    assert [c.name for c in MAY_SERVE.conditions] == list(SERVE_BREAKS)


@pytest.mark.parametrize("condition", list(SERVE_BREAKS))
def test_who_is_offered_to_serve_is_who_the_check_lets_serve(world, station_a, condition):
    member = make_staff(world.company_a, "候选服务员", roles=["service"])
    pass_pre_job(member)

    def offered():
        return (
            StaffMember.objects.may_serve(station_a).filter(pk=member.pk).exists(),
            AssignForm(station=station_a).fields["staff"].queryset.filter(pk=member.pk).exists(),
            LogServiceForm(station=station_a).fields["staff"].queryset.filter(pk=member.pk).exists(),
        )

    assert offered() == (True, True, True) and member.serve_refusal(station_a) is None
    breaking, word = SERVE_BREAKS[condition]
    breaking(member, world)
    refusal = member.serve_refusal(station_a)
    assert offered() == (False, False, False)
    assert refusal is not None and word in refusal
    assert [c.name for c in MAY_SERVE.failing(member, station_a)[1]] == [condition]


PUBLICITY_BREAKS = {
    "employer": "人员名单",
    "publicity_role": "不是宣传员",
    "active": "暂停",
}


def test_every_publicity_condition_is_covered_below():
    assert [c.name for c in RUNS_PUBLICITY.conditions] == list(PUBLICITY_BREAKS)


@pytest.mark.parametrize("condition", list(PUBLICITY_BREAKS))
def test_who_is_offered_to_run_publicity_is_who_the_check_accepts(world, station_a, condition):
    member = make_staff(world.company_a, "候选宣传员", roles=["publicity"])

    def offered():
        return (
            StaffMember.objects.publicity_officers(station_a).filter(pk=member.pk).exists(),
            PublicityEventForm(station=station_a).fields["officers"].queryset.filter(pk=member.pk).exists(),
        )

    assert offered() == (True, True) and member.publicity_refusal(station_a) is None
    fields = {
        "employer": {"employer": world.company_b},
        "publicity_role": {"roles": ["service"]},
        "active": {"status": "suspended"},
    }[condition]
    StaffMember.objects.filter(pk=member.pk).update(**fields)
    assert offered() == (False, False)
    assert PUBLICITY_BREAKS[condition] in member.publicity_refusal(station_a)
    with pytest.raises(ValidationError) as refused:
        services.record_publicity(
            by=world.company_a_admin,
            station=station_a,
            officers=[member],
            held_on=timezone.localdate(),
            form="talk",
            topic="防诈骗",
        )
    assert PUBLICITY_BREAKS[condition] in " ".join(refused.value.messages)


# --- one meaning for ``staff`` in the API ------------------------------------------------------


def test_staff_is_a_staff_member_id_in_orders_records_filters_and_exports(
    world, station_a, resident, staff_a
):
    other = make_staff(world.company_a, "另一位服务员", roles=["service"])
    pass_pre_job(other)
    client = api_client_for(world.company_a_admin)
    order = _order(world, station_a, resident)
    body = client.post(f"/api/v1/orders/{order.pk}/assign/", {"staff": staff_a.pk}, format="json").json()
    assert (body["staff"], body["staff_name"]) == (staff_a.pk, staff_a.name)
    assert "assigned_to" not in body
    assert [o["id"] for o in client.get("/api/v1/orders/", {"staff": staff_a.pk}).json()["results"]] == [
        order.pk
    ]
    assert client.get("/api/v1/orders/", {"staff": other.pk}).json()["results"] == []
    listed = client.get(f"/api/v1/orders/{order.pk}/").json()
    assert (listed["staff"], listed["staff_name"]) == (staff_a.pk, staff_a.name)

    client.post(f"/api/v1/orders/{order.pk}/complete/", {}, format="json")
    moment = timezone.now() - dt.timedelta(hours=1)
    logged = client.post(
        "/api/v1/service-records/",
        {
            "resident": resident.pk,
            "station": station_a.pk,
            "category": "care_visit",
            "staff": other.pk,
            "started_at": moment.isoformat(),
            "ended_at": (moment + dt.timedelta(minutes=20)).isoformat(),
        },
        format="json",
    )
    assert logged.status_code == 201, logged.json()
    assert (logged.json()["staff"], logged.json()["staff_name"]) == (other.pk, "另一位服务员")
    records = client.get("/api/v1/service-records/", {"staff": staff_a.pk}).json()["results"]
    assert [(r["staff"], r["staff_name"]) for r in records] == [(staff_a.pk, staff_a.name)]
    # the staff endpoints use the same id
    assert client.get(f"/api/v1/staff/{staff_a.pk}/").json()["name"] == staff_a.name
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get("/api/v1/service-records/export/").streaming_content))
    ).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    names = {row[header.index("服务人员")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {staff_a.name, "另一位服务员"}


def test_the_staff_eligibility_endpoint_needs_no_login_account(world, station_a):
    member = make_staff(world.company_a, "无账号的服务员", roles=["service"])
    client = api_client_for(world.company_a_admin)
    check = client.get(f"/api/v1/staff/{member.pk}/eligibility/", {"station": station_a.pk}).json()
    assert check["allowed"] is False and "岗前培训" in check["reason"]
    pass_pre_job(member)
    assert client.get(f"/api/v1/staff/{member.pk}/eligibility/", {"station": station_a.pk}).json() == {
        "station": station_a.pk,
        "allowed": True,
        "reason": None,
    }


def test_order_and_record_lists_name_the_staff_without_loading_staff_rows(
    world, station_a, resident, staff_a, django_assert_num_queries
):
    """One query a page at 10 and at 100 rows: the name comes with the row (a join on the name
    only), so no staff row with its encrypted columns is loaded or decrypted to print it."""
    client = api_client_for(world.company_a_admin)

    def add(n):
        for i in range(n):
            order = _order(world, station_a, resident)
            services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
            services.transition_order(order, "complete", by=world.company_a_admin)

    add(10)
    client.get("/api/v1/orders/")  # the scope is worked out once per user, then cached
    for size in (10, 100):
        if size == 100:
            add(90)
        with django_assert_num_queries(1):
            orders = client.get("/api/v1/orders/", {"page_size": size}).json()["results"]
        with django_assert_num_queries(1) as captured:
            records = client.get("/api/v1/service-records/", {"page_size": size}).json()["results"]
        assert len(orders) == len(records) == size
        assert {(r["staff"], r["staff_name"]) for r in orders + records} == {(staff_a.pk, staff_a.name)}
        assert 'staff_staffmember"."phone' not in captured.captured_queries[0]["sql"]

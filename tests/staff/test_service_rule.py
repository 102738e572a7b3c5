"""000: only service officers (服务员) who passed a pre-job training (岗前培训) serve."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from staff import services as staff_services
from stations import services
from stations.forms import AssignForm
from tests.conftest import api_client_for
from tests.factories import make_staff, make_user


def _log(world, station, resident, user):
    moment = timezone.now() - dt.timedelta(hours=2)
    return services.log_service(
        by=world.company_a_admin,
        resident=resident,
        station=station,
        category="meals",
        staff=user,
        started_at=moment,
        ended_at=moment + dt.timedelta(minutes=30),
    )


def test_service_officer_is_refused_before_and_allowed_after_passing_pre_job(
    world, station_a, resident, server, pre_job
):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="meals"
    )
    with pytest.raises(ValidationError) as refused:
        services.transition_order(order, "assign", by=world.company_a_admin, staff=server)
    assert "岗前培训" in str(refused.value)
    with pytest.raises(ValidationError):
        _log(world, station_a, resident, server)

    staff_services.record_result(
        pre_job, server, by=world.changning_officer, attended=True, theory_score=75, practical_score=80
    )
    assigned = services.transition_order(order, "assign", by=world.company_a_admin, staff=server)
    assert assigned.assigned_to == server
    assert _log(world, station_a, resident, server).staff == server


def test_failing_either_mark_or_only_special_training_does_not_qualify(
    world, station_a, server, pre_job, special
):
    staff_services.record_result(
        special, server, by=world.changning_officer, theory_score=95, practical_score=95
    )
    assert "岗前培训" in server.serve_refusal(station_a)
    staff_services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=90, practical_score=69
    )
    assert "岗前培训" in server.serve_refusal(station_a)
    staff_services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=90, practical_score=70
    )
    assert server.serve_refusal(station_a) is None


def test_the_refusal_names_everything_that_is_missing(world, station_a):
    user = make_user("a_publicist", world.company_a, "staff")
    publicist = make_staff(world.company_a, "李宣传", roles=["publicity"], user=user)
    reason = publicist.serve_refusal(station_a)
    assert "李宣传" in reason and "不是服务员" in reason and "岗前培训" in reason


def test_people_off_the_list_left_or_at_another_station_are_refused(
    world, station_a, station_b, server, pre_job
):
    staff_services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=80, practical_score=80
    )
    stranger = make_staff(world.company_b, "乙公司的人", roles=["service"])
    assert "人员名单" in stranger.serve_refusal(station_a)
    assert "人员名单" in server.serve_refusal(station_b)  # another operator's station

    other = services.save_station(
        None,
        by=world.company_a_admin,
        operator=world.company_a,
        region=world.regions["310105001"],
        name="第二站",
        address="x",
        services=["meals"],
    )
    staff_services.save_staff(server, by=world.company_a_admin, stations=[other])
    assert "第二站" not in (server.serve_refusal(other) or "")
    assert station_a.name in server.serve_refusal(station_a)

    staff_services.save_staff(server, by=world.company_a_admin, stations=[], status="left")
    assert "已离职" in server.serve_refusal(station_a)


def test_api_assign_says_what_is_missing_and_eligibility_agrees(world, station_a, resident, server, pre_job):
    client = api_client_for(world.company_a_admin)
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="meals"
    )
    response = client.post(f"/api/v1/orders/{order.pk}/assign/", {"staff": server.pk}, format="json")
    assert response.status_code == 400
    assert "岗前培训" in str(response.json()["error"])
    check = client.get(f"/api/v1/staff/{server.pk}/eligibility/", {"station": station_a.pk}).json()
    assert check["allowed"] is False and "岗前培训" in check["reason"]

    staff_services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=80, practical_score=80
    )
    assert (
        client.post(f"/api/v1/orders/{order.pk}/assign/", {"staff": server.pk}, format="json").status_code
        == 200
    )
    assert client.get(f"/api/v1/staff/{server.pk}/eligibility/", {"station": station_a.pk}).json()["allowed"]


def test_only_trained_service_officers_are_offered_in_the_assign_form(world, station_a, server, pre_job):
    assert list(AssignForm(station=station_a).fields["staff"].queryset) == []
    staff_services.record_result(
        pre_job, server, by=world.changning_officer, theory_score=80, practical_score=80
    )
    assert list(AssignForm(station=station_a).fields["staff"].queryset) == [server]

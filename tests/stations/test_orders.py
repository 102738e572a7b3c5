"""Orders (点菜式): transitions, fee snapshots, emergency response time, direct logging, ratings,
overdue care visits, publicity, surveys and the separate revenue account."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from stations import services
from stations.models import OrderStatus, PublicityEvent, Resident, ServiceRecord, Survey, SurveyResponse
from tests.factories import make_staff, pass_pre_job

pytestmark = pytest.mark.django_db


def _post(station, by, category, price, unit):
    level = "free" if Decimal(price) == 0 else "market"
    services.post_prices(
        station, [{"category": category, "price": price, "unit": unit, "level": level}], by=by
    )


def test_order_goes_requested_assigned_completed_with_the_price_it_was_placed_at(
    world, station_a, resident, staff_a
):
    _post(station_a, world.company_a_admin, "cleaning", "45.00", "hour")
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="cleaning"
    )
    order = services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
    _post(station_a, world.company_a_admin, "cleaning", "50.00", "hour")  # the price goes up
    start = timezone.now() - dt.timedelta(hours=2)  # an end in the future is refused
    order = services.transition_order(
        order,
        "complete",
        by=world.company_a_admin,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=90),
        notes="擦窗",
    )
    record = ServiceRecord.objects.get(order=order)
    assert order.status == OrderStatus.COMPLETED
    # the price of the order (45.00 per hour) times 1.5 hours, not the flat price of today
    assert (record.unit_price, record.quantity, record.fee, record.fee_unit, record.duration_minutes) == (
        Decimal("45.00"),
        Decimal("1.50"),
        Decimal("67.50"),
        "hour",
        90,
    )
    assert record.staff == staff_a
    # A later price change does not touch the record.
    _post(station_a, world.company_a_admin, "cleaning", "60.00", "hour")
    record.refresh_from_db()
    assert record.fee == Decimal("67.50")
    # Completing again (a double click) changes nothing; cancelling a completed order is refused.
    services.transition_order(order, "complete", by=world.company_a_admin)
    assert ServiceRecord.objects.filter(order=order).count() == 1
    with pytest.raises(ValidationError):
        services.transition_order(order, "cancel", by=world.company_a_admin, reason="x")


def test_forbidden_order_transitions(world, station_a, resident, staff_a):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="meals"
    )
    with pytest.raises(ValidationError):
        services.transition_order(order, "complete", by=world.company_a_admin)
    with pytest.raises(ValidationError) as caught:
        services.transition_order(order, "cancel", by=world.company_a_admin, reason=" ")
    assert "reason" in caught.value.message_dict
    outsider = make_staff(world.company_b, "乙公司服务员", roles=["service"])  # another operator's person
    pass_pre_job(outsider)
    with pytest.raises(ValidationError):
        services.transition_order(order, "assign", by=world.company_a_admin, staff=outsider)
    with pytest.raises(PermissionDenied):
        services.transition_order(order, "assign", by=world.company_b_admin, staff=staff_a)
    order = services.transition_order(order, "cancel", by=world.company_a_admin, reason="老人住院")
    assert (order.status, order.cancel_reason) == ("cancelled", "老人住院")


def test_order_workflow_offers_actions_with_reasons_takes_only_its_inputs_and_audits(
    world, station_a, resident, staff_a
):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="meals"
    )
    assert services.ORDERS.allowed_names(order, world.company_a_admin) == ["assign", "cancel"]
    refused = services.ORDERS.available(order, world.company_b_admin, include_refused=True)
    assert [(a.name, a.allowed) for a in refused] == [("assign", False), ("cancel", False)]
    assert all(a.reason for a in refused)
    with pytest.raises(ValidationError) as caught:  # an input the step does not take
        services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a, reason="x")
    assert "reason" in caught.value.message_dict
    order = services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
    assert services.ORDERS.allowed_names(order, world.company_a_admin) == ["assign", "complete", "cancel"]
    services.transition_order(order, "complete", by=world.company_a_admin)
    services.transition_order(order, "complete", by=world.company_a_admin)  # a double click
    entries = AuditEntry.objects.filter(action__startswith="transition:", object_id=str(order.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["transition:assign", "transition:complete"]


def test_order_rules_service_offered_and_resident_served(world, station_a, station_b, resident):
    with pytest.raises(ValidationError):  # station B does not serve this resident
        services.create_order(
            by=world.company_b_admin, resident=resident, station=station_b, category="meals"
        )
    with pytest.raises(ValidationError):  # station A does not offer bathing
        services.create_order(
            by=world.company_a_admin, resident=resident, station=station_a, category="bathing"
        )


def test_emergency_order_records_response_time(world, station_a, resident, staff_a):
    order = services.create_order(
        by=world.company_a_admin, resident=resident, station=station_a, category="emergency", channel="api"
    )
    assert order.is_emergency
    type(order).objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(minutes=22))
    services.transition_order(order, "assign", by=world.company_a_admin, staff=staff_a)
    started = timezone.now() - dt.timedelta(minutes=10)  # a service lasts some time
    services.transition_order(
        order, "complete", by=world.company_a_admin, started_at=started, ended_at=timezone.now()
    )
    assert ServiceRecord.objects.get(order=order).response_minutes in (11, 12)


def test_rating_is_one_to_five(world, station_a, resident, staff_a):
    now = timezone.now()
    record = services.log_service(
        by=world.company_a_admin,
        resident=resident,
        station=station_a,
        category="care_visit",
        staff=staff_a,
        started_at=now - dt.timedelta(minutes=30),
        ended_at=now,
    )
    assert services.rate_record(record, by=world.company_a_admin, rating=5).rating == 5
    for bad in (0, 6, "5"):
        with pytest.raises(ValidationError):
            services.rate_record(record, by=world.company_a_admin, rating=bad)


def test_overdue_care_visits_list_residents_living_alone(world, station_a, resident, staff_a):
    residents = Resident.objects.visible_to(world.company_a_admin)
    assert [r.pk for r in services.overdue_care_visits(residents)] == [resident.pk]  # never visited
    visit = timezone.now() - dt.timedelta(days=3)
    services.log_service(
        by=world.company_a_admin,
        resident=resident,
        station=station_a,
        category="care_visit",
        staff=staff_a,
        started_at=visit,
        ended_at=visit + dt.timedelta(minutes=20),
    )
    assert services.overdue_care_visits(residents) == []
    in_ten_days = timezone.localdate() + dt.timedelta(days=10)
    overdue = services.overdue_care_visits(residents, today=in_ten_days)
    assert [r.pk for r in overdue] == [resident.pk] and overdue[0].days_overdue == 6  # due 4 days from now
    services.update_resident(resident, by=world.company_a_admin, care_visit_interval_days=30)
    assert services.overdue_care_visits(residents, today=in_ten_days) == []


def test_survey_response_scores_and_averages(world, station_a):
    survey = Survey.objects.create(
        title="2025 年满意度调查",
        region=world.regions["310105"],
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 10),
        questions=["服务态度", "服务质量", "价格"],
    )
    services.add_survey_response(
        by=world.company_a_admin,
        survey=survey,
        station=station_a,
        scores=[5, 4, 3],
        submitted_on=dt.date(2025, 11, 1),
    )
    services.add_survey_response(
        by=world.company_a_admin,
        survey=survey,
        station=station_a,
        scores=[5, 5, 5],
        submitted_on=dt.date(2025, 11, 2),
    )
    with pytest.raises(ValidationError):
        services.add_survey_response(
            by=world.company_a_admin,
            survey=survey,
            station=station_a,
            scores=[5, 5],
            submitted_on=dt.date(2025, 11, 2),
        )
    with pytest.raises(ValidationError):
        services.add_survey_response(
            by=world.company_a_admin,
            survey=survey,
            station=station_a,
            scores=[5, 5, 5],
            submitted_on=dt.date(2026, 1, 2),
        )

    row = services.survey_averages(SurveyResponse.objects.all()).get()
    assert (row["responses"], round(row["average"], 2)) == (2, Decimal("4.50"))


def test_revenue_per_station_per_month_comes_from_records_only(world, station_a, resident, staff_a):
    _post(station_a, world.company_a_admin, "meals", "12.00", "meal")
    for day in (dt.datetime(2025, 8, 5, 11), dt.datetime(2025, 8, 20, 11), dt.datetime(2025, 9, 1, 11)):
        start = timezone.make_aware(day)
        services.log_service(
            by=world.company_a_admin,
            resident=resident,
            station=station_a,
            category="meals",
            staff=staff_a,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=30),
        )
    rows = list(services.monthly_revenue(ServiceRecord.objects.all()))
    assert [(r["month"].month, r["services"], r["revenue"]) for r in rows] == [
        (8, 2, Decimal("24.00")),
        (9, 1, Decimal("12.00")),
    ]


def test_publicity_events_are_run_by_the_operators_publicity_officers(world, station_a):
    publicist = make_staff(world.company_a, "宣传员小王", roles=["publicity"])
    server = make_staff(world.company_a, "服务员小李", roles=["service"])
    outsider = make_staff(world.company_b, "乙物业宣传员", roles=["publicity"])
    event = services.record_publicity(
        by=world.company_a_admin,
        station=station_a,
        held_on=dt.date(2025, 8, 15),
        form="talk",
        topic="防诈骗讲座",
        participants=30,
        officers=[publicist],
    )
    assert list(event.officers.all()) == [publicist]
    for wrong, says in ((server, "不是宣传员"), (outsider, "不在甲物业")):
        with pytest.raises(ValidationError) as refused:
            services.record_publicity(
                by=world.company_a_admin,
                station=station_a,
                held_on=dt.date(2025, 8, 16),
                form="board",
                topic="x",
                officers=[wrong],
            )
        assert says in str(refused.value), refused.value

    assert PublicityEvent.objects.count() == 1  # the refused event left nothing behind

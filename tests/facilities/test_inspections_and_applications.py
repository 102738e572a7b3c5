"""Inspections and violations (closed only by a later inspection), alterations only with an
approval, and the use procedure of 004 三 with who may take each step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from facilities import services
from facilities.models import ApplicationStep, CareRoom, EntrustmentAgreement, Violation
from tests.conftest import api_client_for

from .conftest import make_room


@pytest.fixture
def room(nanan):
    return make_room(nanan, handed_over_on=dt.date(2024, 3, 1))


def _inspect(nanan, room, day, violations=(), by=None):
    return services.record_inspection(
        by=by or nanan.ximei_officer,
        room=room,
        inspected_on=day,
        findings="现场检查",
        violations=list(violations),
    )


def test_a_violation_is_closed_only_by_a_later_inspection_of_the_same_room(nanan, room):
    first = _inspect(
        nanan,
        room,
        dt.date(2025, 9, 1),
        [{"kind": "illegally_let", "description": "出租给棋牌室", "rectify_by": dt.date(2025, 10, 31)}],
    )
    violation = Violation.objects.get()
    assert violation.state == "open" and violation.found_in == first
    same_day = _inspect(nanan, room, dt.date(2025, 9, 1))
    with pytest.raises(ValidationError):
        services.close_violation(violation, by=nanan.ximei_officer, inspection=same_day)
    other_room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1), location="5 号楼")
    elsewhere = _inspect(nanan, other_room, dt.date(2025, 10, 5))
    with pytest.raises(ValidationError):
        services.close_violation(violation, by=nanan.ximei_officer, inspection=elsewhere)
    services.update_violation(violation, by=nanan.ximei_officer, action_taken="已通知承租方搬离")
    assert Violation.objects.get().state == "rectifying"
    later = _inspect(nanan, room, dt.date(2025, 10, 30))
    with pytest.raises(PermissionDenied):  # another town
        services.close_violation(violation, by=nanan.liucheng_officer, inspection=later)
    closed = services.close_violation(
        violation, by=nanan.ximei_officer, inspection=later, action_taken="已收回"
    )
    assert (closed.state, closed.closed_in) == ("closed", later)
    again = services.close_violation(closed, by=nanan.ximei_officer, inspection=later)
    assert again.closed_in == later  # a double click changes nothing


def test_inspection_input_is_checked(nanan, room):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        _inspect(nanan, room, tomorrow)
    with pytest.raises(ValidationError):  # deadline before the inspection
        _inspect(nanan, room, dt.date(2025, 9, 1), [{"kind": "sold", "rectify_by": dt.date(2025, 8, 1)}])
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00" + b"\0" * 200, content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.record_inspection(
            by=nanan.ximei_officer, room=room, inspected_on=dt.date(2025, 9, 1), findings="x", photos=[fake]
        )
    assert not room.inspections.exists()


def test_change_of_use_is_recorded_only_with_its_approval(nanan, room):
    with pytest.raises(ValidationError):
        services.record_alteration(
            by=nanan.bureau_officer,
            room=room,
            kind="change_of_use",
            description="改为党群服务站",
            approval_number="",
            approved_by="",
            approved_on=None,
        )
    done = services.record_alteration(
        by=nanan.bureau_officer,
        room=room,
        kind="rebuild",
        description="加装无障碍坡道",
        approval_number="南民〔2025〕12号",
        approved_by="南安市民政局",
        approved_on=dt.date(2025, 8, 1),
    )
    assert done.recorded_by == nanan.bureau_officer


def test_the_use_procedure_step_by_step_with_who_may_take_each(nanan, room):
    application = services.start_application(by=nanan.ximei_officer, room=room, text="已与市民政局初步对接")
    assert application.town == nanan.ximei_office and application.status == "contacted"
    with pytest.raises(ValidationError):  # one live application per room
        services.start_application(by=nanan.ximei_officer, room=room)

    act = services.act_on_application
    with pytest.raises(PermissionDenied):  # the bureau does not apply for the town
        act(application, "apply", by=nanan.bureau_officer, operating_mode="property_care", services="助餐")
    with pytest.raises(PermissionDenied):  # nor does another town
        act(application, "apply", by=nanan.liucheng_officer, operating_mode="property_care", services="助餐")
    with pytest.raises(ValidationError):  # what 004 requires is missing
        act(application, "apply", by=nanan.ximei_officer)
    application = act(
        application,
        "apply",
        by=nanan.ximei_officer,
        operating_mode="property_care",
        services="助餐、日间照料",
        text="申请",
    )
    assert (application.residents, application.elderly_residents, application.room_area) == (
        2400,
        310,
        room.area,
    )
    assert Notification.objects.filter(recipient=nanan.bureau_officer).exists()

    with pytest.raises(PermissionDenied):
        act(application, "survey", by=nanan.ximei_officer, text="自己踏勘")
    with pytest.raises(ValidationError):  # an opinion is written down
        act(application, "survey", by=nanan.bureau_officer, text="")
    with pytest.raises(ValidationError):  # steps in order
        act(application, "sign", by=nanan.bureau_officer, number="WT-1")
    act(application, "survey", by=nanan.bureau_officer, text="现场踏勘，同意物业+养老模式")
    with pytest.raises(ValidationError):
        act(application, "approve", by=nanan.bureau_officer)
    act(
        application,
        "approve",
        by=nanan.bureau_officer,
        city_approval_number="南政文〔2025〕88号",
        city_approved_on=dt.date(2025, 9, 10),
    )
    act(application, "sign", by=nanan.bureau_officer, number="WT-2025-001", signed_on=dt.date(2025, 9, 20))
    agreement = EntrustmentAgreement.objects.get()
    assert (agreement.starts_on, agreement.ends_on) == (
        dt.date(2025, 9, 20),
        dt.date(2028, 9, 19),
    )  # three years
    assert agreement.free_of_charge and agreement.town == nanan.ximei_office
    with pytest.raises(PermissionDenied):
        act(application, "operate", by=nanan.bureau_officer)
    application = act(application, "operate", by=nanan.ximei_officer, operating_since=dt.date(2025, 10, 8))
    assert application.status == "operating"
    room = CareRoom.objects.get(pk=room.pk)
    assert (room.operating_state, room.operating_since, room.operating_mode) == (
        "operating",
        dt.date(2025, 10, 8),
        "property_care",
    )
    steps = list(
        ApplicationStep.objects.filter(application=application).values_list("action", "actor__username")
    )
    assert steps == [
        ("contact", "ximei_officer"),
        ("apply", "ximei_officer"),
        ("survey", "na_officer"),
        ("approve", "na_officer"),
        ("sign", "na_officer"),
        ("operate", "ximei_officer"),
    ]
    assert services.USE_APPLICATIONS.available(application, nanan.bureau_officer) == []


def test_agreements_nearing_their_end_are_listed(nanan, room):
    application = services.start_application(by=nanan.ximei_officer, room=room)
    services.act_on_application(
        application, "apply", by=nanan.ximei_officer, operating_mode="day_care", services="日间照料"
    )
    services.act_on_application(application, "survey", by=nanan.bureau_officer, text="同意")
    services.act_on_application(
        application,
        "approve",
        by=nanan.bureau_officer,
        city_approval_number="N-1",
        city_approved_on=dt.date(2023, 1, 1),
    )
    today = timezone.localdate()
    services.act_on_application(
        application,
        "sign",
        by=nanan.bureau_officer,
        number="WT-OLD",
        starts_on=today - dt.timedelta(days=1000),
        ends_on=today + dt.timedelta(days=30),
    )
    assert [a.number for a in services.expiring_agreements()] == ["WT-OLD"]
    assert services.expiring_agreements(today=today - dt.timedelta(days=100)).count() == 0


def test_closing_with_an_inspection_of_another_town_reads_as_not_found(nanan):
    """The inspection offered to close a violation is looked up within what the user may see:
    another town's inspection answers exactly like one that does not exist."""

    ours = make_room(nanan, handed_over_on=dt.date(2025, 1, 10))
    theirs = make_room(nanan, compound=nanan.other_compound, handed_over_on=dt.date(2025, 1, 10))
    found = services.record_inspection(
        by=nanan.ximei_officer,
        room=ours,
        inspected_on=dt.date(2025, 9, 1),
        findings="空置",
        violations=[{"kind": "built_unused", "rectify_by": dt.date(2025, 12, 1)}],
    )
    elsewhere = services.record_inspection(
        by=nanan.liucheng_officer, room=theirs, inspected_on=dt.date(2025, 10, 1), findings="正常"
    )
    violation = found.violations.get()
    client = api_client_for(nanan.ximei_officer)
    url = f"/api/v1/room-violations/{violation.pk}/close/"
    hidden = client.post(url, {"inspection": elsewhere.pk}, format="json")
    missing = client.post(url, {"inspection": 10**9}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["error"]["fields"]["inspection"] == [
        message.replace(str(10**9), str(elsewhere.pk))
        for message in missing.json()["error"]["fields"]["inspection"]
    ]
    violation.refresh_from_db()
    assert violation.state != "closed"

"""The use procedure and violations as declared workflows: translated labels on the page and in
the history, a double click changes nothing, the state of a closed violation is final."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from accounts.models import AuditEntry, Notification
from facilities import services
from facilities.models import ApplicationStep, Violation
from tests.factories import PASSWORD

from .conftest import make_room

pytestmark = pytest.mark.django_db

APPLY = {"operating_mode": "property_care", "services": "助餐、日间照料"}


@pytest.fixture
def room(nanan):
    return make_room(nanan, handed_over_on=dt.date(2024, 3, 1))


@pytest.fixture
def application(nanan, room):
    return services.start_application(by=nanan.ximei_officer, room=room, text="已与市民政局初步对接")


def test_a_double_click_on_a_step_records_it_once_and_tells_the_bureau_once(nanan, application):
    services.act_on_application(application, "apply", by=nanan.ximei_officer, text="申请", **APPLY)
    again = services.act_on_application(application, "apply", by=nanan.ximei_officer, text="申请", **APPLY)
    assert again.status == "applied"
    assert ApplicationStep.objects.filter(application=application, action="apply").count() == 1
    assert Notification.objects.filter(recipient=nanan.bureau_officer).count() == 1
    assert AuditEntry.objects.filter(action="transition:apply", object_id=str(application.pk)).count() == 1


def test_the_page_offers_the_steps_and_the_history_by_their_translated_labels(nanan, application):
    services.act_on_application(application, "apply", by=nanan.ximei_officer, text="申请", **APPLY)
    application.refresh_from_db()
    assert services.USE_APPLICATIONS.allowed_names(application, nanan.bureau_officer) == ["survey", "reject"]
    assert services.USE_APPLICATIONS.allowed_names(application, nanan.ximei_officer) == ["withdraw"]
    client = Client()
    client.login(username="na_officer", password=PASSWORD)
    page = client.get(f"/facilities/applications/{application.pk}/").content.decode()
    flow = services.USE_APPLICATIONS
    with translation.override("zh-hans"):
        expected = [str(flow.label("survey")), str(flow.step_label("apply")), str(flow.step_label("contact"))]
        expected.append(str(flow.state_label("applied")))
    for text in expected:
        assert escape(text) in page, text
    assert "apply →" not in page and "→ applied" not in page


def _inspect(nanan, room, day, violations=()):
    return services.record_inspection(
        by=nanan.ximei_officer, room=room, inspected_on=day, findings="现场检查", violations=list(violations)
    )


def test_a_closed_violation_takes_no_further_step(nanan, room):
    _inspect(
        nanan,
        room,
        dt.date(2025, 9, 1),
        [{"kind": "illegally_let", "description": "出租给棋牌室", "rectify_by": dt.date(2025, 10, 31)}],
    )
    violation = Violation.objects.get()
    assert services.VIOLATIONS.allowed_names(violation, nanan.ximei_officer) == ["update", "close"]
    assert services.VIOLATIONS.available(violation, nanan.liucheng_officer) == []
    later = _inspect(nanan, room, dt.date(2025, 10, 30))
    services.close_violation(violation, by=nanan.ximei_officer, inspection=later, action_taken="已收回")
    with pytest.raises(ValidationError) as caught:
        services.update_violation(violation, by=nanan.ximei_officer, action_taken="改写")
    assert caught.value.code == "invalid_state"
    violation.refresh_from_db()
    assert (violation.state, violation.action_taken) == ("closed", "已收回")
    assert AuditEntry.objects.filter(action="transition:close", object_id=str(violation.pk)).count() == 1

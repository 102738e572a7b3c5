"""One English word, two senses, two translations (issue 15, item 4): a use application's
``services`` are the services it offers (服务内容), not a number of services (服务次数)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from facilities.models import UseApplication, ViolationState
from reports.evaluation.catalogue import INDICATORS
from staff.models import StaffMember, StaffStatus
from stations.models import StationStatus
from tests.facilities.conftest import (
    make_room,  # noqa: F401 - the ``nanan`` fixture's helper
    nanan,  # noqa: F401 - fixture
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_use_application_page_calls_its_services_service_content_not_a_count(nanan):  # noqa: F811
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    town = Client()
    assert town.login(username="ximei_officer", password=PASSWORD)
    town.post(f"/facilities/rooms/{room.pk}/", {"what": "start", "text": "初步对接"})
    application = UseApplication.objects.get()
    town.post(
        f"/facilities/applications/{application.pk}/",
        {"action": "apply", "operating_mode": "property_care", "services": "助餐、助洁", "residents": 2400},
    )
    page = town.get(f"/facilities/applications/{application.pk}/").content.decode()
    assert "助餐、助洁" in page
    assert "服务内容" in page
    assert "服务次数" not in page


def test_counts_of_services_keep_their_own_word():
    with translation.override("zh-hans"):
        assert translation.pgettext("count", "services") == "服务次数"
        assert translation.pgettext("service content", "services offered") == "服务内容"
        assert str(UseApplication._meta.get_field("services").verbose_name) == "服务内容"


def test_a_person_is_not_suspended_like_a_station_and_has_a_full_name():
    with translation.override("zh-hans"):
        assert str(StationStatus.SUSPENDED.label) == "暂停运营"
        assert str(StaffStatus.SUSPENDED.label) != "暂停运营"
        assert str(StaffMember._meta.get_field("name").verbose_name) == "姓名"
        assert str(ViolationState.CLOSED.label) == "已销号"


def test_an_indicator_unit_is_a_unit_of_count():
    units = {indicator.code: indicator.unit for indicator in INDICATORS}
    with translation.override("zh-hans"):
        assert str(units["violations_open"]) == "处"

"""Fixtures of the five lists: 长宁's published sample, and station lists in each state."""

import pytest
from django.utils import translation

from checklists import services
from checklists.models import ListKind
from tests.stations.conftest import station_a, station_b  # noqa: F401

SAMPLE = [
    (
        ListKind.SERVICES,
        {"name": "社区助餐", "category": "meals", "price": "12", "unit": "meal", "level": "low_cost"},
    ),
    (
        ListKind.SERVICES,
        {"name": "上门助洁", "category": "cleaning", "price": "45", "unit": "hour", "level": "market"},
    ),
    (
        ListKind.SERVICES,
        {"name": "关爱探访", "category": "care_visit", "price": "0", "unit": "time", "level": "free"},
    ),
    (ListKind.FACILITIES, {"name": "活动室", "place": "会所一楼", "area": "80", "capacity": 30}),
    (
        ListKind.POLICIES,
        {
            "name": "居家养老服务补贴",
            "issuer": "区民政局",
            "eligibility": "经评估的困难老人",
            "benefit": "服务补贴",
        },
    ),
    (ListKind.RESOURCES, {"name": "睦邻志愿服务队", "resource_kind": "volunteer_team", "offer": "结对关爱"}),
    (ListKind.DUTIES, {"name": "物业服务企业", "party": "property_company", "duties": "按清单提供服务"}),
]


@pytest.fixture(autouse=True)
def _english():
    """The rule tests match the English messages, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def sample(world):
    """长宁's district sample, version 1, published by the district bureau."""
    version = services.start_template(world.regions["310105"], by=world.changning_officer)
    for kind, values in SAMPLE:
        services.add_item(version, by=world.changning_officer, kind=kind, **values)
    return services.perform(version, "publish_template", by=world.changning_officer)


@pytest.fixture
def draft(world, sample, station_a):  # noqa: F811
    """Company A's first version of station A's lists, a draft copied from the sample."""
    return services.start_station_list(station_a, by=world.company_a_admin)


def publish(world, version):
    """Company A submits ``version`` of station A's lists, 华阳路 approves it, company A posts it."""
    services.perform(version, "submit", by=world.company_a_admin)
    services.perform(version, "approve", by=world.street_officer)
    return services.perform(version, "publish", by=world.company_a_admin)


def add_day_care(by, version):
    return services.add_item(
        version,
        by=by,
        kind=ListKind.SERVICES,
        name="日间照护",
        category="day_care",
        price="80",
        unit="day",
        level="low_cost",
    )


@pytest.fixture
def published(world, draft):
    """Station A's lists submitted, approved by 华阳路 and published."""
    return publish(world, draft)

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from pilots import services
from pilots.models import Milestone, Mode, Phase, PhaseKind, Programme, ProgrammeQuota
from tests.factories import OrganizationFactory, make_user

FULL_FORM = {
    "site_address": "华阳路 1 号",
    "unit_introduction": "成熟物业服务企业",
    "project_lead": "张三",
    "phone": "021-12345678",
    "background": "小区老年人多",
    "goals": "助餐助洁",
    "execution_plan": "分三步实施",
    "guarantee_premises": "100 平方米",
    "guarantee_resources": "社区资源",
    "guarantee_staff": "专职 5 人",
    "guarantee_funds": "企业自筹",
}


@pytest.fixture
def call(world):
    """A 001-style call of 长宁区民政局 whose application window is open today."""
    today = timezone.localdate()
    programme = Programme.objects.create(
        title="居家社区养老服务改革试点征集",
        document_number="长民〔2025〕6号",
        mode=Mode.CALL,
        region=world.regions["310105"],
        announced_at=timezone.now(),
    )
    programme.issuers.add(world.changning_bureau)
    ProgrammeQuota.objects.create(programme=programme, pilot_type="property_care", quota=2)
    ProgrammeQuota.objects.create(programme=programme, pilot_type="mutual_aid", quota=3)
    Phase.objects.create(
        programme=programme,
        kind=PhaseKind.APPLICATION,
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=5),
    )
    Phase.objects.create(
        programme=programme,
        kind=PhaseKind.IMPLEMENTATION,
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=150),
    )
    Milestone.objects.create(
        programme=programme,
        phase=PhaseKind.IMPLEMENTATION,
        name="站点 8 月底前运营",
        due_on=today + dt.timedelta(days=60),
        evidence="站点照片和开放时间公示",
    )
    return programme


@pytest.fixture
def draft(world, call):
    return services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **FULL_FORM,
    )


@pytest.fixture
def other_street_officer(world):
    office = OrganizationFactory(
        kind="street_office", name="仙霞新村街道办事处", region=world.regions["310105008"]
    )
    return make_user("xx_officer", office, Role.OFFICER)

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from facilities import services
from facilities.models import Campaign
from tests.factories import OrganizationFactory, make_user


@pytest.fixture
def nanan(world):
    """南安市: the bureau, two town governments with an officer each, the 2025 campaign and a
    compound in 溪美街道 (004)."""
    n = SimpleNamespace()
    n.county = world.regions["350583"]
    n.ximei = world.regions["350583001"]
    n.liucheng = world.regions["350583002"]
    n.ximei_office = OrganizationFactory(kind="street_office", name="溪美街道办事处", region=n.ximei)
    n.liucheng_office = OrganizationFactory(kind="street_office", name="柳城街道办事处", region=n.liucheng)
    n.ximei_officer = make_user("ximei_officer", n.ximei_office, "officer")
    n.liucheng_officer = make_user("liucheng_officer", n.liucheng_office, "officer")
    n.bureau_officer = world.nanan_officer
    n.campaign = Campaign.objects.create(
        region=n.county,
        title="新建住宅小区养老服务用房运营管理",
        document_number="南政办〔2025〕34号",
        starts_on=dt.date(2025, 6, 1),
        existing_deadline=dt.date(2027, 12, 31),
        new_handover_months=12,
    )
    n.compound = services.save_compound(
        None,
        by=n.ximei_officer,
        name="溪美花园",
        region=n.ximei,
        households=800,
        residents=2400,
        elderly_residents=310,
        developer="溪美置业有限公司",
    )
    n.other_compound = services.save_compound(
        None, by=n.liucheng_officer, name="柳城新村", region=n.liucheng, residents=1200, elderly_residents=150
    )
    return n


def make_room(nanan, *, compound=None, handed_over_on=None, operating_since=None, by=None, **fields):
    compound = compound or nanan.compound
    details = {
        "location": fields.pop("location", "3 号楼一层"),
        "area": fields.pop("area", Decimal("180")),
        "built_on": fields.pop("built_on", dt.date(2023, 5, 1)),
    }
    if handed_over_on:
        details.update(
            handover_state="handed_over",
            handed_over_on=handed_over_on,
            handover_number=f"YJ-{handed_over_on:%Y%m%d}",
        )
    if operating_since:
        details.update(
            operating_state="operating", operating_since=operating_since, operating_mode="property_care"
        )
    details.update(fields)
    return services.save_room(None, by=by or nanan.bureau_officer, compound=compound, **details)

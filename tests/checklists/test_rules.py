"""The rules of the five lists and of posted prices, through the services every road calls."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry, Notification, Role
from checklists import services
from checklists.models import (
    CheckFinding,
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    ListKind,
    VersionState,
)
from stations import services as station_services
from stations.models import Floor, ServiceRecord, StationPrice
from tests.checklists.conftest import add_day_care, publish
from tests.factories import OrganizationFactory, make_service_officer, make_user
from tests.stations.conftest import CHANGNING_ID

pytestmark = pytest.mark.django_db


def _stored(version):
    return sorted(
        (item.kind, item.name, item.price) for item in ChecklistItem.objects.filter(version=version)
    )


# --- the district sample --------------------------------------------------------------------------


def test_a_new_sample_version_keeps_the_old_one(world, sample):
    second = services.start_template(world.regions["310105001"], by=world.changning_officer)
    assert (second.region.code, second.number, second.state) == ("310105", 2, VersionState.DRAFT)
    assert _stored(second) == _stored(sample)
    services.change_item(second.items.get(name="社区助餐"), by=world.changning_officer, price="13")
    services.perform(second, "publish_template", by=world.changning_officer)
    sample.refresh_from_db()
    assert sample.state == VersionState.SUPERSEDED and sample.superseded_at is not None
    assert sample.items.get(name="社区助餐").price == Decimal("12.00")  # kept as it was
    assert services.current_template(world.regions["310105001"]) == second


def test_only_the_district_bureau_issues_its_sample(world):
    for outsider in (
        world.street_officer,
        world.nanan_officer,
        world.company_a_admin,
        world.changning_viewer,
    ):
        with pytest.raises(PermissionDenied):
            services.start_template(world.regions["310105"], by=outsider)
    assert not ChecklistVersion.objects.exists()


def test_an_empty_sample_cannot_be_published(world):
    version = services.start_template(world.regions["310105"], by=world.changning_officer)
    with pytest.raises(ValidationError, match="no items"):
        services.perform(version, "publish_template", by=world.changning_officer)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_a_published_sample_is_not_edited(world, sample):
    with pytest.raises(ValidationError, match="Start a new version"):
        services.add_item(
            sample,
            by=world.changning_officer,
            kind=ListKind.DUTIES,
            name="居委会",
            party="street",
            duties="x",
        )


# --- items: bad input is refused with what to fix, nothing stored changes -----------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (
            {"name": "社区助餐", "category": "meals", "price": "12", "unit": "meal", "level": "low_cost"},
            "name",
        ),
        ({"name": "助浴", "category": "bathing", "price": "-5", "unit": "time", "level": "market"}, "price"),
        ({"name": "助浴", "category": "bathing", "price": "60", "unit": "", "level": "market"}, "unit"),
        ({"name": "助浴", "category": "bathing", "price": "abc", "unit": "time", "level": "market"}, "price"),
        ({"name": "助浴", "category": "bathing", "price": "60", "unit": "time", "level": "free"}, "level"),
        ({"name": "助浴", "category": "bathing", "price": "0", "unit": "time", "level": "market"}, "level"),
        (
            {"name": "助浴", "category": "bathing", "price": "60.123", "unit": "time", "level": "market"},
            "price",
        ),
        ({"name": "", "category": "bathing", "price": "60", "unit": "time", "level": "market"}, "name"),
        ({"name": "助浴", "category": "spa", "price": "60", "unit": "time", "level": "market"}, "category"),
        (
            {
                "name": "助浴",
                "category": "bathing",
                "price": "60",
                "unit": "time",
                "level": "market",
                "place": "x",
            },
            "place",
        ),
    ],
)
def test_a_bad_service_item_is_refused_naming_the_field(world, draft, values, field):
    before = _stored(draft)
    with pytest.raises(ValidationError) as refused:
        services.add_item(draft, by=world.company_a_admin, kind=ListKind.SERVICES, **values)
    assert field in refused.value.message_dict
    assert all(message.strip() for message in refused.value.message_dict[field])
    assert _stored(draft) == before


def test_a_duplicate_ignores_spaces_and_a_change_cannot_make_one(world, draft):
    with pytest.raises(ValidationError, match="already in"):
        services.add_item(
            draft, by=world.company_a_admin, kind=ListKind.FACILITIES, name="活 动 室", place="二楼"
        )
    cleaning = draft.items.get(name="上门助洁")
    with pytest.raises(ValidationError, match="already in"):
        services.change_item(cleaning, by=world.company_a_admin, category="meals", name="社区助餐")
    cleaning.refresh_from_db()
    assert (cleaning.name, cleaning.category) == ("上门助洁", "cleaning")


def test_other_kinds_need_their_own_columns(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.add_item(draft, by=world.company_a_admin, kind=ListKind.POLICIES, name="长护险")
    assert set(refused.value.message_dict) == {"issuer", "eligibility", "benefit"}
    with pytest.raises(ValidationError) as refused:
        services.add_item(
            draft,
            by=world.company_a_admin,
            kind=ListKind.RESOURCES,
            name="志愿队",
            resource_kind="volunteer_team",
            offer="陪伴",
            contact_phone="call me",
        )
    assert set(refused.value.message_dict) == {"contact_phone"}
    with pytest.raises(ValidationError) as refused:
        services.add_item(
            draft,
            by=world.company_a_admin,
            kind=ListKind.FACILITIES,
            name="阅览室",
            place="二楼",
            capacity="-3",
        )
    assert set(refused.value.message_dict) == {"capacity"}


def test_another_company_cannot_touch_the_lists(world, draft):
    with pytest.raises(PermissionDenied):
        services.add_item(
            draft,
            by=world.company_b_admin,
            kind=ListKind.DUTIES,
            name="居委会",
            party="residents_committee",
            duties="x",
        )
    with pytest.raises(PermissionDenied):
        services.remove_item(draft.items.first(), by=world.company_b_admin)
    assert draft.items.count() == 7


# --- what differs from the sample -----------------------------------------------------------------


def test_differences_from_the_sample(world, draft):
    services.change_item(draft.items.get(name="社区助餐"), by=world.company_a_admin, price="10")
    services.remove_item(draft.items.get(name="活动室"), by=world.company_a_admin)
    services.add_item(
        draft,
        by=world.company_a_admin,
        kind=ListKind.SERVICES,
        name="上门助浴",
        category="bathing",
        price="60",
        unit="time",
        level="market",
    )
    diff = services.differences(draft)
    assert [item.name for item in diff["added"]] == ["上门助浴"]
    assert [
        (c["item"].name, [(f["field"], f["sample"], f["now"]) for f in c["fields"]]) for c in diff["changed"]
    ] == [("社区助餐", [("price", "12.00", "10.00")])]
    assert [item.name for item in diff["removed"]] == ["活动室"]
    assert diff["same"] == 5


def test_an_item_removed_and_added_again_is_the_sample_item_again(world, draft):
    services.remove_item(draft.items.get(name="关爱探访"), by=world.company_a_admin)
    services.add_item(
        draft,
        by=world.company_a_admin,
        kind=ListKind.SERVICES,
        name="关爱探访",
        category="care_visit",
        price="0",
        unit="time",
        level="free",
    )
    diff = services.differences(draft)
    assert (diff["added"], diff["removed"], diff["same"]) == ([], [], 7)


# --- the station lists' life cycle ----------------------------------------------------------------


def test_the_life_cycle_keeps_every_posted_version(world, published):
    assert published.state == VersionState.PUBLISHED
    assert (published.approved_by, published.approving_office) == (world.street_officer, world.huayang_office)
    change = services.start_station_list(published.station, by=world.company_a_admin)
    assert (change.number, change.previous, change.template) == (2, published, published.template)
    services.change_item(change.items.get(name="社区助餐"), by=world.company_a_admin, price="11")
    services.perform(change, "submit", by=world.company_a_admin)
    services.perform(change, "approve", by=world.street_officer)
    services.perform(change, "publish", by=world.company_a_admin)
    published.refresh_from_db()
    assert published.state == VersionState.SUPERSEDED
    assert published.approved_by == world.street_officer and published.items.get(name="社区助餐").price == 12
    assert StationPrice.objects.get(station=published.station, category="meals").price == Decimal("11.00")
    actions = set(AuditEntry.objects.filter(object_id=str(change.pk)).values_list("action", flat=True))
    assert {"transition:submit", "transition:approve", "transition:publish"} <= actions


def test_only_one_version_in_the_works(world, draft):
    with pytest.raises(ValidationError, match="still"):
        services.start_station_list(draft.station, by=world.company_a_admin)


def test_a_station_list_needs_a_published_sample(world, station_a):
    with pytest.raises(ValidationError, match="sample"):
        services.start_station_list(station_a, by=world.company_a_admin)


def test_an_empty_list_cannot_be_submitted(world, draft):
    for item in list(draft.items.all()):
        services.remove_item(item, by=world.company_a_admin)
    with pytest.raises(ValidationError, match="no items"):
        services.perform(draft, "submit", by=world.company_a_admin)
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_approval_only_by_the_stations_street_office(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    xianxia = OrganizationFactory(
        kind="street_office", name="仙霞新村街道办事处", region=world.regions["310105008"]
    )
    others = (world.company_a_admin, world.changning_officer, make_user("xx_officer", xianxia, Role.OFFICER))
    for outsider in others:
        with pytest.raises(PermissionDenied, match="street office"):
            services.perform(draft, "approve", by=outsider)
    draft.refresh_from_db()
    assert draft.state == VersionState.SUBMITTED and draft.approved_by is None


def test_a_double_click_is_harmless_and_a_second_approval_is_refused(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    services.perform(draft, "approve", by=world.street_officer)
    first = ChecklistVersion.objects.get(pk=draft.pk).approved_at
    services.perform(draft, "approve", by=world.street_officer)  # the same person's double click
    colleague = make_user("hy_officer2", world.huayang_office, Role.OFFICER)
    with pytest.raises(ValidationError, match="already approved"):
        services.perform(draft, "approve", by=colleague)
    draft.refresh_from_db()
    assert (draft.approved_at, draft.approved_by) == (first, world.street_officer)
    assert AuditEntry.objects.filter(object_id=str(draft.pk), action="transition:approve").count() == 1


def test_a_return_needs_a_reason_and_reaches_the_company(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    with pytest.raises(ValidationError) as refused:
        services.perform(draft, "return", by=world.street_officer, reason="  ")
    assert "reason" in refused.value.message_dict
    services.perform(draft, "return", by=world.street_officer, reason="助餐价格请与样张一致")
    draft.refresh_from_db()
    assert (draft.state, draft.return_reason) == (VersionState.RETURNED, "助餐价格请与样张一致")
    assert Notification.objects.filter(
        recipient=world.company_a_admin, title__contains="助餐价格请与样张一致"
    ).exists()
    services.change_item(draft.items.get(name="社区助餐"), by=world.company_a_admin, price="12")
    services.perform(draft, "submit", by=world.company_a_admin)
    assert ChecklistVersion.objects.get(pk=draft.pk).return_reason == ""


def test_items_freeze_once_submitted(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    with pytest.raises(ValidationError, match="no longer change"):
        services.change_item(draft.items.get(name="社区助餐"), by=world.company_a_admin, price="1")


# --- posted prices --------------------------------------------------------------------------------


def test_publishing_posts_the_service_list_as_the_price_list(world, published):
    prices = {(p.category, p.content): (p.price, p.unit, p.level) for p in published.station.prices.all()}
    assert prices == {
        ("meals", "社区助餐"): (Decimal("12.00"), "meal", "low_cost"),
        ("cleaning", "上门助洁"): (Decimal("45.00"), "hour", "market"),
        ("care_visit", "关爱探访"): (Decimal("0.00"), "time", "free"),
    }
    channels = station_services.complaint_channels([published.station])[published.station.pk]
    assert channels[0]["phone"] == "021-62000001"


def test_a_station_without_any_complaint_phone_cannot_publish(world, draft):
    station = draft.station
    station_services.save_station(station, by=world.company_a_admin, phone="")
    services.perform(draft, "submit", by=world.company_a_admin)
    services.perform(draft, "approve", by=world.street_officer)
    with pytest.raises(ValidationError, match="complaint"):
        services.perform(draft, "publish", by=world.company_a_admin)
    world.changning_bureau.hotline = "021-12345"
    world.changning_bureau.save()
    version = services.perform(draft, "publish", by=world.company_a_admin)
    assert [c["phone"] for c in station_services.complaint_channels([station])[station.pk]] == ["021-12345"]
    assert version.state == VersionState.PUBLISHED


def test_no_day_care_price_below_ground_by_any_road(world, draft):
    station = draft.station
    add_day_care(world.company_a_admin, draft)
    publish(world, draft)
    assert station.prices.filter(category="day_care").exists()
    # the posted price holds the station above ground: the move is refused, naming the floor
    with pytest.raises(ValidationError) as refused:
        station_services.save_station(
            station, by=world.company_a_admin, floor=Floor.BASEMENT, services=["meals"]
        )
    assert "floor" in refused.value.message_dict
    station.refresh_from_db()
    assert station.floor == Floor.GROUND and station.prices.filter(category="day_care").exists()


def test_a_station_that_moved_below_ground_cannot_publish_a_day_care_item(world, draft):
    station = draft.station
    add_day_care(world.company_a_admin, draft)
    # today's prices hold no day care: the station may move, the list in the works may not follow it
    station_services.post_prices(station, [], by=world.company_a_admin)
    station_services.save_station(station, by=world.company_a_admin, floor=Floor.BASEMENT, services=["meals"])
    with pytest.raises(ValidationError, match="日间托养"):
        services.perform(draft, "submit", by=world.company_a_admin)
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT and not station.prices.exists()


def test_a_move_below_ground_stops_a_day_care_item_at_submission(world, sample, station_b):
    station_services.save_station(station_b, by=world.company_b_admin, floor=Floor.SEMI_BASEMENT)
    version = services.start_station_list(station_b, by=world.company_b_admin)
    with pytest.raises(ValidationError) as refused:
        add_day_care(world.company_b_admin, version)
    assert "category" in refused.value.message_dict
    with pytest.raises(ValidationError):
        station_services.post_prices(
            station_b,
            [{"category": "day_care", "price": "80", "unit": "day", "level": "low_cost"}],
            by=world.company_b_admin,
        )
    assert not station_b.prices.filter(category="day_care").exists()


def test_an_order_keeps_the_price_it_was_placed_at_and_charges_price_times_quantity(world, published):
    station = published.station
    officer = make_service_officer("a_officer", world.company_a, region=station.region)
    resident = station_services.register_resident(
        by=world.company_a_admin,
        station=station,
        name="李阿婆",
        id_number=CHANGNING_ID,
        phone="13812345678",
        community=world.regions["310105001"],
        living_situation="alone",
        consent_on=timezone.localdate(),
    ).resident
    order = station_services.create_order(
        by=world.company_a_admin, resident=resident, station=station, category="cleaning"
    )
    assert (order.unit_price, order.price_unit, order.price_content) == (Decimal("45.00"), "hour", "上门助洁")
    # the price goes up after the order is placed
    change = services.start_station_list(station, by=world.company_a_admin)
    services.change_item(change.items.get(name="上门助洁"), by=world.company_a_admin, price="50")
    publish(world, change)
    station_services.transition_order(order, "assign", by=world.company_a_admin, staff=officer)
    start = timezone.now() - dt.timedelta(hours=2)
    station_services.transition_order(
        order,
        "complete",
        by=world.company_a_admin,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=80),
    )
    record = ServiceRecord.objects.get(order=order)
    # 80 minutes at 45.00 per hour: three started half hours, 1.5 hours
    assert (record.unit_price, record.quantity, record.fee, record.fee_unit) == (
        Decimal("45.00"),
        Decimal("1.50"),
        Decimal("67.50"),
        "hour",
    )
    meal = station_services.log_service(
        by=world.company_a_admin,
        resident=resident,
        station=station,
        category="meals",
        staff=officer,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=20),
        quantity="2",
    )
    assert (meal.unit_price, meal.quantity, meal.fee) == (Decimal("12.00"), Decimal("2.00"), Decimal("24.00"))
    with pytest.raises(ValidationError) as refused:
        station_services.log_service(
            by=world.company_a_admin,
            resident=resident,
            station=station,
            category="meals",
            staff=officer,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=20),
            quantity="-1",
        )
    assert "quantity" in refused.value.message_dict


def test_a_service_without_a_published_price_cannot_be_ordered(world, published):
    station = published.station
    assert "emergency" in station.services and not station.prices.filter(category="emergency").exists()
    resident = station_services.register_resident(
        by=world.company_a_admin,
        station=station,
        name="王老伯",
        id_number=CHANGNING_ID,
        phone="13812345678",
        community=world.regions["310105001"],
        living_situation="alone",
        consent_on=timezone.localdate(),
    ).resident
    with pytest.raises(ValidationError) as refused:
        station_services.create_order(
            by=world.company_a_admin, resident=resident, station=station, category="emergency"
        )
    assert "no published price" in " ".join(refused.value.message_dict["category"])
    assert not station.orders.exists()


# --- the resource list review and supervision -----------------------------------------------------


def test_the_resource_list_is_flagged_after_ninety_days(world, published, settings):
    today = timezone.localdate()
    assert not services.resources_review_overdue(published, today)
    assert services.resources_review_overdue(published, today + dt.timedelta(days=91))
    settings.CHECKLIST_RESOURCE_REVIEW_DAYS = 200
    assert not services.resources_review_overdue(published, today + dt.timedelta(days=91))
    services.confirm_resources_reviewed(published, by=world.company_a_admin)
    with pytest.raises(ValidationError):
        services.confirm_resources_reviewed(
            published, by=world.company_a_admin, on=today + dt.timedelta(days=1)
        )


def test_a_finding_stays_open_until_a_later_check_closes_it(world, published):
    station = published.station
    meals = published.items.get(name="社区助餐")
    duties = published.items.get(kind=ListKind.DUTIES)
    with pytest.raises(ValidationError):  # a failing item needs a note
        services.record_check(
            station,
            by=world.street_officer,
            checked_on=timezone.localdate(),
            results=[{"item": meals, "result": "not_done"}],
        )
    with pytest.raises(PermissionDenied):  # the company does not check itself
        services.record_check(
            station,
            by=world.company_a_admin,
            checked_on=timezone.localdate(),
            results=[{"item": meals, "result": "done"}],
        )
    first = services.record_check(
        station,
        by=world.street_officer,
        checked_on=timezone.localdate() - dt.timedelta(days=30),
        results=[
            {"item": meals, "result": CheckResult.NOT_DONE, "note": "价格未上墙"},
            {"item": duties, "result": CheckResult.DONE},
        ],
    )
    assert Notification.objects.filter(recipient=world.company_a_admin, title__contains="1").exists()
    assert list(CheckFinding.objects.open().values_list("item__name", flat=True)) == ["社区助餐"]
    # a new version of the lists: the finding follows the item by its name
    change = services.start_station_list(station, by=world.company_a_admin)
    publish(world, change)
    second = services.record_check(
        station,
        by=world.changning_officer,
        checked_on=timezone.localdate(),
        results=[{"item": change.items.get(name="社区助餐"), "result": CheckResult.DONE}],
    )
    assert not CheckFinding.objects.open().exists()
    assert CheckFinding.objects.get(check_record=first, item=meals).closed_by == second


def test_a_check_refuses_items_outside_the_published_lists_and_future_dates(world, published, sample):
    station = published.station
    with pytest.raises(ValidationError) as refused:
        services.record_check(
            station,
            by=world.street_officer,
            checked_on=timezone.localdate() + dt.timedelta(days=1),
            results=[{"item": sample.items.first(), "result": "done"}],
        )
    assert set(refused.value.message_dict) == {"checked_on", "results"}


def test_every_price_problem_is_named_at_once(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.add_item(draft, by=world.company_a_admin, kind=ListKind.SERVICES, name="助浴", price="-30")
    assert {"category", "price", "unit", "level"} <= set(refused.value.message_dict)
    assert "negative" in " ".join(refused.value.message_dict["price"])


def test_a_change_shows_what_differs_from_the_posted_version(world, published):
    change = services.start_station_list(published.station, by=world.company_a_admin)
    services.change_item(change.items.get(name="社区助餐"), by=world.company_a_admin, price="14")
    services.remove_item(change.items.get(name="活动室"), by=world.company_a_admin)
    against_posted = services.differences(change, against="previous")
    assert [
        (c["item"].name, [(f["sample"], f["now"]) for f in c["fields"]]) for c in against_posted["changed"]
    ] == [("社区助餐", [("12.00", "14.00")])]
    assert [item.name for item in against_posted["removed"]] == ["活动室"]
    assert against_posted["same"] == 5 and against_posted["added"] == []


def test_a_change_after_a_new_sample_is_read_against_the_sample_in_force(world, published, sample):
    newer = services.start_template(world.regions["310105"], by=world.changning_officer)
    services.change_item(newer.items.get(name="社区助餐"), by=world.changning_officer, price="13")
    services.perform(newer, "publish_template", by=world.changning_officer)
    change = services.start_station_list(published.station, by=world.company_a_admin)
    assert change.template == newer
    diff = services.differences(change)
    assert [(c["item"].name, [(f["sample"], f["now"]) for f in c["fields"]]) for c in diff["changed"]] == [
        ("社区助餐", [("13.00", "12.00")])
    ]
    assert (diff["added"], diff["removed"], diff["same"]) == ([], [], 6)

"""The five lists and the posted prices through the API: the rules of the services seen as
400 (naming the field), 403 and 404, the four items 002 (十七) posts with every price, the
order's price snapshot, and fixed query counts for every list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import AuditEntry, Role
from checklists import services
from checklists.models import (
    CheckFinding,
    ChecklistCheck,
    ChecklistItem,
    ChecklistVersion,
    ListKind,
    VersionState,
)
from stations import services as station_services
from stations.models import PriceLevel, PriceUnit, ServiceCategory, ServiceRecord, StationPrice, StationStatus
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory, make_user
from tests.stations.conftest import resident, staff_a  # noqa: F401

pytestmark = pytest.mark.django_db

VERSIONS = "/api/v1/checklist-versions/"
ITEMS = "/api/v1/checklist-items/"
CHECKS = "/api/v1/checklist-checks/"
PRICES = "/api/v1/posted-prices/"


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def bathing(**changes):
    item = {
        "kind": "services",
        "name": "上门助浴",
        "category": "bathing",
        "price": "60.00",
        "unit": "time",
        "level": "low_cost",
    }
    return item | changes


@pytest.fixture
def other_street_officer(world):
    office = OrganizationFactory(
        kind="street_office", name="仙霞新村街道办事处", region=world.regions["310105008"]
    )
    return make_user("xx_officer", office, Role.OFFICER)


def open_station(station, by):
    return station_services.change_station_status(station, StationStatus.OPERATING, by=by)


# --- versions and their workflow ------------------------------------------------------------------


def test_company_starts_its_station_version_from_the_sample_once(world, sample, station_a):
    client = api_client_for(world.company_a_admin)
    created = client.post(VERSIONS, {"station": station_a.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["template"], body["is_template"]) == ("draft", sample.pk, False)
    assert [a["name"] for a in body["allowed_actions"]] == ["submit"]
    assert ChecklistItem.objects.filter(version_id=body["id"]).count() == sample.items.count()
    again = client.post(VERSIONS, {"station": station_a.pk}, format="json")
    assert "non_field_errors" in fields_of(again)
    # neither or both of station and region: the input names the field
    assert "station" in fields_of(client.post(VERSIONS, {}, format="json"))
    both = {"station": station_a.pk, "region": "310105"}
    assert "station" in fields_of(client.post(VERSIONS, both, format="json"))


def test_only_the_district_bureau_starts_a_sample(world, sample):
    refused = api_client_for(world.company_a_admin).post(VERSIONS, {"region": "310105"}, format="json")
    assert refused.status_code == 403
    created = api_client_for(world.changning_officer).post(
        VERSIONS, {"region": "310105001", "title": "第二版样张"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["region"], created.json()["number"], created.json()["is_template"]) == (
        "310105",
        2,
        True,
    )


def test_company_cannot_start_lists_for_another_companys_station(world, sample, station_b):
    response = api_client_for(world.company_a_admin).post(VERSIONS, {"station": station_b.pk}, format="json")
    assert "station" in fields_of(response)
    assert not ChecklistVersion.objects.filter(station=station_b).exists()


def test_approval_belongs_to_the_stations_street_office(world, draft, other_street_officer):
    url = f"{VERSIONS}{draft.pk}/"
    company = api_client_for(world.company_a_admin)
    assert company.post(f"{url}submit/").json()["state"] == "submitted"
    # the company that submitted, the district bureau: they see it but may not approve it
    assert company.post(f"{url}approve/").status_code == 403
    assert api_client_for(world.changning_officer).post(f"{url}approve/").status_code == 403
    # another street's office does not even see another street's lists in the works
    assert api_client_for(other_street_officer).post(f"{url}approve/").status_code == 404
    street = api_client_for(world.street_officer)
    offered = street.get(url).json()["allowed_actions"]
    assert sorted(a["name"] for a in offered) == ["approve", "return"]
    assert "reason" in fields_of(street.post(f"{url}return/", {"reason": ""}, format="json"))
    approved = street.post(f"{url}approve/").json()
    assert approved["state"] == "approved" and approved["approving_office_name"] == "华阳路街道办事处"
    assert street.post(f"{url}approve/").json()["state"] == "approved"  # a double click
    published = company.post(f"{url}publish/").json()
    assert published["state"] == "published" and published["resources_review_overdue"] is False
    posted = StationPrice.objects.filter(station=draft.station)
    assert sorted(posted.values_list("content", "price")) == [
        ("上门助洁", Decimal("45.00")),
        ("关爱探访", Decimal("0.00")),
        ("社区助餐", Decimal("12.00")),
    ]


def test_returned_lists_carry_the_reason_and_can_be_submitted_again(world, draft):
    url = f"{VERSIONS}{draft.pk}/"
    api_client_for(world.company_a_admin).post(f"{url}submit/")
    returned = api_client_for(world.street_officer).post(
        f"{url}return/", {"reason": "补充助浴价格"}, format="json"
    )
    assert (returned.json()["state"], returned.json()["return_reason"]) == ("returned", "补充助浴价格")
    again = api_client_for(world.company_a_admin).post(f"{url}submit/")
    assert again.json()["state"] == "submitted"


def test_sample_is_published_by_its_bureau_not_by_a_street(world, seed_regions):
    version = services.start_template(world.regions["310105"], by=world.changning_officer)
    url = f"{VERSIONS}{version.pk}/publish_template/"
    # a street reads its district's sample drafts but does not issue them
    assert api_client_for(world.street_officer).post(url).status_code == 403
    empty = api_client_for(world.changning_officer).post(url)
    assert "non_field_errors" in fields_of(empty)  # no items yet
    services.add_item(
        version, by=world.changning_officer, kind="duties", name="街道", party="street", duties="审核"
    )
    assert api_client_for(world.changning_officer).post(url).json()["state"] == "published"


def test_anonymous_visitors_see_only_published_versions_and_items(world, published, station_b):
    # a station's lists are public while the station is (operating, as in the station finder)
    station_services.change_station_status(published.station, "operating", by=world.company_a_admin)
    draft_b = services.start_station_list(station_b, by=world.company_b_admin)
    anonymous = api_client_for(None)
    listed = {row["id"]: row["state"] for row in anonymous.get(VERSIONS).json()["results"]}
    assert draft_b.pk not in listed and published.pk in listed
    assert set(listed.values()) == {"published"}
    assert anonymous.get(f"{VERSIONS}{draft_b.pk}/").status_code == 404
    assert anonymous.get(f"{VERSIONS}{published.pk}/").json()["allowed_actions"] == []
    items = {row["version"] for row in anonymous.get(ITEMS, {"page_size": 200}).json()["results"]}
    assert draft_b.pk not in items and published.pk in items
    assert anonymous.post(VERSIONS, {"station": station_b.pk}, format="json").status_code in (401, 403)


def test_a_company_cannot_see_another_companys_drafts(world, draft, station_b):
    other = api_client_for(world.company_b_admin)
    assert other.get(f"{VERSIONS}{draft.pk}/").status_code == 404
    assert draft.pk not in {row["id"] for row in other.get(VERSIONS).json()["results"]}
    item = draft.items.first()
    assert other.get(f"{ITEMS}{item.pk}/").status_code == 404
    assert other.patch(f"{ITEMS}{item.pk}/", {"name": "改"}, format="json").status_code == 404
    assert other.get(f"{VERSIONS}{draft.pk}/differences/").status_code == 404
    assert not {row["id"] for row in other.get(ITEMS, {"version": draft.pk}).json()["results"]}


def test_version_filters(world, sample, draft):
    client = api_client_for(world.changning_officer)

    def ids(**query):
        return {row["id"] for row in client.get(VERSIONS, query).json()["results"]}

    assert ids(is_template="true") == {sample.pk}
    assert ids(is_template="false") == {draft.pk}
    assert ids(station=draft.station_id) == {draft.pk}
    assert ids(state="draft") == {draft.pk}
    assert ids(region="310105001") == {draft.pk}
    assert ids(region="350583") == set()
    assert "state" in fields_of(client.get(VERSIONS, {"state": "nonsense"}))


# --- items --------------------------------------------------------------------------------------


def test_items_are_written_through_the_services_and_bad_input_names_the_field(world, draft):
    client = api_client_for(world.company_a_admin)

    def add(**item):
        return client.post(ITEMS, {"version": draft.pk, **item}, format="json")

    assert "price" in fields_of(add(**bathing(price="-1")))
    assert "level" in fields_of(add(**bathing(price="0", level="market")))  # 0 is free
    assert "unit" in fields_of(add(**bathing(unit="week")))
    assert set(fields_of(add(kind="policies", name="补贴"))) == {"issuer", "eligibility", "benefit"}
    # a column of another list
    assert "category" in fields_of(add(kind="facilities", name="助浴间", place="一楼", category="bathing"))
    assert "name" in fields_of(add(**bathing(name="社区助餐", category="meals")))  # already listed
    assert "contact_phone" in fields_of(
        add(kind="resources", name="医院", resource_kind="medical", offer="义诊", contact_phone="call me")
    )
    added = add(**bathing())
    assert added.status_code == 201, added.content
    row = added.json()
    assert (row["price"], row["position"], row["columns"]) == (
        "60.00",
        4,  # after the sample's three services
        ["name", "category", "price", "unit", "level", "provider", "note"],
    )
    assert (row["category_display"], row["unit_display"], row["level_display"]) == (
        zh(ServiceCategory.BATHING.label),
        zh(PriceUnit.TIME.label),
        zh(PriceLevel.LOW_COST.label),
    )
    url = f"{ITEMS}{row['id']}/"
    changed = client.patch(url, {"price": "55", "kind": "duties"}, format="json").json()
    assert (changed["price"], changed["kind"]) == ("55.00", "services")  # an item keeps its list
    assert "price" in fields_of(client.patch(url, {"price": "1.234"}, format="json"))
    assert AuditEntry.objects.filter(action="item_changed", object_id=str(draft.pk)).exists()
    assert client.delete(url).status_code == 204
    assert not ChecklistItem.objects.filter(pk=row["id"]).exists()


def test_items_of_a_submitted_version_no_longer_change(world, draft):
    services.perform(draft, "submit", by=world.company_a_admin)
    client = api_client_for(world.company_a_admin)
    item = draft.items.filter(kind=ListKind.SERVICES).first()
    assert "non_field_errors" in fields_of(client.patch(f"{ITEMS}{item.pk}/", {"price": "1"}, format="json"))
    assert "non_field_errors" in fields_of(
        client.post(ITEMS, {"version": draft.pk, **bathing()}, format="json")
    )
    assert client.delete(f"{ITEMS}{item.pk}/").status_code == 400
    assert ChecklistItem.objects.get(pk=item.pk).price == Decimal("12.00")


def test_differences_name_each_changed_column_with_its_label(world, draft):
    item = draft.items.get(name="社区助餐")
    services.change_item(item, by=world.company_a_admin, price="15", level="market")
    services.remove_item(draft.items.get(name="关爱探访"), by=world.company_a_admin)
    services.add_item(draft, by=world.company_a_admin, **bathing())
    found = api_client_for(world.company_a_admin).get(f"{VERSIONS}{draft.pk}/differences/").json()
    assert [row["name"] for row in found["added"]] == ["上门助浴"]
    assert [row["name"] for row in found["removed"]] == ["关爱探访"]
    (change,) = found["changed"]
    assert change["item"]["id"] == item.pk and change["sample"]["price"] == "12.00"
    with translation.override("zh-hans"):
        label = str(ChecklistItem._meta.get_field("price").verbose_name)
    assert {(f["field"], f["label"], f["sample"], f["now"]) for f in change["fields"]} >= {
        ("price", label, "12.00", "15.00")
    }
    assert found["same"] == draft.items.count() - 2


def test_resource_review_is_confirmed_on_the_published_lists_only(world, draft):
    client = api_client_for(world.company_a_admin)
    url = f"{VERSIONS}{draft.pk}/review-resources/"
    assert "non_field_errors" in fields_of(client.post(url, {}, format="json"))
    services.perform(draft, "submit", by=world.company_a_admin)
    services.perform(draft, "approve", by=world.street_officer)
    services.perform(draft, "publish", by=world.company_a_admin)
    ChecklistVersion.objects.filter(pk=draft.pk).update(resources_reviewed_on=dt.date(2020, 1, 1))
    assert client.get(f"{VERSIONS}{draft.pk}/").json()["resources_review_overdue"] is True
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "on" in fields_of(client.post(url, {"on": tomorrow}, format="json"))
    reviewed = client.post(url, {}, format="json").json()
    assert reviewed["resources_reviewed_on"] == timezone.localdate().isoformat()
    assert reviewed["resources_review_overdue"] is False
    # another company reads the published lists of an operating station but does not review them
    station_services.change_station_status(draft.station, "operating", by=world.company_a_admin)
    assert api_client_for(world.company_b_admin).get(f"{VERSIONS}{draft.pk}/").status_code == 200
    assert api_client_for(world.company_b_admin).post(url, {}, format="json").status_code == 403


# --- supervision checks -------------------------------------------------------------------------


def png():
    return SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


def test_street_records_a_check_and_findings_stay_open_until_carried_out(world, published):
    item = published.items.get(name="社区助餐")
    street = api_client_for(world.street_officer)
    body = {
        "station": published.station_id,
        "checked_on": timezone.localdate().isoformat(),
        "results": [{"item": item.pk, "result": "not_done", "note": "价格未公示"}],
    }
    assert api_client_for(world.company_a_admin).post(CHECKS, body, format="json").status_code == 403
    missing_note = {**body, "results": [{"item": item.pk, "result": "not_done"}]}
    assert "results" in fields_of(street.post(CHECKS, missing_note, format="json"))
    foreign = {**body, "results": [{"item": 10**9, "result": "done"}]}
    assert "results" in fields_of(street.post(CHECKS, foreign, format="json"))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "checked_on" in fields_of(street.post(CHECKS, {**body, "checked_on": tomorrow}, format="json"))
    first = street.post(CHECKS, body, format="json")
    assert first.status_code == 201, first.content
    (finding,) = first.json()["findings"]
    assert (finding["result"], finding["is_open"], finding["photo"], finding["item_name"]) == (
        "not_done",
        True,
        None,
        "社区助餐",
    )
    done = {**body, "results": [{"item": item.pk, "result": "done"}]}
    second = street.post(CHECKS, done, format="json").json()
    assert CheckFinding.objects.get(pk=finding["id"]).closed_by_id == second["id"]
    assert street.get(f"{CHECKS}{first.json()['id']}/").json()["findings"][0]["is_open"] is False
    # the company reads its station's checks; another company does not
    assert api_client_for(world.company_a_admin).get(f"{CHECKS}{second['id']}/").status_code == 200
    assert api_client_for(world.company_b_admin).get(f"{CHECKS}{second['id']}/").status_code == 404


def test_check_with_photos_as_multipart(world, published):
    item = published.items.get(name="社区助餐")
    other = published.items.get(name="关爱探访")
    street = api_client_for(world.street_officer)
    results = (
        f'[{{"item": {item.pk}, "result": "not_done", "note": "未公示"}}, '
        f'{{"item": {other.pk}, "result": "done"}}]'
    )
    response = street.post(
        CHECKS,
        {
            "station": published.station_id,
            "checked_on": timezone.localdate().isoformat(),
            "results": results,
            f"photo_{item.pk}": png(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    findings = {row["item"]: row for row in response.json()["findings"]}
    assert findings[other.pk]["photo"] is None
    photo = street.get(findings[item.pk]["photo"])
    assert photo.status_code == 200 and b"".join(photo.streaming_content).startswith(b"\x89PNG")
    assert api_client_for(world.company_b_admin).get(findings[item.pk]["photo"]).status_code == 404
    fake = SimpleUploadedFile("现场.png", b"MZ\x90\x00" + b"\0" * 64, content_type="image/png")
    refused = street.post(
        CHECKS,
        {
            "station": published.station_id,
            "checked_on": timezone.localdate().isoformat(),
            "results": results,
            f"photo_{item.pk}": fake,
        },
        format="multipart",
    )
    assert refused.status_code == 400
    assert ChecklistCheck.objects.count() == 1


# --- posted prices ------------------------------------------------------------------------------


def test_every_posted_price_carries_the_four_items_and_a_complaint_phone(world, published):
    station = published.station
    open_station(station, world.company_a_admin)
    world.huayang_office.hotline = "021-62000012"
    world.huayang_office.save()
    rows = api_client_for(None).get(PRICES, {"station": station.pk}).json()["results"]
    assert len(rows) == 3
    for row in rows:
        assert row["operator_name"] == "甲物业"  # the operating company
        assert row["content"] and row["category_display"]  # the service content
        assert row["unit"] and row["unit_display"]  # the unit
        assert row["price"] is not None and row["level_display"] and row["provided_by"]  # the fee
        phones = {(c["name"], c["phone"]) for c in row["complaint_channels"]}
        assert {(station.name, "021-62000001"), ("华阳路街道办事处", "021-62000012")} <= phones
    meals = next(row for row in rows if row["category"] == "meals")
    assert (meals["content"], meals["price"], meals["unit"], meals["level"], meals["provided_by"]) == (
        "社区助餐",
        "12.00",
        "meal",
        "low_cost",
        "甲物业",
    )
    assert meals["source"]  # the version it was posted from
    # the station's own page gives the same prices and channels
    page = api_client_for(None).get(f"/api/v1/stations/{station.pk}/").json()
    assert {p["content"] for p in page["prices"]} == {"社区助餐", "上门助洁", "关爱探访"}
    assert {c["phone"] for c in page["complaint_channels"]} >= {"021-62000001", "021-62000012"}


def test_posted_prices_follow_the_stations_visibility_and_filters(world, published, station_b):
    anonymous = api_client_for(None)
    # station A is not operating yet: its prices are not public
    assert anonymous.get(PRICES).json()["results"] == []
    open_station(published.station, world.company_a_admin)
    stations = {row["station"] for row in anonymous.get(PRICES).json()["results"]}
    assert stations == {published.station_id}
    own = api_client_for(world.company_b_admin).get(PRICES).json()["results"]
    assert {row["station"] for row in own} == {published.station_id, station_b.pk}
    meals = anonymous.get(PRICES, {"category": "meals"}).json()["results"]
    assert [row["content"] for row in meals] == ["社区助餐"]
    assert anonymous.get(PRICES, {"region": "310105008"}).json()["results"] == []
    assert "category" in fields_of(anonymous.get(PRICES, {"category": "caviar"}))


# --- orders keep their price, records charge price x quantity ----------------------------------------


def test_order_keeps_its_price_and_the_record_charges_price_times_quantity(
    world,
    published,
    resident,  # noqa: F811
    staff_a,  # noqa: F811
):
    station = published.station
    client = api_client_for(world.company_a_admin)
    order = client.post(
        "/api/v1/orders/",
        {"resident": resident.pk, "station": station.pk, "category": "cleaning"},
        format="json",
    )
    assert order.status_code == 201, order.content
    placed = order.json()
    assert (placed["price_content"], placed["unit_price"], placed["price_unit"]) == (
        "上门助洁",
        "45.00",
        "hour",
    )
    # a new version raises the price; the order keeps the one it was placed at
    version = services.start_station_list(station, by=world.company_a_admin)
    services.change_item(version.items.get(name="上门助洁"), by=world.company_a_admin, price="50")
    for step, by in (("submit", world.company_a_admin), ("approve", world.street_officer)):
        services.perform(version, step, by=by)
    services.perform(version, "publish", by=world.company_a_admin)
    url = f"/api/v1/orders/{placed['id']}/"
    client.post(f"{url}assign/", {"staff": staff_a.pk}, format="json")
    assert "quantity" in fields_of(client.post(f"{url}complete/", {"quantity": "0"}, format="json"))
    done = client.post(f"{url}complete/", {"quantity": "1.5"}, format="json")
    assert done.json()["status"] == "completed", done.content
    record = client.get("/api/v1/service-records/", {"station": station.pk}).json()["results"][0]
    assert (record["unit_price"], record["quantity"], record["fee"], record["fee_unit"]) == (
        "45.00",
        "1.50",
        "67.50",
        "hour",
    )
    assert record["fee_unit_display"] == zh(PriceUnit.HOUR.label)
    assert ServiceRecord.objects.get(pk=record["id"]).fee == Decimal("67.50")


def test_order_names_one_of_several_posted_prices(
    world,
    published,
    station_b,
    resident,  # noqa: F811
):
    station = published.station
    station_services.post_prices(
        station,
        [
            {"category": "meals", "content": "午餐", "price": "12", "unit": "meal", "level": "low_cost"},
            {"category": "meals", "content": "晚餐", "price": "15", "unit": "meal", "level": "market"},
        ],
        by=world.company_a_admin,
        source="test",
    )
    client = api_client_for(world.company_a_admin)
    body = {"resident": resident.pk, "station": station.pk, "category": "meals"}
    assert "price" in fields_of(client.post("/api/v1/orders/", body, format="json"))
    foreign = StationPrice.objects.filter(station=station_b).first()
    assert "price" in fields_of(client.post("/api/v1/orders/", {**body, "price": foreign.pk}, format="json"))
    supper = StationPrice.objects.get(station=station, content="晚餐")
    placed = client.post("/api/v1/orders/", {**body, "price": supper.pk}, format="json").json()
    assert (placed["price_content"], placed["unit_price"], placed["price_unit"]) == ("晚餐", "15.00", "meal")
    assert "price" not in placed  # write-only: the snapshot is what is read


# --- query counts -------------------------------------------------------------------------------


def _queries(client, url, django_assert_num_queries, expected, **query):
    with django_assert_num_queries(expected):
        response = client.get(url, {"page_size": 200, **query})
    assert response.status_code == 200
    return response.json()


def _add_versions(world, station, sample, total):
    """Superseded sample and station versions (written straight to the table: only the list's
    cost is measured) until ``total`` are visible to the district bureau."""
    have = ChecklistVersion.objects.count()
    rows = []
    for n in range(have, total):
        if n % 2:
            rows.append(ChecklistVersion(region=sample.region, number=100 + n, state=VersionState.SUPERSEDED))
        else:
            rows.append(
                ChecklistVersion(
                    station=station,
                    region=station.region,
                    issuer=world.company_a,
                    number=100 + n,
                    state=VersionState.SUPERSEDED,
                )
            )
    ChecklistVersion.objects.bulk_create(rows)


VERSION_LIST_QUERIES = 2  # the count, the page (the scope is a condition of both)


@pytest.mark.parametrize("total", [10, 100])
def test_version_list_costs_the_same_at_10_and_100_rows(world, published, django_assert_num_queries, total):
    _add_versions(world, published.station, published.template, total)
    client = api_client_for(world.changning_officer)
    body = _queries(client, VERSIONS, django_assert_num_queries, VERSION_LIST_QUERIES)
    assert body["count"] == total and all(row["allowed_actions"] is None for row in body["results"])
    anonymous = api_client_for(None)
    _queries(anonymous, VERSIONS, django_assert_num_queries, VERSION_LIST_QUERIES)


ITEM_LIST_QUERIES = 2  # the count, the page


@pytest.mark.parametrize("total", [10, 100])
def test_item_list_costs_the_same_at_10_and_100_rows(world, draft, django_assert_num_queries, total):
    have = draft.items.count()
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                version=draft, kind="duties", name=f"单位{n}", party="street", duties="职责", position=n
            )
            for n in range(have, total)
        ]
    )
    client = api_client_for(world.company_a_admin)
    body = _queries(client, ITEMS, django_assert_num_queries, ITEM_LIST_QUERIES, version=draft.pk)
    assert body["count"] == total
    everything = _queries(client, ITEMS, django_assert_num_queries, ITEM_LIST_QUERIES)
    assert everything["count"] == total + draft.template.items.count()  # and the district's sample


CHECK_LIST_QUERIES = 3  # the count, the page, the findings with their items


@pytest.mark.parametrize("total", [10, 100])
def test_check_list_costs_the_same_at_10_and_100_rows(world, published, django_assert_num_queries, total):
    items = list(published.items.all()[:2])
    for day in range(total):
        check = ChecklistCheck.objects.create(
            station=published.station,
            version=published,
            checked_on=dt.date(2026, 1, 1) + dt.timedelta(days=day),
            checked_by=world.street_officer,
            office=world.huayang_office,
        )
        CheckFinding.objects.bulk_create(
            [CheckFinding(check_record=check, item=item, result="done") for item in items]
        )
    body = _queries(
        api_client_for(world.street_officer), CHECKS, django_assert_num_queries, CHECK_LIST_QUERIES
    )
    assert body["count"] == total and all(len(row["findings"]) == 2 for row in body["results"])


PRICE_LIST_QUERIES = 3  # the count, the page with stations and operators, the complaint channels


@pytest.mark.parametrize("total", [10, 100])
def test_posted_price_list_costs_the_same_at_10_and_100_rows(
    world, published, station_b, django_assert_num_queries, total
):
    open_station(published.station, world.company_a_admin)
    open_station(station_b, world.company_b_admin)
    world.changning_bureau.hotline = "021-12345"  # every station of the district has a channel
    world.changning_bureau.save()
    have = StationPrice.objects.count()
    StationPrice.objects.bulk_create(
        [
            StationPrice(
                station=(published.station, station_b)[n % 2],
                category="meals",
                content=f"套餐{n}",
                price=Decimal("10"),
                unit="meal",
                level="low_cost",
            )
            for n in range(have, total)
        ]
    )
    body = _queries(api_client_for(None), PRICES, django_assert_num_queries, PRICE_LIST_QUERIES)
    assert body["count"] == total
    assert {len(row["complaint_channels"]) > 0 for row in body["results"]} == {True}


def test_a_service_logged_without_an_order_is_charged_its_quantity(
    world,
    published,
    resident,  # noqa: F811
    staff_a,  # noqa: F811
):
    client = api_client_for(world.company_a_admin)
    started = timezone.now() - dt.timedelta(hours=3)
    body = {
        "resident": resident.pk,
        "station": published.station_id,
        "category": "meals",
        "staff": staff_a.pk,
        "started_at": started.isoformat(),
        "ended_at": (started + dt.timedelta(minutes=40)).isoformat(),
        "quantity": "2",
    }
    assert "quantity" in fields_of(
        client.post("/api/v1/service-records/", {**body, "quantity": "-1"}, format="json")
    )
    logged = client.post("/api/v1/service-records/", body, format="json")
    assert logged.status_code == 201, logged.content
    row = logged.json()
    assert (row["unit_price"], row["quantity"], row["fee"], row["fee_unit"]) == (
        "12.00",
        "2.00",
        "24.00",
        "meal",
    )

"""002, 五: a station's operator enters its monthly elderly-care expenditure — in the portal, the
API and the admin, all through ``stations.services.record_expenditure``; and a company says when
it began elderly-care services (从业时间 of 002's table)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEntry
from stations import services
from stations.models import StationExpenditure
from tests.admin_pages import admin_client, superuser
from tests.conftest import api_client_for
from tests.factories import PASSWORD


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_operator_enters_a_months_expenditure_on_the_station_page(world, station_a):
    client = _client(world.company_a_admin)
    url = f"/stations/manage/{station_a.pk}/"
    client.post(url, {"what": "expenditure", "month": "2026-02", "amount": "880.50", "note": "食材"})
    client.post(url, {"what": "expenditure", "month": "2026-02", "amount": "900", "note": "更正"})
    (row,) = StationExpenditure.objects.filter(station=station_a)
    assert (row.month, row.amount, row.note) == (dt.date(2026, 2, 1), Decimal("900.00"), "更正")
    page = client.get(url + "station/").content.decode()  # the station-information section
    assert "2026-02" in page and "900.00" in page


def test_a_bad_month_or_amount_is_refused_and_nothing_saved(world, station_a):
    client = _client(world.company_a_admin)
    url = f"/stations/manage/{station_a.pk}/"
    response = client.post(url, {"what": "expenditure", "month": "二月", "amount": "10"}, follow=True)
    assert "YYYY-MM" in response.content.decode()
    client.post(url, {"what": "expenditure", "month": "2026-02", "amount": "-1"})
    assert not StationExpenditure.objects.exists()


def test_another_company_cannot_enter_a_stations_expenditure(world, station_a):
    response = _client(world.company_b_admin).post(
        f"/stations/manage/{station_a.pk}/", {"what": "expenditure", "month": "2026-02", "amount": "10"}
    )
    assert response.status_code == 404
    api = api_client_for(world.company_b_admin)
    response = api.post(
        "/api/v1/station-expenditures/",
        {"station": station_a.pk, "month": "2026-02-01", "amount": "10"},
        format="json",
    )
    assert response.status_code in (400, 403)
    assert not StationExpenditure.objects.exists()


def test_the_api_records_corrects_and_lists_within_the_scope(world, station_a, station_b):
    api = api_client_for(world.company_a_admin)
    body = {"station": station_a.pk, "month": "2026-03-01", "amount": "120.00"}
    first = api.post("/api/v1/station-expenditures/", body, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/station-expenditures/", {**body, "amount": "150.00"}, format="json")
    assert again.json()["id"] == first.json()["id"] and again.json()["amount"] == "150.00"
    api_client_for(world.company_b_admin).post(
        "/api/v1/station-expenditures/",
        {"station": station_b.pk, "month": "2026-03-01", "amount": "7"},
        format="json",
    )
    mine = api.get("/api/v1/station-expenditures/").json()["results"]
    assert [row["station"] for row in mine] == [station_a.pk]
    officer = api_client_for(world.changning_officer).get("/api/v1/station-expenditures/").json()["results"]
    assert len(officer) == 2
    export = api.get("/api/v1/station-expenditures/export/")
    assert export.status_code == 200


def test_a_company_says_when_it_began_elderly_care_services(world):
    client = _client(world.company_a_admin)
    response = client.post(
        f"/organizations/{world.company_a.pk}/",
        {
            "address": "华阳路 1 号",
            "contact_person": "张",
            "contact_phone": "021-62001111",
            "hotline": "",
            "elderly_care_since": "2019-06-01",
        },
    )
    assert response.status_code == 302
    world.company_a.refresh_from_db()
    assert world.company_a.elderly_care_since == dt.date(2019, 6, 1)
    api = api_client_for(world.company_a_admin)
    data = api.get(f"/api/v1/organizations/{world.company_a.pk}/").json()
    assert data["elderly_care_since"] == "2019-06-01"
    patched = api.patch(
        f"/api/v1/organizations/{world.company_a.pk}/", {"elderly_care_since": "2018-01-01"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["elderly_care_since"] == "2018-01-01"


def test_the_admin_enters_and_corrects_through_the_service(world, station_a):
    client = admin_client(superuser())
    response = client.post(
        "/admin/stations/stationexpenditure/add/",
        {"station": station_a.pk, "month": "2026-04-01", "amount": "300", "note": "后台录入"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = StationExpenditure.objects.get(station=station_a)
    assert (row.month, row.amount) == (dt.date(2026, 4, 1), Decimal("300.00"))
    page = client.get(f"/admin/stations/stationexpenditure/{row.pk}/change/")
    assert page.status_code == 200
    client.post(f"/admin/stations/stationexpenditure/{row.pk}/change/", {"amount": "280", "note": "更正"})
    row.refresh_from_db()
    assert (row.amount, row.note) == (Decimal("280.00"), "更正")
    assert StationExpenditure.objects.count() == 1


def test_the_month_must_lie_between_2000_and_this_month(world, station_a):
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    for month in (dt.date(1800, 1, 1), dt.date(1999, 12, 1), next_month):
        with pytest.raises(ValidationError):
            services.record_expenditure(by=world.company_a_admin, station=station_a, month=month, amount=1)
    services.record_expenditure(
        by=world.company_a_admin, station=station_a, month=dt.date(2000, 1, 1), amount=1
    )
    services.record_expenditure(by=world.company_a_admin, station=station_a, month=this_month, amount=1)
    assert StationExpenditure.objects.count() == 2
    # the same rule on the portal and the API
    _client(world.company_a_admin).post(
        f"/stations/manage/{station_a.pk}/", {"what": "expenditure", "month": "1800-01", "amount": "5"}
    )
    response = api_client_for(world.company_a_admin).post(
        "/api/v1/station-expenditures/",
        {"station": station_a.pk, "month": f"{next_month:%Y-%m-%d}", "amount": "5"},
        format="json",
    )
    assert response.status_code == 400
    assert StationExpenditure.objects.count() == 2


def test_an_entry_in_error_is_removed_on_every_road_and_audited(world, station_a, station_b):
    def entry(month):
        return services.record_expenditure(
            by=world.company_a_admin, station=station_a, month=dt.date(2026, month, 1), amount=10
        )

    portal, api_row, admin_row = entry(1), entry(2), entry(3)
    client = _client(world.company_a_admin)
    page = client.get(f"/stations/manage/{station_a.pk}/station/").content.decode()
    assert 'value="remove_expenditure"' in page and "data-confirm" in page
    client.post(f"/stations/manage/{station_a.pk}/", {"what": "remove_expenditure", "expenditure": portal.pk})
    assert (
        api_client_for(world.company_a_admin)
        .delete(f"/api/v1/station-expenditures/{api_row.pk}/")
        .status_code
        == 204
    )
    response = admin_client(superuser()).post(
        f"/admin/stations/stationexpenditure/{admin_row.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not StationExpenditure.objects.exists()
    removals = AuditEntry.objects.filter(action="delete", content_type__model="stationexpenditure")
    assert removals.count() == 3
    # another company cannot remove the station's entries
    other = entry(4)
    assert api_client_for(world.company_b_admin).delete(
        f"/api/v1/station-expenditures/{other.pk}/"
    ).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.remove_expenditure(by=world.company_b_admin, expenditure=other)
    assert StationExpenditure.objects.filter(pk=other.pk).exists()


def test_a_future_elderly_care_date_is_refused_on_every_road(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        account_services.update_organization(
            world.company_a, by=world.company_a_admin, elderly_care_since=tomorrow
        )
    client = _client(world.company_a_admin)
    response = client.post(
        f"/organizations/{world.company_a.pk}/",
        {
            "address": "华阳路 1 号",
            "contact_person": "张",
            "contact_phone": "021-62001111",
            "hotline": "",
            "elderly_care_since": f"{tomorrow:%Y-%m-%d}",
        },
    )
    assert response.status_code in (200, 302)
    patched = api_client_for(world.company_a_admin).patch(
        f"/api/v1/organizations/{world.company_a.pk}/",
        {"elderly_care_since": f"{tomorrow:%Y-%m-%d}"},
        format="json",
    )
    assert patched.status_code == 400
    world.company_a.refresh_from_db()
    assert world.company_a.elderly_care_since is None
    account_services.update_organization(
        world.company_a, by=world.company_a_admin, elderly_care_since=timezone.localdate()
    )
    world.company_a.refresh_from_db()
    assert world.company_a.elderly_care_since == timezone.localdate()


def test_entering_and_correcting_an_expenditure_is_audited_with_who_did_it(world, station_a):
    url = f"/stations/manage/{station_a.pk}/"
    _client(world.company_a_admin).post(url, {"what": "expenditure", "month": "2026-02", "amount": "880"})
    api = api_client_for(world.company_a_admin)
    response = api.post(
        "/api/v1/station-expenditures/",
        {"station": station_a.pk, "month": "2026-02-01", "amount": "900.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    row = StationExpenditure.objects.get(station=station_a)
    entries = list(
        AuditEntry.objects.filter(content_type__model="stationexpenditure", object_id=str(row.pk)).order_by(
            "at", "id"
        )
    )
    assert [entry.action for entry in entries] == ["create", "update"]
    assert {entry.actor_id for entry in entries} == {world.company_a_admin.pk}
    assert [entry.channel for entry in entries] == ["portal", "api"]
    assert "900" in str(entries[1].changes)

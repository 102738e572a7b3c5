"""Admin change lists of the large tables: a count bounded at 10,001 rows ("10,000+"), fixed rating
choices (no SELECT DISTINCT over the records), residents scoped without DISTINCT, and list columns
read from the stored masks (nothing decrypted)."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.admin_paging import AtLeast, CappedCountPaginator
from stations.models import ServiceRecord
from tests.admin_pages import admin_client, superuser

pytestmark = pytest.mark.django_db

RECORDS = "/admin/stations/servicerecord/"
RESIDENTS = "/admin/stations/resident/"


@pytest.fixture
def records(world, station_a, resident, staff_a):
    start = timezone.now() - dt.timedelta(days=1)
    return [
        ServiceRecord.objects.create(
            resident=resident,
            station=station_a,
            category="meals",
            staff=staff_a,
            started_at=start - dt.timedelta(hours=n),
            ended_at=start - dt.timedelta(hours=n),
            duration_minutes=0,
            rating=5 if n == 0 else None,
        )
        for n in range(5)
    ]


def get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_the_count_stops_at_the_cap(world, records, monkeypatch, who):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    page, queries = get(client, RECORDS)
    assert "3+" in page
    counts = [sql for sql in queries if "COUNT(" in sql.upper()]
    assert len(counts) == 1 and "LIMIT 4" in counts[0]
    monkeypatch.setattr(CappedCountPaginator, "CAP", 10)
    page, _queries = get(client, RECORDS)
    assert "5 " in page and "10+" not in page


def test_at_least_reads_with_a_plus_and_counts_as_the_cap():
    assert str(AtLeast(10_000)) == "10,000+" and AtLeast(10_000) == 10_000 and AtLeast(10_000) > 100


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_the_rating_filter_offers_fixed_choices(world, records, who):
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    page, queries = get(client, RECORDS)
    assert not any("DISTINCT" in sql.upper() for sql in queries)
    assert "rating=5" in page and "rating=none" in page
    page, _queries = get(client, RECORDS, {"rating": "5"})
    assert f"/{records[0].pk}/change/" in page and f"/{records[1].pk}/change/" not in page
    page, _queries = get(client, RECORDS, {"rating": "none"})
    assert f"/{records[0].pk}/change/" not in page and f"/{records[1].pk}/change/" in page


@pytest.mark.parametrize("who", ["superuser", "district_officer"])
def test_lists_neither_decrypt_nor_use_distinct(world, records, resident, who):
    client = admin_client(superuser() if who == "superuser" else world.changning_officer)
    with mock.patch("accounts.pii.decrypt", side_effect=AssertionError("decrypted")):
        for url in (RECORDS, RESIDENTS):
            page, queries = get(client, url)
            assert resident.id_number_masked in page
            assert not any("DISTINCT" in sql.upper() for sql in queries)

"""Divisions: code normalisation, parents derived from codes, subtree queries and their index."""

import pytest
from django.db import connection

from regions.models import Level, Region, normalise_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("310105000000", "310105"),
        ("310105001000", "310105001"),
        ("310105001001", "310105001001"),
        ("310100", "3101"),
        ("310000", "31"),
        ("442000", "4420"),
        (" 350583 ", "350583"),
        ("350583.0", "350583"),
    ],
)
def test_normalise_code(raw, expected):
    assert normalise_code(raw) == expected


@pytest.mark.parametrize("raw", ["31010", "abc", "", "3101050010011"])
def test_normalise_code_refuses_non_codes(raw):
    with pytest.raises(ValueError):
        normalise_code(raw)


def test_seed_localities_are_shipped_with_their_parents(seed_regions):
    changning = seed_regions["310105"]
    streets = Region.objects.filter(parent=changning)
    assert streets.count() == 10
    assert set(streets.values_list("level", flat=True)) == {Level.STREET}
    nanan_towns = set(Region.objects.filter(parent__code="350583").values_list("name", flat=True))
    assert {
        "溪美街道",
        "柳城街道",
        "美林街道",
        "省新镇",
        "诗山镇",
        "九都镇",
        "罗东镇",
        "梅山镇",
        "洪濑镇",
        "霞美镇",
        "官桥镇",
        "水头镇",
        "石井镇",
    } <= nanan_towns
    # 中山市 has no districts: its towns hang under the city.
    assert seed_regions["442000001"].parent.code == "4420"
    assert seed_regions["110102"].parent.parent.name == "北京市"
    assert seed_regions["6101"].level == Level.CITY


def test_subtree_by_code_prefix(seed_regions):
    assert Region.objects.subtree("310105").count() == 11
    assert Region.objects.subtree("310105", include_self=False).count() == 10
    assert not Region.objects.subtree("310105").filter(code__startswith="35").exists()


def test_api_filters_by_level_parent_and_subtree(seed_regions, api):
    by_parent = api.get("/api/v1/regions/", {"parent": "350583", "page_size": 200}).json()
    assert by_parent["count"] == Region.objects.filter(parent__code="350583").count()
    within = api.get("/api/v1/regions/", {"within": "310105", "level": Level.STREET}).json()
    assert within["count"] == 10
    assert {row["parent"] for row in within["results"]} == {"310105"}
    detail = api.get("/api/v1/regions/310105001/").json()
    assert detail["name"] == "华阳路街道" and detail["level_display"]


def test_region_list_queries_do_not_grow_with_rows(seed_regions, api, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/regions/", {"page_size": 5}).json()["results"]) == 5
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/regions/", {"page_size": 50}).json()["results"]) == 50


def test_prefix_index_serves_subtree_queries_on_postgres(postgres, seed_regions):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Region.objects.subtree("310105").values("id").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "region_code_prefix_idx" in plan, plan

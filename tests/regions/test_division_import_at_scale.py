"""The division list import at the size of a province: a fixed number of queries whatever the
number of rows (parents checked in memory, one bulk INSERT per level and batch, no savepoint
per row), all or nothing, and the row named when one is refused."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.imports import import_division_file
from regions.models import Level, Region
from reports.spreadsheets import ImportFailed

pytestmark = pytest.mark.django_db


def division_csv(rows):
    lines = ["区划代码,名称", *(f"{code},{name}" for code, name in rows)]
    return io.BytesIO("\n".join(lines).encode())


def tree(counties: int, towns: int, communities: int):
    """A province of 99…: one city, ``counties`` counties, listed children first."""
    rows = []
    for county in range(1, counties + 1):
        county_code = f"9901{county:02d}"
        for town in range(1, towns + 1):
            town_code = f"{county_code}{town:03d}"
            rows.extend((f"{town_code}{c:03d}", f"第{c}社区") for c in range(1, communities + 1))
            rows.append((town_code, f"第{town}街道"))
        rows.append((county_code, f"第{county}区"))
    rows += [("9901", "测试市"), ("99", "测试省")]
    return rows


def queries_for(rows):
    with CaptureQueriesContext(connection) as captured:
        importer = import_division_file(division_csv(rows), filename="divisions.csv")
    return importer, [query["sql"] for query in captured.captured_queries]


def test_parents_listed_after_their_children_are_attached_and_levels_set():
    importer, _queries = queries_for(tree(2, 2, 3))
    assert importer.changed == 2 * (2 * 3 + 2 + 1) + 2
    community = Region.objects.select_related("parent__parent__parent__parent").get(code="990102001003")
    assert community.level == Level.COMMUNITY
    assert [community.parent.code, community.parent.parent.code, community.parent.parent.parent.code] == [
        "990102001",
        "990102",
        "9901",
    ]
    assert community.parent.parent.parent.parent.code == "99"


def test_the_number_of_queries_does_not_grow_with_the_rows_and_no_row_has_a_savepoint():
    _small, few = queries_for(tree(1, 2, 2))
    for level in sorted(Level.values, reverse=True):  # children first: parents are protected
        Region.objects.filter(code__startswith="99", level=level).delete()
    _large, many = queries_for(tree(3, 6, 10))
    assert Region.objects.filter(code__startswith="99").count() == 3 * (6 * 10 + 6 + 1) + 2
    assert len(many) == len(few)
    # the import's own transaction (a savepoint inside the test's), none per row
    assert [sql.split()[0] for sql in many if "SAVEPOINT" in sql.upper()] == ["SAVEPOINT", "RELEASE"]


def test_a_second_import_changes_nothing_and_a_rename_is_written():
    rows = tree(1, 2, 2)
    queries_for(rows)
    importer, _queries = queries_for(rows)
    assert (importer.changed, importer.unchanged) == (0, len(rows))
    renamed = [(code, "改名社区" if code == "990101001002" else name) for code, name in rows]
    importer, _queries = queries_for(renamed)
    assert (importer.changed, importer.unchanged) == (1, len(rows) - 1)
    assert Region.objects.get(code="990101001002").name == "改名社区"


def test_one_empty_name_refuses_the_whole_list_naming_its_row():
    rows = tree(1, 2, 2)
    rows[3] = (rows[3][0], "")
    before = Region.objects.count()
    with pytest.raises(ImportFailed) as refused:
        import_division_file(division_csv(rows), filename="divisions.csv")
    assert Region.objects.count() == before
    assert any("5" in str(message) for message in refused.value.messages)  # row 5: header + 4


def test_the_same_code_twice_with_two_names_is_refused():
    rows = [*tree(1, 1, 1), ("990101001", "另一个名字")]
    with pytest.raises(ImportFailed) as refused:
        import_division_file(division_csv(rows), filename="divisions.csv")
    assert not Region.objects.filter(code__startswith="99").exists()
    assert "另一个名字" not in str(refused.value.messages) and refused.value.messages

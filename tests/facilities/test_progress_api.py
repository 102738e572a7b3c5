"""The progress API answers with the same figures as the printed 004 table and the portal page:
the imported table's own 已建 / 已移交 / 未移交 (``official_*``, never replaced) beside the
registry's counts, null for a town the table does not list; the schema documents both."""

import datetime as dt

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import api_client_for

from .conftest import make_room
from .test_targets import GOOD, _import

pytestmark = pytest.mark.django_db

FIGURES = ("official_built", "official_handed_over", "official_not_handed_over", "built", "handed_over")


def test_the_official_figures_stand_beside_the_registrys_counts(nanan):
    # 溪美街道 only: 6 built, 4 handed over, 2 not (the table's words); 柳城街道 not listed
    _import(nanan, [GOOD[0], ["合计", 6, 4, 2, 4, 1, 2, 1, ""]])
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1), operating_since=dt.date(2025, 10, 1))
    make_room(nanan, location="b")  # built, not handed over
    make_room(nanan, compound=nanan.other_compound)
    answer = api_client_for(nanan.bureau_officer).get(
        "/api/v1/guidance-targets/progress/", {"county": "350583"}
    )
    assert answer.status_code == 200
    towns = {row["name"]: row for row in answer.json()["towns"]}
    ximei, liucheng, total = towns["溪美街道"], towns["柳城街道"], answer.json()["total"]
    assert [ximei[k] for k in FIGURES] == [6, 4, 2, 2, 1]
    assert ximei["not_handed_over"] == 1 and ximei["target"] == 4
    # a town the table does not list: no official figures, the registry's own all the same
    assert [liucheng[k] for k in FIGURES] == [None, None, None, 1, 0]
    assert [total[k] for k in FIGURES] == [6, 4, 2, 3, 1]


def test_the_api_agrees_with_the_printed_table(nanan):
    _import(nanan, GOOD)
    make_room(nanan, handed_over_on=dt.date(2024, 1, 1))
    towns = {
        row["name"]: row
        for row in api_client_for(nanan.bureau_officer)
        .get("/api/v1/guidance-targets/progress/", {"county": "350583"})
        .json()["towns"]
    }
    client = api_client_for(nanan.bureau_officer)
    client.force_login(nanan.bureau_officer)
    page = client.get("/facilities/progress/print/", {"county": "350583"}).content.decode()
    row = page[page.index("<tr><td>溪美街道</td>") :]
    row = row[: row.index("</tr>")]
    ximei = towns["溪美街道"]
    expected = (
        f"<td>{ximei['official_built']}</td><td>{ximei['official_handed_over']}</td>"
        f"<td>{ximei['official_not_handed_over']}</td>"
    )
    assert expected in row and ximei["official_built"] == 6


def test_the_schema_documents_both_sets_of_figures():
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["TownProgress"]["properties"]
    for name in ("official_built", "official_handed_over", "official_not_handed_over"):
        assert fields[name]["type"] == "integer" and fields[name]["nullable"] is True
        assert "imported guidance table" in fields[name]["description"]
    assert "registry" in fields["built"]["description"]

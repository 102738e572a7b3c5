"""The station choices of the staff and resource forms are joined in one pass (a district offers
thousands): the same markup, the chosen ones marked, names escaped, and a query count that does
not grow with the stations."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from staff.forms import ResourceForm, StaffForm
from stations.models import Station


def _more_stations(world, count, name="加站"):
    Station.objects.bulk_create(
        Station(operator=world.company_a, region=world.regions["310105001"], name=f"{name}{n}", address="路")
        for n in range(count)
    )


def test_the_chosen_stations_are_checked_and_names_escaped(world, station_a):
    _more_stations(world, 2, name="<b>站</b>")
    form = StaffForm(user=world.company_a_admin, initial={"stations": [station_a.pk]})
    html = str(form["stations"])
    assert f'value="{station_a.pk}" id="id_stations_' in html
    checked = [part for part in html.split("<div>") if "checked" in part]
    assert len(checked) == 1 and station_a.name in checked[0]
    assert "&lt;b&gt;站&lt;/b&gt;" in html and "<b>站" not in html

    bound = ResourceForm({"station": str(station_a.pk)}, user=world.company_a_admin)
    select = str(bound["station"])
    assert select.startswith('<select name="station"') and 'id="id_station"' in select
    assert f'<option value="{station_a.pk}" selected>{station_a.name}</option>' in select
    assert '<option value="">---------</option>' in select


def test_rendering_the_forms_does_not_query_per_station(world, station_a):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            str(StaffForm(user=world.company_a_admin)["stations"])
            str(ResourceForm(user=world.company_a_admin)["station"])
        return len(captured.captured_queries)

    few = queries()
    _more_stations(world, 40)
    assert queries() == few

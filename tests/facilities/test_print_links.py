"""The facilities' print views are reached from the portal pages and the admin change forms that
show what they print, and cost a fixed number of queries, the PDF no more than the page."""

import pytest
from django.test import Client

from facilities.models import GuidanceTarget
from tests.factories import PASSWORD

from .test_print_views import agreement, inspection, room  # noqa: F401 - fixtures used by name
from .test_targets import GOOD, _import

pytestmark = pytest.mark.django_db


def logged_in(username, language="zh-hans"):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rooms_page_links_each_inspection_record(nanan, room, inspection, language):  # noqa: F811
    page = logged_in("ximei_officer", language).get(f"/facilities/rooms/{room.pk}/").content.decode()
    assert f'href="/facilities/inspections/{inspection.pk}/print/"' in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_agreement_list_and_application_link_the_agreement(nanan, agreement, language):  # noqa: F811
    client = logged_in("ximei_officer", language)
    listing = client.get("/facilities/agreements/").content.decode()
    assert f'href="/facilities/agreements/{agreement.pk}/print/"' in listing
    page = client.get(f"/facilities/applications/{agreement.application_id}/").content.decode()
    assert f'href="/facilities/agreements/{agreement.pk}/print.pdf"' in page


def test_the_admin_change_forms_link_the_inspection_and_the_agreement(nanan, inspection, agreement):  # noqa: F811
    client = logged_in("na_officer")
    page = client.get(f"/admin/facilities/inspection/{inspection.pk}/change/").content.decode()
    assert f'href="/facilities/inspections/{inspection.pk}/print/"' in page
    assert f'href="/facilities/inspections/{inspection.pk}/print.pdf"' in page
    page = client.get(f"/admin/facilities/entrustmentagreement/{agreement.pk}/change/").content.decode()
    assert f'href="/facilities/agreements/{agreement.pk}/print/"' in page
    assert f'href="/facilities/agreements/{agreement.pk}/print.pdf"' in page


def test_a_guidance_targets_admin_page_links_its_countys_progress_table(nanan):
    _import(nanan, GOOD)
    target = GuidanceTarget.objects.get(town=nanan.ximei)
    page = (
        logged_in("na_officer").get(f"/admin/facilities/guidancetarget/{target.pk}/change/").content.decode()
    )
    assert 'href="/facilities/progress/print/?county=350583"' in page
    assert 'href="/facilities/progress/print.pdf?county=350583"' in page
    assert logged_in("na_officer").get("/facilities/progress/print/?county=350583").status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_progress_page_links_the_print_and_the_pdf(nanan, language):
    _import(nanan, GOOD)
    page = (
        logged_in("na_officer", language).get("/facilities/progress/", {"county": "350583"}).content.decode()
    )
    assert 'href="/facilities/progress/print/?county=350583"' in page
    assert 'href="/facilities/progress/print.pdf?county=350583"' in page


def test_the_agreement_print_costs_a_fixed_number_of_queries_and_its_pdf_no_more(
    nanan,
    agreement,  # noqa: F811
    django_assert_num_queries,
):
    client = logged_in("ximei_officer")
    client.get(f"/facilities/agreements/{agreement.pk}/print/")  # session and scope warmed
    # the session (the user and scope come with it), the agreement with its room, compound,
    # region, bureau, town and application in one join
    with django_assert_num_queries(2) as page:
        assert client.get(f"/facilities/agreements/{agreement.pk}/print/").status_code == 200
    with django_assert_num_queries(len(page)):
        assert client.get(f"/facilities/agreements/{agreement.pk}/print.pdf").status_code == 200


def test_the_inspection_pdf_costs_what_its_page_costs(nanan, room, inspection, django_assert_num_queries):  # noqa: F811
    client = logged_in("ximei_officer")
    client.get(f"/facilities/inspections/{inspection.pk}/print/")
    with django_assert_num_queries(4) as page:
        assert client.get(f"/facilities/inspections/{inspection.pk}/print/").status_code == 200
    with django_assert_num_queries(len(page)):
        assert client.get(f"/facilities/inspections/{inspection.pk}/print.pdf").status_code == 200


def test_the_guidance_targets_admin_list_names_the_towns_without_their_codes(nanan):
    _import(nanan, GOOD)
    page = logged_in("na_officer").get("/admin/facilities/guidancetarget/").content.decode()
    assert nanan.ximei.name in page
    assert f"（{nanan.ximei.code}）" not in page  # the annex names a town, not its division code

"""The applications list: search by unit, credit code or project lead; state filters; reviewers
start on what awaits their opinion and never see others' drafts; the export holds exactly the
filtered rows; the number of queries does not grow with the rows."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pilots import services
from tests.factories import PASSWORD, OrganizationFactory, make_user
from tests.pilots.conftest import FULL_FORM
from tests.pilots.test_api_and_scoping import api_client_for

pytestmark = pytest.mark.django_db

LIST = "/pilots/applications/"


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def apply(world, call, name, *, submit=True, lead="张三"):
    company = OrganizationFactory(name=name, region=world.regions["310105001"])
    user = make_user(f"u{company.pk}", company, "org_admin")
    application = services.create_application(
        by=user,
        programme=call,
        organization=company,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
        **{**FULL_FORM, "project_lead": lead},
    )
    if submit:
        application = services.transition(application, "submit", by=user)
    return application


def ids(response):
    return [a.pk for a in response.context["applications"]]


def exported(response):
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    return sorted(row[0] for row in rows if isinstance(row[0], int))


def test_a_reviewer_starts_on_what_awaits_the_opinion_without_drafts(world, call, draft):
    submitted = apply(world, call, "乙颐养")
    recommended = services.transition(apply(world, call, "丙颐养"), "recommend", by=world.street_officer)
    street = logged_in("hy_officer")
    first = street.get(LIST)
    assert first.status_code == 302 and first["Location"].endswith("?awaiting=yes")
    assert ids(street.get(first["Location"])) == [submitted.pk]
    everything = ids(street.get(LIST, {"q": ""}))
    assert draft.pk not in everything  # another unit's draft is never listed
    assert set(everything) == {submitted.pk, recommended.pk}
    assert ids(street.get(LIST, {"status": "draft"})) == []
    bureau = logged_in("cn_officer")
    assert ids(bureau.get(LIST, {"awaiting": "yes"})) == [recommended.pk]


def test_the_applicant_lists_its_own_drafts_with_no_reviewer_filter(world, call, draft):
    page = logged_in("a_admin").get(LIST)
    assert page.status_code == 200 and ids(page) == [draft.pk]
    assert "awaiting" not in page.context["filter"].form.fields


def test_search_by_unit_credit_code_and_lead_and_filter_by_state(world, call):
    first = apply(world, call, "松鹤物业", lead="王五")
    second = apply(world, call, "康乐物业", lead="赵六")
    services.transition(second, "return", by=world.street_officer, text="请补充")
    client = logged_in("cn_officer")
    assert ids(client.get(LIST, {"q": "松鹤"})) == [first.pk]
    assert ids(client.get(LIST, {"q": "赵六"})) == [second.pk]
    assert ids(client.get(LIST, {"q": first.organization.credit_code})) == [first.pk]
    assert ids(client.get(LIST, {"status": "returned"})) == [second.pk]
    refused = client.get(LIST, {"status": "nonsense"})
    assert refused.status_code == 200 and ids(refused) == [] and refused.context["filter"].errors


def test_the_export_holds_exactly_the_filtered_rows(world, call, draft):
    first = apply(world, call, "松鹤物业")
    second = apply(world, call, "康乐物业")
    client = logged_in("hy_officer")
    page = client.get(LIST, {"q": "松鹤", "status": "submitted"})
    assert "export=xlsx" in page.context["export_query"] and "q=" in page.context["export_query"]
    assert exported(client.get(f"{LIST}?{page.context['export_query']}")) == [first.pk]
    assert exported(client.get(LIST, {"q": "", "export": "xlsx"})) == sorted([first.pk, second.pk])


def test_the_list_costs_the_same_queries_for_more_rows(world, call):
    client = logged_in("cn_officer")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"q": ""}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        apply(world, call, f"少{i}")
    small = count()
    for i in range(8):
        apply(world, call, f"多{i}")
    assert count() == small


def test_the_api_lists_and_exports_no_others_drafts_but_finds_one_by_id(world, call, draft):
    submitted = apply(world, call, "松鹤物业")
    client = api_client_for(world.street_officer)
    assert [a["id"] for a in client.get("/api/v1/applications/").json()["results"]] == [submitted.pk]
    content = b"".join(client.get("/api/v1/applications/export/").streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert sorted(row[0] for row in rows if isinstance(row[0], int)) == [submitted.pk]
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 200

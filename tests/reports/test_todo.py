"""The to-do page (待办): each role sees the steps that wait on it and nothing of another region or
another role; the home page's badges; fixed query counts."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from checklists.models import ChecklistVersion
from checklists.services import perform
from facilities.models import UseApplication
from facilities.services.use import act_on_application
from pilots import services as pilot_services
from pilots.models import Application
from reports import jobs, todo
from reports.evaluation.services import run_evaluation
from reports.models import ExportJob, Finding

from .evaluation_data import make_station, publicity, scheme_for
from .reminder_cases import _room, _station, build_applications, build_recommended, build_violations

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 6, 20)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def groups(user):
    return {group.key: group for group in todo.groups_for(user)}


def keys_of(group):
    return {row.url for row in group.rows}


def use_application(world, status, compound_region=None):
    room = _room(world)
    if compound_region is not None:
        room.compound.region = compound_region
        room.compound.save()
    return UseApplication.objects.create(room=room, town=world.huayang_office, status=status)


def station_list(world, station, state="submitted"):
    return ChecklistVersion.objects.create(
        station=station, region=station.region, number=1, state=state, submitted_at=timezone.now()
    )


# --- what each role sees ------------------------------------------------------------------------


def test_street_officer_sees_submitted_applications_of_the_street_only(world, other_street_officer):
    [submitted] = build_applications(world, 1, DUE)
    build_recommended(world, 1, DUE)

    mine = groups(world.street_officer)["applications"]
    assert mine.count == 1
    assert keys_of(mine) == {reverse("pilots:application-detail", args=[submitted.pk])}
    # the officer of another street of the same district has nothing to review
    assert groups(other_street_officer)["applications"].count == 0


def test_issuing_bureau_sees_recommended_applications_not_submitted_ones(world):
    build_applications(world, 2, DUE)
    [recommended] = build_recommended(world, 1, DUE)

    mine = groups(world.changning_officer)["applications"]
    assert mine.count == 1
    assert keys_of(mine) == {reverse("pilots:application-detail", args=[recommended.pk])}


def test_a_company_never_sees_review_items_but_its_returned_applications(world):
    build_applications(world, 1, DUE)
    [returned] = build_applications(world, 1, DUE)
    type(returned).objects.filter(pk=returned.pk).update(status="returned")

    mine = groups(world.company_a_admin)
    assert "applications" not in mine and "use_applications" not in mine and "price_lists" not in mine
    assert mine["returned_applications"].count == 1
    assert groups(world.company_b_admin)["returned_applications"].count == 0


def test_another_regions_officer_sees_nothing_of_this_region(world):
    build_applications(world, 2, DUE)
    build_recommended(world, 2, DUE)
    build_violations(world, 2, DUE)
    use_application(world, "applied")

    theirs = groups(world.nanan_officer)
    assert all(group.count == 0 for group in theirs.values()), {k: g.count for k, g in theirs.items()}


def test_a_viewer_takes_no_steps(world):
    build_recommended(world, 1, DUE)
    build_violations(world, 1, DUE)
    make_station(world.company_a, world.regions["310105001"], "丙站")
    run_evaluation(scheme_for(world, [("publicity_events", 100, 1, "at_least")]), dt.date(2026, 9, 1))
    assert Finding.objects.open().exists()
    # statistics staff read everything of the district and answer for nothing
    assert groups(world.changning_viewer) == {}
    body = client_for(world.changning_viewer).get(reverse("reports:todo")).content.decode()
    assert "todo-summary" not in body
    assert client_for(world.changning_viewer).get(reverse("reports:todo-count")).json() == {"total": 0}


def test_use_application_steps_wait_on_the_town_or_the_bureau_as_the_procedure_says(world):
    contacted = use_application(world, "contacted")  # the town applies
    applied = use_application(world, "applied")  # the bureau surveys
    signed = use_application(world, "signed")  # the town puts it into operation

    town = keys_of(groups(world.street_officer)["use_applications"])
    bureau = keys_of(groups(world.changning_officer)["use_applications"])
    link = lambda a: reverse("facilities:application", args=[a.pk])  # noqa: E731
    assert town == {link(contacted), link(signed)}
    assert bureau == {link(applied)}
    assert "use_applications" not in groups(world.company_a_admin)


def test_violations_wait_on_the_registry_and_on_the_rooms_operator(world):
    [violation] = build_violations(world, 1, DUE)  # the room is operated by company A

    for user in (world.street_officer, world.changning_officer, world.company_a_admin):
        assert groups(user)["violations"].count == 1, user
    assert groups(world.company_b_admin)["violations"].count == 0
    type(violation).objects.filter(pk=violation.pk).update(state="rectifying")
    assert groups(world.street_officer)["violations"].count == 1
    type(violation).objects.filter(pk=violation.pk).update(state="closed", closed_in=violation.found_in)
    assert groups(world.street_officer)["violations"].count == 0


def test_price_lists_wait_on_the_street_office_of_the_station(world, other_street_officer):
    version = station_list(world, _station(world))

    mine = groups(world.street_officer)["price_lists"]
    assert keys_of(mine) == {reverse("checklists:version", args=[version.pk])}
    assert groups(other_street_officer)["price_lists"].count == 0
    assert "price_lists" not in groups(world.changning_officer)
    assert groups(world.company_a_admin)["station_lists"].count == 0  # submitted: not the company's turn
    type(version).objects.filter(pk=version.pk).update(state="returned")
    assert groups(world.company_a_admin)["station_lists"].count == 1


def test_a_source_is_a_function_added_to_the_registry(world, monkeypatch):
    def findings(user):
        return todo.TodoGroup(
            "findings",
            "Findings",
            "/findings/",
            type(world.company_a).objects.filter(pk=world.company_a.pk),
            lambda obj: todo.TodoRow(obj.name, "", "/findings/1/"),
        )

    monkeypatch.setattr(todo, "SOURCES", [*todo.SOURCES, findings])
    response = client_for(world.changning_officer).get(reverse("reports:todo"))
    assert response.context["groups"][-1].key == "findings"
    assert "/findings/1/" in response.content.decode()


def test_an_evaluation_finding_waits_on_the_company_and_the_officers_follow_it_up(
    world, other_street_officer
):
    station = make_station(world.company_a, world.regions["310105001"], "甲站")
    scheme = scheme_for(world, [("publicity_events", 100, 1, "at_least")])
    run_evaluation(scheme, dt.date(2026, 9, 1))
    finding = Finding.objects.get(station=station)
    link = reverse("reports:evaluation_finding", args=[finding.pk])
    # the company that runs the station puts it right: one of its own steps
    response = client_for(world.company_a_admin).get(reverse("reports:todo"))
    group = {g.key: g for g in response.context["groups"]}["findings"]
    assert group.count == 1 and not group.follow_up and link in response.content.decode()
    assert "findings_to_follow_up" not in groups(world.company_a_admin)
    # the district's and the street's officers see it, to follow up, not among their own steps
    for user in (world.changning_officer, world.street_officer):
        response = client_for(user).get(reverse("reports:todo"))
        shown = {g.key: g for g in response.context["groups"]}
        assert "findings" not in shown, user
        assert shown["findings_to_follow_up"].count == 1 and shown["findings_to_follow_up"].follow_up
        assert link in response.content.decode(), user
        assert response.context["total"] == 0
        assert client_for(user).get(reverse("reports:todo-count")).json() == {"total": 0}
    # the company that does not run the station, another street's and another district's officers
    assert groups(world.company_b_admin)["findings"].count == 0
    for user in (other_street_officer, world.nanan_officer):
        assert groups(user)["findings_to_follow_up"].count == 0, user


def _findings_for_officers(world, stations):
    for n in range(stations):
        make_station(world.company_a, world.regions["310105001"], f"站{n}")
    run_evaluation(scheme_for(world, [("publicity_events", 100, 1, "at_least")]), dt.date(2026, 9, 1))


def test_the_officers_own_steps_come_first_and_only_they_are_counted(world):
    """cn_civil's page was buried under the companies' findings: the one application to review
    comes first, the findings after it under their own heading, and the count is the one step."""
    [submitted] = build_applications(world, 1, DUE)
    _findings_for_officers(world, 4)
    followed = Finding.objects.open().count()
    assert followed == 4
    client = client_for(world.street_officer)
    response = client.get(reverse("reports:todo"))
    keys = [group.key for group in response.context["groups"]]
    assert keys[0] == "applications" and keys[-1] == "findings_to_follow_up"
    assert response.context["total"] == 1
    body = response.content.decode()
    assert body.index('id="applications"') < body.index('id="findings_to_follow_up"')
    # the note that the findings are followed up, not acted on, is under their heading only
    assert body.count('<p class="muted">') == 1
    assert body.index('id="findings_to_follow_up"') < body.index('<p class="muted">')
    assert "Findings to follow up" in body or "待跟进的考核问题" in body
    assert client.get(reverse("reports:todo-count")).json() == {"total": 1}
    home = client.get(reverse("home")).content.decode()
    assert '<span class="badge">1</span>' in home  # the application: a step of the officer's own
    assert f'<span class="badge zero">{followed}</span>' in home  # the findings: grey, apart


def test_many_findings_to_follow_up_are_summarised_per_organisation(world):
    _findings_for_officers(world, 6)  # 6 findings, all addressed to company A
    group = groups(world.changning_officer)["findings_to_follow_up"]
    assert group.count == 6 > todo.FOLLOW_UP_LISTED and group.summarised
    with translation.override("en"):
        [row] = group.rows
    assert row.text == world.company_a.name
    assert row.detail == "open findings: 6, stations: 6"
    assert row.url == f"{reverse('reports:evaluation_findings')}?state=open&organization={world.company_a.pk}"
    # the link lists that organisation's open findings, and only within the officer's scope
    listed = client_for(world.changning_officer).get(row.url).context["findings"]
    assert len(listed) == 6 and {f.organization_id for f in listed} == {world.company_a.pk}
    other = client_for(world.changning_officer).get(
        reverse("reports:evaluation_findings"), {"state": "open", "organization": world.company_b.pk}
    )
    assert len(other.context["findings"]) == 0
    refused = client_for(world.changning_officer).get(
        reverse("reports:evaluation_findings"), {"organization": "x"}
    )
    assert refused.status_code == 200 and len(refused.context["findings"]) == 0
    # the export still lists every finding with its own link
    response = client_for(world.changning_officer).get(reverse("reports:todo"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    links = [row[3] for row in sheet.iter_rows(values_only=True) if str(row[3] or "").startswith("http")]
    assert sum("/evaluations/findings/" in link for link in links) == 6


def test_empty_groups_and_kinds_of_no_concern_are_not_shown(world):
    """A Shanghai company operates no care room: no care-room group on its page or home."""
    build_applications(world, 1, DUE)
    [returned] = build_applications(world, 1, DUE)
    type(returned).objects.filter(pk=returned.pk).update(status="returned")
    client = client_for(world.company_a_admin)
    response = client.get(reverse("reports:todo"))
    assert [g.key for g in response.context["groups"]] == ["returned_applications"]
    body = response.content.decode()
    assert 'id="violations"' not in body and "Care-room" not in body and "养老服务用房" not in body
    home = client.get(reverse("home")).content.decode()
    assert "#returned_applications" in home and "#violations" not in home and "#station_lists" not in home
    # with nothing at all waiting, the page says so rather than listing empty groups
    type(returned).objects.filter(pk=returned.pk).update(status="draft")
    body = client.get(reverse("reports:todo")).content.decode()
    assert 'class="section' not in body
    assert "Nothing waits on you now." in body or "目前没有等待您办理的事项" in body


def test_the_link_reads_view_and_the_headers_are_capitalised(world):
    build_applications(world, 1, DUE)
    client = client_for(world.street_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("reports:todo")).content.decode()
    assert "<th>Item</th><th>State</th>" in body and ">View</a>" in body and ">Open</a>" not in body
    findings = client.get(reverse("reports:evaluation_findings")).content.decode()
    assert "<th>Name</th><th>Indicator</th>" in findings and "<th>State</th></tr>" in findings
    assert "<label>Found in (YYYY-MM) " in findings
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get(reverse("reports:todo")).content.decode()
    with translation.override("zh-hans"):
        link, state = translation.pgettext("to-do", "View"), translation.pgettext("finding", "Open")
    assert f">{link}</a>" in body and link != state


# --- the pages ----------------------------------------------------------------------------------


def test_todo_page_lists_rows_with_links_for_the_street_officer(world):
    [submitted] = build_applications(world, 1, DUE)
    response = client_for(world.street_officer).get(reverse("reports:todo"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("pilots:application-detail", args=[submitted.pk]) in body
    assert 'id="applications"' in body


def test_todo_page_needs_a_login(world):
    response = Client().get(reverse("reports:todo"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get(reverse("reports:todo-count")).status_code == 302


def test_the_headers_count_is_the_sum_of_the_groups(world):
    build_applications(world, 2, DUE)
    use_application(world, "contacted")
    response = client_for(world.street_officer).get(reverse("reports:todo-count"))
    assert response.json() == {"total": 3}
    assert client_for(world.nanan_officer).get(reverse("reports:todo-count")).json() == {"total": 0}


def test_every_page_links_to_the_todo_page_without_counting(world):
    response = client_for(world.street_officer).get(reverse("stations:finder"))
    assert reverse("reports:todo-count") in response.content.decode()


def test_home_page_shows_a_badge_per_group(world):
    build_applications(world, 2, DUE)
    body = client_for(world.street_officer).get(reverse("home")).content.decode()
    assert 'id="todo-summary"' in body
    assert reverse("reports:todo") + "#applications" in body
    assert '<span class="badge">2</span>' in body
    company = client_for(world.company_b_admin).get(reverse("home")).content.decode()
    assert "#applications" not in company


def test_todo_export_has_every_row(world):
    build_applications(world, 3, DUE)
    response = client_for(world.street_officer).get(reverse("reports:todo"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    assert sum(1 for row in values if str(row[3] or "").startswith("http")) == 3


def test_a_long_todo_export_is_written_in_the_background_with_the_same_rows(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build_applications(world, 3, DUE)
    client = client_for(world.street_officer)
    instant = client.get(reverse("reports:todo"), {"export": "xlsx"})
    instant_rows = list(load_workbook(io.BytesIO(b"".join(instant.streaming_content))).active.values)
    assert not ExportJob.objects.exists()
    settings.EXPORT_ASYNC_THRESHOLD = 2  # three rows: above it
    response = client.get(reverse("reports:todo"), {"export": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/#job-{job.pk}"
    assert (job.key, job.user, job.params) == (
        "todo",
        world.street_officer,
        {"base_url": "http://testserver/"},
    )
    assert dict(job.filter_items) == {}  # shown as "all the rows you can see", not the address
    job.refresh_from_db()  # without a broker the job ran when the request's transaction ended
    if job.state == "queued":
        jobs.run_export_job(job.pk)
        job.refresh_from_db()
    assert job.state == "done" and job.rows_written == 3
    assert list(load_workbook(job.file.path).active.values) == instant_rows


def _load(world, n):
    build_applications(world, n, DUE)
    build_recommended(world, n, DUE)
    build_violations(world, n, DUE)
    for _ in range(n):
        use_application(world, "contacted")
        station_list(world, _station(world))


@pytest.mark.parametrize("user_name", ["street_officer", "changning_officer", "company_a_admin"])
def test_todo_page_and_home_cost_the_same_queries_for_3_and_for_30_items(world, user_name):
    user = getattr(world, user_name)
    client = client_for(user)
    _load(world, 3)
    with CaptureQueriesContext(connection) as page_3:
        client.get(reverse("reports:todo"))
    with CaptureQueriesContext(connection) as home_3:
        client.get(reverse("home"))
    _load(world, 27)
    with CaptureQueriesContext(connection) as page_30:
        client.get(reverse("reports:todo"))
    with CaptureQueriesContext(connection) as home_30:
        client.get(reverse("home"))
    assert len(page_30) == len(page_3)
    assert len(home_30) == len(home_3)


def test_home_pays_one_query_per_group(world, monkeypatch):
    client = client_for(world.street_officer)
    client.get(reverse("home"))  # the session is warm
    with CaptureQueriesContext(connection) as with_todo:
        client.get(reverse("home"))
    assert [group.key for group in todo.groups_for(world.street_officer)] == [
        "applications",
        "use_applications",
        "violations",
        "price_lists",
        "findings",
        "findings_to_follow_up",
    ]
    monkeypatch.setattr(todo, "SOURCES", [])
    with CaptureQueriesContext(connection) as without:
        client.get(reverse("home"))
    # the user's scope (one query), then one count per group; a street office is responsible for
    # no finding of its own, so its own findings group is empty without a query
    assert len(with_todo) - len(without) == 1 + 5


# --- one road with the application list; an item leaves the list when its step is taken ----------


def _awaiting_on_the_list(user):
    """The applications the list page shows under "awaiting my opinion"."""
    response = client_for(user).get(reverse("pilots:application-list"), {"awaiting": "yes"})
    assert response.status_code == 200
    return {application.pk for application in response.context["applications"]}


def test_applications_to_review_are_the_lists_awaiting_my_opinion(world, other_street_officer):
    build_applications(world, 2, DUE)
    build_recommended(world, 2, DUE)
    reviewers = (world.street_officer, other_street_officer, world.changning_officer, world.nanan_officer)
    for user in reviewers:
        group = groups(user)["applications"]
        assert {a.pk for a in group.queryset} == _awaiting_on_the_list(user), user
        assert group.url == reverse("pilots:application-list") + "?awaiting=yes"
    assert groups(world.street_officer)["applications"].count == 2
    assert groups(world.changning_officer)["applications"].count == 2


def test_a_programme_with_two_issuers_lists_its_application_once(world):
    [recommended] = build_recommended(world, 1, DUE)
    # the same officer answers for two bureaus that both issued the programme
    second = type(world.changning_bureau).objects.create(
        name="长宁区第二民政办", kind="civil_affairs", region=world.regions["310105"]
    )
    recommended.programme.issuers.add(second)
    world.changning_officer.memberships.create(organization=second, role="officer")
    group = groups(world.changning_officer)["applications"]
    assert group.count == 1 and len(group.rows) == 1


def test_a_companys_admin_gives_no_opinion_even_on_its_own_programme(world):
    """An org_admin of a company holds an editing role, but only a government office reviews."""
    [recommended] = build_recommended(world, 1, DUE)
    recommended.programme.issuers.add(world.company_a)
    assert "applications" not in groups(world.company_a_admin)
    assert not pilot_services.awaiting_review(Application.objects.all(), world.company_a_admin).exists()


def test_an_application_moves_from_the_street_to_the_bureau_to_the_applicant(world):
    [application] = build_applications(world, 1, DUE)
    link = reverse("pilots:application-detail", args=[application.pk])
    assert keys_of(groups(world.street_officer)["applications"]) == {link}
    assert groups(world.changning_officer)["applications"].count == 0

    pilot_services.transition(application, "recommend", by=world.street_officer, text="同意推荐")
    assert groups(world.street_officer)["applications"].count == 0
    assert keys_of(groups(world.changning_officer)["applications"]) == {link}

    application.refresh_from_db()
    pilot_services.transition(application, "return", by=world.changning_officer, text="请补充材料")
    assert groups(world.changning_officer)["applications"].count == 0
    assert groups(world.company_a_admin)["returned_applications"].count == 1


def test_a_use_application_moves_from_the_town_to_the_bureau(world):
    application = use_application(world, "contacted")
    link = reverse("facilities:application", args=[application.pk])
    assert link in keys_of(groups(world.street_officer)["use_applications"])
    act_on_application(
        application,
        "apply",
        by=world.street_officer,
        text="申请使用",
        residents=800,
        elderly_residents=200,
        operating_mode="property_care",
        services="助餐、助浴",
    )
    assert link not in keys_of(groups(world.street_officer)["use_applications"])
    assert link in keys_of(groups(world.changning_officer)["use_applications"])


def test_a_price_list_leaves_the_street_office_once_returned(world):
    version = station_list(world, _station(world))
    assert groups(world.street_officer)["price_lists"].count == 1
    perform(version, "return", by=world.street_officer, reason="价格请按月标注")
    assert groups(world.street_officer)["price_lists"].count == 0
    assert groups(world.company_a_admin)["station_lists"].count == 1


def test_a_finding_leaves_the_list_when_a_later_run_meets_the_threshold(world):
    station = make_station(world.company_a, world.regions["310105001"], "乙站")
    scheme = scheme_for(world, [("publicity_events", 100, 1, "at_least")])
    run_evaluation(scheme, dt.date(2026, 9, 1))
    assert groups(world.company_a_admin)["findings"].count == 1
    publicity(station, dt.date(2026, 10, 5))
    run_evaluation(scheme, dt.date(2026, 10, 1))
    assert groups(world.company_a_admin)["findings"].count == 0
    assert groups(world.changning_officer)["findings"].count == 0

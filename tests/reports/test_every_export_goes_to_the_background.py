"""Every export the portal offers — each admin change list's, each API ``export`` route, each
portal list page's "export to Excel" link — becomes a background job above
EXPORT_ASYNC_THRESHOLD, and the job a worker runs from it is written. The roads are found from
the admin registry, the API router and the portal's URLs, so a new export is checked without
being named here."""

import re

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.urls import router
from reports import jobs, tasks
from reports.models import ExportJob
from tests.conftest import api_client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# API export routes that write a table bounded by the divisions or by one chart, never a list
# of records: they stay instant whatever the threshold (each with why).
ALWAYS_SMALL_API_EXPORTS = {
    "guidance-targets/progress/export": "one row per town of one county, and the total",
    "statistics/charts/export": "the figures behind one dashboard chart (months, streets)",
}
# Portal pages whose export link is not a list of records (each with why).
ALWAYS_SMALL_PORTAL_EXPORTS = {
    "/staff/training/progress/": "training person-times summed per street and per company of one year",
}


@pytest.fixture(autouse=True)
def every_export_is_large(settings, tmp_path, monkeypatch):
    settings.EXPORT_ASYNC_THRESHOLD = -1  # even an empty list is "above the threshold"
    settings.MEDIA_ROOT = tmp_path
    handed = []
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **o: handed.append(args[0]))
    return handed


@pytest.fixture
def root(world):
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def only_new_job(before: set[int]) -> ExportJob:
    [job] = ExportJob.objects.exclude(pk__in=before)
    return job


def ran(job) -> ExportJob:
    assert jobs.run_export_job(job.pk) == "done", job.error
    job.refresh_from_db()
    assert job.file and job.progress == 100
    return job


def test_every_admin_export_becomes_a_job_the_worker_writes(root):
    client = logged_in(root)
    checked = []
    for model, model_admin in django_admin.site._registry.items():
        definition = getattr(model_admin, "export_definition", None)
        if definition is None:
            continue
        opts = model._meta
        before = set(ExportJob.objects.values_list("pk", flat=True))
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_export"))
        assert response.status_code == 302, opts.label
        job = only_new_job(before)
        assert response["Location"] == f"/exports/#job-{job.pk}", opts.label
        assert (job.key, job.channel, job.user) == (definition.export_key, "admin", root)
        ran(job)
        checked.append(opts.label)
    assert len(checked) > 20


def _api_export_routes():
    """(path, viewset, action name) of every API action whose route ends in ``export``."""
    for prefix, viewset, _basename in router.registry:
        for extra in viewset.get_extra_actions():
            if extra.url_path == "export" or extra.url_path.endswith("/export"):
                yield f"{prefix}/{extra.url_path}", viewset, extra.__name__


def test_every_api_export_route_answers_202_with_a_job_the_worker_writes(root):
    client = api_client_for(root)
    checked, small = [], []
    for route, viewset, name in _api_export_routes():
        if route in ALWAYS_SMALL_API_EXPORTS:
            small.append(route)
            continue
        before = set(ExportJob.objects.values_list("pk", flat=True))
        response = client.get(f"/api/v1/{route}/")
        assert response.status_code == 202, (route, response.status_code)
        job = only_new_job(before)
        assert response.json()["id"] == job.pk and job.channel == "api", route
        if name == "export":
            assert job.key == viewset.export_definition.export_key
        ran(job)
        checked.append(route)
    assert sorted(small) == sorted(ALWAYS_SMALL_API_EXPORTS)  # no stale exemption
    assert "stations/revenue/export" in checked and "organizations/export" in checked
    assert len(checked) > 25


def _portal_pages(patterns=None, prefix=""):
    """The paths of the portal's pages that take no argument (not the admin, the API, the
    exports' own pages)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/", "i18n/", "exports/")):
                continue
            yield from _portal_pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "<" not in route and not route.startswith("^"):
            yield "/" + route.lstrip("^").rstrip("$")


EXPORT_LINK = re.compile(r'href="([^"]*[?&]export=xlsx[^"]*)"')


def test_every_portal_export_link_becomes_a_job_the_worker_writes(world, root):
    people = [world.changning_officer, world.company_a_admin, root]
    checked, small = {}, set()
    for path in sorted(set(_portal_pages())):
        for person in people:
            client = logged_in(person)
            page = client.get(path)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            links = set(EXPORT_LINK.findall(page.content.decode()))
            for link in links:
                link = link.replace("&amp;", "&")
                if link.startswith("?"):
                    link = path + link
                if link.split("?")[0] in ALWAYS_SMALL_PORTAL_EXPORTS:
                    small.add(link.split("?")[0])
                    continue
                before = set(ExportJob.objects.values_list("pk", flat=True))
                response = client.get(link)
                assert response.status_code == 302, (link, person.username, response.status_code)
                job = only_new_job(before)
                assert response["Location"] == f"/exports/#job-{job.pk}", link
                assert job.user == person and job.channel == "portal"
                ran(job)
                checked.setdefault(link.split("?")[0], set()).add(person.username)
    print(sorted(checked))
    assert small == set(ALWAYS_SMALL_PORTAL_EXPORTS)  # no stale exemption
    for listed in [
        "/staff/",
        "/staff/volunteers/",
        "/facilities/",
        "/evaluations/",
        "/evaluations/findings/",
    ]:  # /todo/ offers its export only when something waits (nothing does here): see test_todo
        assert any(path.startswith(listed) for path in checked), (listed, sorted(checked))

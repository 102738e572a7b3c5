import os
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from core import workflow
from regions.models import Region
from tests.factories import OrganizationFactory, make_user

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, except under REQUIRE_SERVICES=1 (CI), where it fails."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def pytest_sessionstart(session):
    # The Redis cache is shared by every run and, under `pytest -n`, by the workers, whose test
    # databases reuse the same ids: each session keeps its entries under a prefix of its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    for cache in settings.CACHES.values():
        cache["KEY_PREFIX"] = f"test-{worker}-{uuid.uuid4().hex[:8]}"
    # Production hardening is on whenever DEBUG is off; the test client and the live server
    # speak plain HTTP on localhost. Set for the whole session, before the live server's
    # middleware reads them.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Hashing speed is not under test; PBKDF2 at production strength costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if REQUIRE_SERVICES:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but the database is {engine}, not PostgreSQL")
        if not settings.REDIS_URL:
            raise pytest.UsageError("REQUIRE_SERVICES=1 but REDIS_URL is not set")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language: a request made in English by an
    earlier test leaves English active in the thread (LocaleMiddleware does not undo it)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _workflow_notices_at_once(request, monkeypatch):
    """Workflows notify after the commit. A test inside pytest-django's wrapping transaction
    never commits, so there the notices go out at once; transactional tests keep the real
    behaviour (tests/core/test_workflow.py checks it)."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        return

    monkeypatch.setattr(workflow, "after_commit", lambda callback: callback())


@pytest.fixture
def postgres(db):
    need(connection.vendor == "postgresql", "this test needs PostgreSQL (set DATABASE_URL)")


# The rows `import_regions` writes into an empty table, kept from the first import in this
# process: most tests need the divisions, and writing them again from memory costs a few
# inserts instead of reading and checking the seed file each time.
_SEED_REGION_ROWS: list[dict] = []


def _write_seed_regions():
    if Region.objects.exists() or not _SEED_REGION_ROWS:
        empty = not Region.objects.exists()
        call_command("import_regions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if empty and not _SEED_REGION_ROWS:
            fields = [f.attname for f in Region._meta.concrete_fields if not f.primary_key]
            _SEED_REGION_ROWS.extend(Region.objects.order_by("level", "code").values("pk", *fields))
        return
    new_pk = {}
    for level in sorted({row["level"] for row in _SEED_REGION_ROWS}):
        rows = [row for row in _SEED_REGION_ROWS if row["level"] == level]
        made = Region.objects.bulk_create(
            Region(
                **{key: value for key, value in row.items() if key not in ("pk", "parent_id")},
                parent_id=new_pk.get(row["parent_id"]),
            )
            for row in rows
        )
        new_pk.update({row["pk"]: region.pk for row, region in zip(rows, made, strict=True)})


@pytest.fixture
def seed_regions(db):
    """The shipped divisions of the seed localities (长宁区, 南安市, 中山市, 西城区, 西安市)."""
    if not Region.objects.filter(code="310105").exists():
        _write_seed_regions()
    return {region.code: region for region in Region.objects.all()}


@pytest.fixture
def api():
    return APIClient()


def api_client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(seed_regions):
    """Two districts' bureaus and companies: 长宁 (上海) and 南安 (福建)."""

    regions = seed_regions
    w = type("World", (), {})()
    w.regions = regions
    w.changning_bureau = OrganizationFactory(
        kind="civil_affairs", name="长宁区民政局", region=regions["310105"]
    )
    w.huayang_office = OrganizationFactory(
        kind="street_office", name="华阳路街道办事处", region=regions["310105001"]
    )
    w.nanan_bureau = OrganizationFactory(kind="civil_affairs", name="南安市民政局", region=regions["350583"])
    w.company_a = OrganizationFactory(
        kind="property_company", name="甲物业", region=regions["310105001"], has_property_licence=True
    )
    w.company_b = OrganizationFactory(kind="property_company", name="乙物业", region=regions["310105008"])
    w.nanan_company = OrganizationFactory(
        kind="property_company", name="南安丙物业", region=regions["350583001"]
    )
    w.changning_officer = make_user("cn_officer", w.changning_bureau, Role.OFFICER)
    w.changning_viewer = make_user("cn_viewer", w.changning_bureau, Role.VIEWER)
    w.street_officer = make_user("hy_officer", w.huayang_office, Role.OFFICER)
    w.nanan_officer = make_user("na_officer", w.nanan_bureau, Role.OFFICER)
    w.company_a_admin = make_user("a_admin", w.company_a, Role.ORG_ADMIN)
    w.company_b_admin = make_user("b_admin", w.company_b, Role.ORG_ADMIN)
    return w

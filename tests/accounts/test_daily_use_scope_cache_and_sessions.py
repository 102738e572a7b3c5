"""A user's scope is kept across requests until a membership, an organisation or a region
changes; sessions are saved at most once a minute, and idle ones still expire."""

import time
from unittest import mock

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import SessionRefreshMiddleware
from accounts.models import Membership, User
from accounts.scoping import scope_for
from tests.conftest import api_client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # a new object, as each request loads


def membership_queries(function):
    with CaptureQueriesContext(connection) as queries:
        result = function()
    return result, sum("accounts_membership" in query["sql"] for query in queries.captured_queries)


def test_the_scope_is_kept_across_requests(world):
    first, read = membership_queries(lambda: scope_for(fresh(world.changning_officer)))
    assert read == 1 and first.view_region_codes == ("310105",)
    again, read = membership_queries(lambda: scope_for(fresh(world.changning_officer)))
    assert read == 0 and again == first
    assert [m.organization.name for m in again.memberships] == ["长宁区民政局"]


@pytest.mark.parametrize("change", ["membership", "organisation", "region", "deleted"])
def test_a_change_of_what_the_scope_is_made_of_is_seen_at_once(world, change):
    officer = world.changning_officer
    assert scope_for(fresh(officer)).view_region_codes == ("310105",)
    membership = Membership.objects.get(user=officer)
    if change == "membership":
        membership.is_active = False
        membership.save()
    elif change == "organisation":
        world.changning_bureau.is_active = False
        world.changning_bureau.save()
    elif change == "region":
        region = world.regions["310105"]
        region.code = "310199"
        region.save()
    else:
        membership.delete()
    _scope, read = membership_queries(lambda: scope_for(fresh(officer)))
    assert read == 1
    expected = ("310199",) if change == "region" else ()
    assert _scope.view_region_codes == expected


def test_a_superuser_flag_is_read_from_the_user_not_the_cache(world):
    officer = world.changning_officer
    scope_for(fresh(officer))
    User.objects.filter(pk=officer.pk).update(is_superuser=True)
    assert scope_for(fresh(officer)).is_superuser


def login(world):
    client = Client()
    assert client.post(
        "/accounts/login/", {"username": world.changning_officer.username, "password": PASSWORD}
    ).status_code in (200, 302)
    assert "_auth_user_id" in client.session
    return client


def session_writes(client, url="/api/v1/organizations/"):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        query["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in query["sql"]
        for query in queries.captured_queries
    )


def test_reads_do_not_write_the_session_each_time(world):
    client = login(world)
    assert session_writes(client) == 0  # stamped when the login saved it
    assert session_writes(client) == 0


def test_an_idle_session_is_refreshed_once_a_minute_and_expires(world, settings):
    client = login(world)
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    later = time.time() + 61
    with mock.patch("accounts.middleware.time.time", return_value=later):
        assert session_writes(client) == 1
    assert Session.objects.get(session_key=key).expire_date > expiry  # the idle clock restarted
    with mock.patch("accounts.middleware.time.time", return_value=later + 30):
        assert session_writes(client) == 0
    # an idle session expires with its row and its cached copy: the API answers as to a stranger
    assert Session.objects.get(session_key=key).expire_date > timezone.now()
    SessionStore(session_key=key).delete()
    assert client.get("/api/v1/organizations/").status_code in (401, 403)


def test_the_idle_timeout_is_configured(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    names = settings.MIDDLEWARE
    assert names.index("accounts.middleware.SessionRefreshMiddleware") == (
        names.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    )
    assert SessionRefreshMiddleware.STAMP.startswith("_")


def test_requests_without_a_session_cookie_touch_no_session(world):
    client = api_client_for(world.changning_officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/organizations/").status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)

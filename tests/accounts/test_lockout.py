"""Login lockout (issue 10, item 9): failures lock the (username, client address) pair, not the
account, so an attacker cannot lock the owner out; one address trying many names is throttled;
known and unknown names get the same answers; the portal, the admin, ``authenticate`` and the
API's token authentication all go through the same counters."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuditEntry, LoginFailure
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


def attempt(client, username, password, url="/accounts/login/", address=ATTACKER, **extra):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def locked_text() -> str:
    """The refusal's fixed part in the portal's language (zh-hans once translated)."""
    with translation.override("zh-hans"):
        return str(services.LOCKED_MESSAGE)


def is_refused(response) -> bool:
    return response.status_code == 200 and locked_text() in response.content.decode()


def logged_in(client):
    return "_auth_user_id" in client.session


def test_sixth_attempt_from_the_same_address_is_refused_after_five_wrong_passwords(world, client):
    for _ in range(4):
        response = attempt(client, "cn_officer", "wrong-password")
        assert response.status_code == 200 and not is_refused(response)
    assert is_refused(attempt(client, "cn_officer", "wrong-password"))
    response = attempt(client, "cn_officer", PASSWORD)
    assert is_refused(response)
    assert response.context["form"].errors.as_data()["__all__"][0].code == "locked"
    assert not logged_in(client)
    assert AuditEntry.objects.filter(
        action="login_locked", object_id=str(world.changning_officer.pk), note__contains=ATTACKER
    ).exists()


def test_owner_signing_in_from_another_address_is_not_locked_by_an_attackers_failures(world, client):
    for _ in range(8):
        attempt(client, "cn_officer", "wrong-password", address=ATTACKER)
    assert not logged_in(client)
    response = attempt(client, "cn_officer", PASSWORD, address=OWNER)
    assert response.status_code == 302
    assert logged_in(client)


def test_one_address_trying_many_names_is_throttled_for_every_name(world, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for number in range(6):  # one guess per name: no pair reaches its own limit
        attempt(client, f"guess{number}", "wrong-password")
    response = attempt(client, "a_admin", PASSWORD)  # even a right password, from that address
    assert is_refused(response)
    assert not logged_in(client)
    assert AuditEntry.objects.filter(action="login_throttled", note__contains=ATTACKER).exists()
    # Other addresses are not slowed.
    assert attempt(client, "a_admin", PASSWORD, address=OWNER).status_code == 302


def _answer(response):
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return response.status_code, re.sub(r'name="username" value="[^"]*"', "", body)


def test_locked_known_and_unknown_names_get_identical_answers(world, client):
    for name in ("cn_officer", "no_such_user"):
        for _ in range(5):
            attempt(client, name, "wrong-password")
    known = attempt(client, "cn_officer", PASSWORD)
    unknown = attempt(client, "no_such_user", PASSWORD)
    assert is_refused(known)
    assert _answer(known) == _answer(unknown)


def test_throttled_address_gives_identical_answers_for_known_and_unknown_names(world, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        attempt(client, f"guess{number}", "x")
    known = attempt(client, "cn_officer", PASSWORD)
    unknown = attempt(client, "nobody_here", "whatever")
    assert is_refused(known)
    assert _answer(known) == _answer(unknown)


def test_lock_runs_out_and_success_resets_the_pair(world, client):
    for _ in range(5):
        attempt(client, "cn_officer", "wrong-password")
    LoginFailure.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    response = attempt(client, "cn_officer", PASSWORD)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="cn_officer").exists()
    # The address-wide count stays: a known account must not reset the throttle on guessing.
    assert LoginFailure.objects.get(username="", address=ATTACKER).failures == 5


def test_admin_login_is_locked_too(world, client):
    for _ in range(5):
        attempt(client, "cn_officer", "nope", url="/admin/login/")
    response = attempt(client, "cn_officer", PASSWORD, url="/admin/login/")
    assert is_refused(response)
    assert not logged_in(client)


def test_locked_pair_cannot_authenticate_by_any_path(world):
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        assert authenticate(request, username="cn_officer", password="wrong") is None
    assert authenticate(request, username="cn_officer", password=PASSWORD) is None
    other = RequestFactory().post("/", REMOTE_ADDR=OWNER)
    assert authenticate(other, username="cn_officer", password=PASSWORD) == world.changning_officer


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(world, client, settings):
    for number in range(5):
        attempt(client, "cn_officer", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    # Spoofed X-Forwarded-For did not spread the failures over five addresses.
    assert is_refused(attempt(client, "cn_officer", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.9.9"))


def test_client_address_behind_a_trusted_proxy_is_the_hop_the_proxy_appended(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert services.client_address(request) == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert services.client_address(request) == "198.51.100.9"  # not the client-written 1.2.3.4
    settings.TRUSTED_PROXY_COUNT = 2
    assert services.client_address(request) == "1.2.3.4"
    bad = factory.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="<script>")
    settings.TRUSTED_PROXY_COUNT = 1
    assert services.client_address(bad) == services.UNKNOWN_ADDRESS


def test_ipv6_addresses_of_one_subscriber_share_one_throttle(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for suffix in ("1", "2", "3"):
        services.record_login_failure(f"n{suffix}", f"2001:db8:1:2::{suffix}")
    assert services.login_allowed("someone", "2001:db8:1:2::99")[0] is False
    assert services.login_allowed("someone", "2001:db8:1:3::1")[0] is True


def test_guessed_api_tokens_count_against_the_address_and_it_is_then_refused(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    client = APIClient(REMOTE_ADDR=ATTACKER)
    client.credentials(HTTP_AUTHORIZATION="Bearer wy_guess")
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 401
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert locked_text() in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0
    # The password form from that address is refused too.
    form_client = APIClient()
    assert is_refused(attempt(form_client, "cn_officer", PASSWORD))
    # A real token still works from there: 256 random bits are not guessed.
    _token, secret = services.issue_token(world.changning_officer, name="ok")
    real = APIClient(REMOTE_ADDR=ATTACKER)
    real.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert real.get("/api/v1/me/").status_code == 200


def test_unlock_lifts_the_name_from_every_address(world, client):
    for address in (ATTACKER, OWNER):
        for _ in range(5):
            attempt(client, "cn_officer", "wrong", address=address)
    services.unlock(world.changning_officer, by=world.changning_officer)
    assert attempt(client, "cn_officer", PASSWORD, address=OWNER).status_code == 302
    assert AuditEntry.objects.filter(action="unlock", object_id=str(world.changning_officer.pk)).exists()


def test_stale_counters_are_cleared(world):
    services.record_login_failure("cn_officer", ATTACKER)
    assert services.clear_stale_login_failures() == 0
    later = timezone.now() + timedelta(minutes=16)
    assert services.clear_stale_login_failures(now=later) == 2
    assert not LoginFailure.objects.exists()


def test_session_expires_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # refreshed once a minute (SessionRefreshMiddleware)
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_weak_passwords_are_refused(world):
    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("cn_officer1", user=world.changning_officer)


def test_superuser_sees_and_lifts_locks_in_the_admin(world, client):
    for _ in range(5):
        attempt(client, "cn_officer", "wrong")
    UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = APIClient()
    admin.login(username="root", password=PASSWORD)
    page = admin.get("/admin/accounts/loginfailure/")
    assert page.status_code == 200 and "cn_officer" in page.content.decode()
    locked = LoginFailure.objects.get(username="cn_officer")
    response = admin.post(
        "/admin/accounts/loginfailure/", {"action": "lift_locks", "_selected_action": [locked.pk]}
    )
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(pk=locked.pk).exists()
    assert attempt(client, "cn_officer", PASSWORD).status_code == 302
    # An officer has no business with who tried which name.
    officer = APIClient()
    officer.login(username="cn_officer", password=PASSWORD)
    assert officer.get("/admin/accounts/loginfailure/").status_code == 403

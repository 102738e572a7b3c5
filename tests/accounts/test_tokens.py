"""API tokens: Bearer authentication, expiry, revocation, read-only, shown once, stored hashed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, hash_token_secret
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_bearer_token_authenticates_and_is_stored_hashed(world):
    token, secret = services.issue_token(world.changning_officer, name="呼叫中心")
    assert secret.startswith("wy_") and len(secret) > 40
    assert token.key_hash == hash_token_secret(secret) and secret not in token.key_hash
    response = bearer(secret).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "cn_officer"
    assert response.json()["region_codes"] == ["310105"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_expired_token_is_refused_with_a_clear_message(world):
    token, secret = services.issue_token(world.changning_officer, name="old", expires_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = bearer(secret).get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "过期" in response.json()["error"]["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_unknown_tokens_are_refused(world):
    token, secret = services.issue_token(world.changning_officer, name="x")
    services.revoke_token(token, by=world.changning_officer)
    assert "撤销" in bearer(secret).get("/api/v1/me/").json()["error"]["message"]
    assert bearer("wy_not-a-token").get("/api/v1/me/").status_code == 401


def test_read_only_token_cannot_write(world):
    _token, secret = services.issue_token(world.changning_officer, name="ro", read_only=True)
    client = bearer(secret)
    assert client.get(f"/api/v1/organizations/{world.company_a.pk}/").status_code == 200
    response = client.patch(f"/api/v1/organizations/{world.company_a.pk}/", {"address": "改"}, format="json")
    assert response.status_code == 403
    assert "只读" in response.json()["error"]["message"]
    world.company_a.refresh_from_db()
    assert world.company_a.address != "改"
    _token, rw_secret = services.issue_token(world.changning_officer, name="rw")
    assert (
        bearer(rw_secret)
        .patch(f"/api/v1/organizations/{world.company_a.pk}/", {"address": "改"}, format="json")
        .status_code
        == 200
    )


def test_api_issues_token_showing_the_secret_once(world):
    _token, secret = services.issue_token(world.company_a_admin, name="boot")
    client = bearer(secret)
    response = client.post(
        "/api/v1/tokens/", {"name": "设备", "read_only": True, "expires_days": 30}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    new_secret = body["secret"]
    assert bearer(new_secret).get("/api/v1/me/").status_code == 200
    listing = client.get("/api/v1/tokens/").json()["results"]
    assert {t["name"] for t in listing} == {"boot", "设备"}
    assert all("secret" not in t for t in listing)
    assert client.post(f"/api/v1/tokens/{body['id']}/revoke/").status_code == 200
    assert bearer(new_secret).get("/api/v1/me/").status_code == 401


def test_users_cannot_see_each_others_tokens(world):
    token, _ = services.issue_token(world.company_b_admin, name="b")
    _t, secret = services.issue_token(world.company_a_admin, name="a")
    assert bearer(secret).get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert bearer(secret).post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404


def test_issue_token_command_prints_a_working_secret(world):
    out, err = StringIO(), StringIO()
    call_command("issue_token", "cn_officer", "--read-only", "--expires-days", "7", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(key_hash=hash_token_secret(secret))
    assert token.read_only
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert bearer(secret).get("/api/v1/me/").status_code == 200


def test_token_page_in_portal_issues_and_revokes(world, client):
    client.login(username="a_admin", password=PASSWORD)
    response = client.post("/accounts/tokens/", {"name": "门户令牌", "expires_days": ""}, follow=True)
    secret = response.context["issued_secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.get(key_hash=hash_token_secret(secret))
    # The secret is not on the page any more once it is reloaded, and no second token is made.
    assert secret not in client.get("/accounts/tokens/").content.decode()
    assert ApiToken.objects.filter(user__username="a_admin").count() == 1
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None

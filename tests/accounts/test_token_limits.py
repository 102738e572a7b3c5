"""Tokens made through the API or the portal expire (at most API_TOKEN_MAX_DAYS, also the
default), and a token cannot mint one with more rights or a later expiry than itself; a
read-only token mints none (issue 10, item 10)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
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


def mint(secret, **data):
    return bearer(secret).post("/api/v1/tokens/", {"name": "child", **data}, format="json")


def days_left(token_id) -> float:
    token = ApiToken.objects.get(pk=token_id)
    return (token.expires_at - timezone.now()) / timedelta(days=1)


def test_token_minted_without_expiry_gets_the_cap(world, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    _parent, secret = services.issue_token(world.company_a_admin, name="boot")  # command line: no expiry
    response = mint(secret)
    assert response.status_code == 201, response.content
    assert 364.9 < days_left(response.json()["id"]) <= 365
    assert response.json()["expires_at"] is not None


def test_token_longer_than_the_cap_is_refused_naming_expires_days(world, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    _parent, secret = services.issue_token(world.company_a_admin, name="boot")
    response = mint(secret, expires_days=366)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and "expires_days" in body["fields"]
    assert "365" in body["fields"]["expires_days"][0]
    assert mint(secret, expires_days=10**12).status_code == 400  # no overflow, no 500
    assert ApiToken.objects.filter(user=world.company_a_admin).count() == 1


def test_token_cannot_mint_one_outliving_itself(world):
    parent, secret = services.issue_token(
        world.company_a_admin, name="short", expires_days=10, by=world.company_a_admin
    )
    response = mint(secret, expires_days=30)
    assert response.status_code == 400
    assert "expires_days" in response.json()["error"]["fields"]
    # Without a lifetime, the child ends when the parent does.
    response = mint(secret)
    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).expires_at == parent.expires_at
    # A shorter one is fine.
    assert mint(secret, expires_days=5).status_code == 201


def test_read_only_token_cannot_mint_tokens(world):
    _parent, secret = services.issue_token(world.company_a_admin, name="ro", read_only=True)
    for data in ({}, {"read_only": True}, {"read_only": False}):
        assert mint(secret, **data).status_code == 403
    assert ApiToken.objects.filter(user=world.company_a_admin).count() == 1
    parent = ApiToken.objects.get(user=world.company_a_admin)
    with pytest.raises(PermissionDenied):
        services.issue_token(
            world.company_a_admin, name="x", read_only=True, by=world.company_a_admin, via=parent
        )


def test_read_write_token_may_mint_a_read_only_one(world):
    _parent, secret = services.issue_token(
        world.company_a_admin, name="rw", expires_days=30, by=world.company_a_admin
    )
    response = mint(secret, read_only=True, expires_days=7)
    assert response.status_code == 201
    child = ApiToken.objects.get(key_hash=hash_token_secret(response.json()["secret"]))
    assert child.read_only and 6.9 < days_left(child.pk) <= 7


def test_portal_tokens_are_capped_too(world, client, settings):
    settings.API_TOKEN_MAX_DAYS = 90
    client.login(username="a_admin", password=PASSWORD)
    response = client.post("/accounts/tokens/", {"name": "太长", "expires_days": "91"})
    assert response.status_code == 200
    assert "expires_days" in response.context["form"].errors
    assert not ApiToken.objects.filter(user=world.company_a_admin).exists()
    client.post("/accounts/tokens/", {"name": "默认", "expires_days": ""})
    token = ApiToken.objects.get(user=world.company_a_admin)
    assert 89.9 < days_left(token.pk) <= 90

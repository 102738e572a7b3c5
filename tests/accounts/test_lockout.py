"""Login lockout: the fifth wrong password locks the account; the sixth attempt is refused even
with the right password, with a message saying why; the lock runs out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def test_sixth_attempt_is_refused_after_five_wrong_passwords(world, client):
    for _ in range(4):
        response = attempt(client, "cn_officer", "wrong-password")
        assert response.status_code == 200 and "锁定" not in response.content.decode()
    response = attempt(client, "cn_officer", "wrong-password")
    assert "锁定" in response.content.decode()
    response = attempt(client, "cn_officer", PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "多次输错密码" in page and "分钟" in page
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action="login_locked", object_id=str(world.changning_officer.pk)
    ).exists()


def test_lock_runs_out_and_success_resets_the_count(world, client):
    for _ in range(5):
        attempt(client, "cn_officer", "wrong-password")
    User.objects.filter(username="cn_officer").update(locked_until=timezone.now() - timedelta(seconds=1))
    response = attempt(client, "cn_officer", PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="cn_officer")
    assert user.failed_login_count == 0 and user.locked_until is None


def test_admin_login_is_locked_too(world, client):
    for _ in range(5):
        attempt(client, "cn_officer", "nope", url="/admin/login/")
    response = attempt(client, "cn_officer", PASSWORD, url="/admin/login/")
    assert response.status_code == 200
    assert "锁定" in response.content.decode()


def test_locked_user_cannot_authenticate_by_any_path(world):
    from django.contrib.auth import authenticate

    User.objects.filter(username="cn_officer").update(locked_until=timezone.now() + timedelta(minutes=5))
    assert authenticate(username="cn_officer", password=PASSWORD) is None


def test_session_expires_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_weak_passwords_are_refused(world):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("cn_officer1", user=world.changning_officer)

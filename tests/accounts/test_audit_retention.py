"""The audit log is append-only (issue 10, item 10): no update or delete in Python, and on
PostgreSQL a trigger refuses them by raw SQL too, except the documented retention purge of
entries older than AUDIT_RETENTION_DAYS (at least 180 days)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts import audit, services, tasks
from accounts.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entry(days_old: float, action="test") -> AuditEntry:
    return AuditEntry.objects.create(action=action, at=timezone.now() - timedelta(days=days_old), note="x")


def test_entries_cannot_be_changed_or_deleted_in_python(world):
    recent = entry(1)
    old = entry(400)
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=recent.pk).update(note="rewritten")
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=old.pk).delete()
    recent.note = "rewritten"
    with pytest.raises(ValidationError):
        recent.save()
    with pytest.raises(ValidationError):
        old.delete()
    assert AuditEntry.objects.get(pk=recent.pk).note == "x"
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def test_deleting_a_user_keeps_their_entries_with_the_name(world):
    user = UserFactory(username="leaver")
    written = audit.record(None, "test", actor=user)
    user.delete()
    written = AuditEntry.objects.get(pk=written.pk)
    assert written.actor is None and written.actor_repr == "leaver"


def test_purge_deletes_only_entries_older_than_the_retention(world, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, kept_young, kept_between = entry(400), entry(10), entry(200)
    assert services.purge_audit_entries() == 1
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {kept_young.pk, kept_between.pk} <= remaining
    purge = AuditEntry.objects.get(action="purge_audit")
    assert purge.changes == {"deleted": [None, 1], "retention_days": [None, 365]}


def test_purge_before_a_date_later_than_the_retention_allows_is_refused(world):
    young = entry(100)
    with pytest.raises(ValidationError) as raised:
        services.purge_audit_entries(before=timezone.now() - timedelta(days=30))
    assert "before" in raised.value.message_dict
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    older, oldest = entry(300), entry(500)
    assert services.purge_audit_entries(before=timezone.now() - timedelta(days=400)) == 1
    assert AuditEntry.objects.filter(pk=older.pk).exists()
    assert not AuditEntry.objects.filter(pk=oldest.pk).exists()


def test_retention_below_180_days_is_refused(world, settings):
    settings.AUDIT_RETENTION_DAYS = 90
    old = entry(120)
    with pytest.raises(ImproperlyConfigured):
        services.purge_audit_entries()
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    assert "accounts.E002" in {message.id for message in run_checks()}
    settings.AUDIT_RETENTION_DAYS = 180
    assert "accounts.E002" not in {message.id for message in run_checks()}


def test_command_and_nightly_task_purge(world):
    entry(400)
    out = StringIO()
    call_command("purge_audit_log", stdout=out)
    assert out.getvalue().strip() == "1 audit entries purged."
    entry(300)
    assert tasks.purge_audit_entries() == 1
    assert AuditEntry.objects.filter(action="purge_audit").latest("at").channel == "task"
    with pytest.raises(CommandError):
        call_command("purge_audit_log", "--before", timezone.localdate().isoformat())


def test_purge_is_scheduled_nightly(world):
    assert PeriodicTask.objects.filter(task="accounts.purge_audit_entries", enabled=True).exists()
    assert PeriodicTask.objects.filter(task="accounts.clear_login_failures", enabled=True).exists()


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_postgres_refuses_update_of_an_entry_by_raw_sql(postgres, world):
    written = entry(400)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE accounts_auditentry SET note = 'rewritten' WHERE id = %s", [written.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE accounts_auditentry SET at = now() - interval '1000 days' WHERE id = %s", [written.pk])
    other = UserFactory(username="framed")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE accounts_auditentry SET actor_id = %s WHERE id = %s", [other.pk, written.pk])
    assert AuditEntry.objects.get(pk=written.pk).note == "x"


def test_postgres_refuses_delete_of_a_recent_entry_by_raw_sql(postgres, world):
    recent = entry(179)
    with pytest.raises(DatabaseError, match="180 days"):
        _raw("DELETE FROM accounts_auditentry WHERE id = %s", [recent.pk])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM accounts_auditentry", [])
    assert AuditEntry.objects.filter(pk=recent.pk).exists()


def test_postgres_allows_the_purge_of_old_entries(postgres, world):
    old, recent = entry(181), entry(1)
    assert _raw("DELETE FROM accounts_auditentry WHERE id = %s", [old.pk]) == 1
    older = entry(500)
    assert services.purge_audit_entries() == 1
    assert not AuditEntry.objects.filter(pk=older.pk).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()


def test_postgres_lets_a_deleted_user_empty_the_reference_only(postgres, world):
    user = UserFactory(username="gone")
    written = audit.record(None, "test", actor=user)
    user.delete()
    assert AuditEntry.objects.get(pk=written.pk).actor_repr == "gone"

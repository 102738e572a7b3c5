# The audit log is append-only on PostgreSQL whatever the client: a trigger refuses every UPDATE
# (except emptying the reference to a deleted user or object type, Django's ON DELETE SET NULL)
# and every DELETE of an entry younger than 180 days, the retention floor. Older entries are
# purged nightly by a periodic task officers may change in the admin (AUDIT_RETENTION_DAYS,
# at least 180). The model and queryset refuse the same in Python on every database.
from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION accounts_audit_entry_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(NEW) - 'actor_id' - 'content_type_id') = (to_jsonb(OLD) - 'actor_id' - 'content_type_id')
           AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
           AND (NEW.content_type_id IS NULL OR NEW.content_type_id = OLD.content_type_id) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'accounts_auditentry is append-only: entries cannot be changed';
    END IF;
    IF OLD.at > now() - interval '180 days' THEN
        RAISE EXCEPTION 'accounts_auditentry: entries younger than 180 days cannot be deleted';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_entry_guard
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_entry_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS accounts_audit_entry_guard ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_audit_entry_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name="清理超过保存期限的审计日志 (purge audit entries)",
        defaults={"task": "accounts.purge_audit_entries", "crontab": nightly, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="accounts.purge_audit_entries").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_failure_per_address"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(guard, unguard),
        migrations.RunPython(create_schedule, remove_schedule),
    ]

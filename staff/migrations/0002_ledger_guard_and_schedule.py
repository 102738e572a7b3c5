# The points ledger is append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of its rows
# whatever the client (the model and queryset refuse it in Python on every database). And the
# daily notice about qualifications nearing expiry, which officers may change in the admin.
from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION staff_points_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'staff_pointsentry is append-only: write a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER staff_points_entry_append_only
    BEFORE UPDATE OR DELETE ON staff_pointsentry
    FOR EACH ROW EXECUTE FUNCTION staff_points_entry_append_only();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS staff_points_entry_append_only ON staff_pointsentry;
DROP FUNCTION IF EXISTS staff_points_entry_append_only();
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
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name="资格证书到期提醒 (qualifications expiring)",
        defaults={"task": "staff.notify_expiring_qualifications", "crontab": morning, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="staff.notify_expiring_qualifications").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(guard, unguard),
        migrations.RunPython(create_schedule, remove_schedule),
    ]

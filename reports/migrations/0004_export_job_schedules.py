# The background exports' housekeeping, created once; officers may change or disable it in the
# admin (django-celery-beat's periodic tasks).
from django.db import migrations

SWEEP = "reports.sweep_export_jobs"
PURGE = "reports.purge_expired_exports"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="重新派发中断的导出任务 (re-queue interrupted export jobs)",
        defaults={"task": SWEEP, "interval": every_five_minutes, "enabled": True},
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name="删除过期的导出文件 (delete expired export files)",
        defaults={"task": PURGE, "crontab": nightly, "enabled": True},
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=[SWEEP, PURGE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_export_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]

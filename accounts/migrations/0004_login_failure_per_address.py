# Failed sign-ins are counted per (username, client address) pair and per address in their own
# table, instead of per account on the user row (issue 10, item 9); stale counters are dropped
# hourly by a periodic task officers may change in the admin.

import django.utils.timezone
from django.db import migrations, models


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name="清理过期的登录失败计数 (clear login failures)",
        defaults={"task": "accounts.clear_login_failures", "interval": hourly, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="accounts.clear_login_failures").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_notification'),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='user',
            name='failed_login_count',
        ),
        migrations.RemoveField(
            model_name='user',
            name='locked_until',
        ),
        migrations.CreateModel(
            name='LoginFailure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(blank=True, help_text='Empty: every name tried from the address.', max_length=150, verbose_name='username')),
                ('address', models.CharField(max_length=64, verbose_name='client address')),
                ('failures', models.PositiveIntegerField(default=0, verbose_name='failures')),
                ('window_started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='first failure at')),
                ('last_failure_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last failure at')),
                ('locked_until', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='locked until')),
            ],
            options={
                'verbose_name': 'failed sign-in counter',
                'verbose_name_plural': 'failed sign-ins',
                'ordering': ['-last_failure_at'],
                'constraints': [models.UniqueConstraint(fields=('address', 'username'), name='login_failure_address_username_unique')],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]

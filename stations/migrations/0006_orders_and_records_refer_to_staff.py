"""The filled staff-member columns take the names of the login-account columns they replace."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("stations", "0005_map_users_to_staff_members"),
    ]

    operations = [
        migrations.RemoveField(model_name="serviceorder", name="assigned_to"),
        migrations.RemoveField(model_name="servicerecord", name="staff"),
        migrations.RenameField(model_name="serviceorder", old_name="assigned_member", new_name="assigned_to"),
        migrations.RenameField(model_name="servicerecord", old_name="staff_member", new_name="staff"),
        migrations.AlterField(
            model_name="serviceorder",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assigned_orders",
                to="staff.staffmember",
                verbose_name="assigned to",
            ),
        ),
        migrations.AlterField(
            model_name="servicerecord",
            name="staff",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="service_records",
                to="staff.staffmember",
                verbose_name="delivered by",
            ),
        ),
    ]

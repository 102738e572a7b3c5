# The volunteers app was cut out of ``staff`` (staff 0003): its models are created in Django's
# picture only, on the tables staff made (``db_table``), so no row moves and the ledger trigger of
# staff 0002 keeps guarding ``staff_pointsentry``. Their content types move to this app, which
# keeps every permission (and so every role group and user holding one) and every audit entry.

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MODELS = ["volunteerteam", "volunteeractivity", "volunteerhours", "pointsrule", "reward", "pointsaccount"]
MODELS += ["pointsentry"]


def _relabel(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "staff", "volunteers")


def return_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "volunteers", "staff")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0005_audit_append_only_and_retention"),
        ("regions", "0001_initial"),
        ("staff", "0003_volunteers_moved_out"),
        ("stations", "0003_resident_link_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VolunteerActivity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("held_on", models.DateField(db_index=True, verbose_name="date")),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("care_visit", "Care visit (寻访关爱)"),
                                    ("companionship", "Companionship"),
                                    ("errands", "Errands"),
                                    ("mutual_help", "Neighbour help (邻里互助)"),
                                    ("publicity", "Publicity"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                                verbose_name="category",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "volunteer activity",
                        "verbose_name_plural": "volunteer activities",
                        "db_table": "staff_volunteeractivity",
                        "ordering": ["-held_on", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="PointsAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("balance", models.IntegerField(default=0, verbose_name="balance")),
                        (
                            "volunteer",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="points_account",
                                to="staff.staffmember",
                                verbose_name="volunteer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "points account",
                        "verbose_name_plural": "points accounts",
                        "db_table": "staff_pointsaccount",
                    },
                ),
                migrations.CreateModel(
                    name="PointsRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("effective_from", models.DateField(verbose_name="in force from")),
                        (
                            "points_per_hour",
                            models.PositiveIntegerField(default=10, verbose_name="points per hour"),
                        ),
                        (
                            "max_hours_per_activity",
                            models.DecimalField(
                                decimal_places=1,
                                default=8,
                                max_digits=4,
                                verbose_name="hours counted per activity at most",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "points rule",
                        "verbose_name_plural": "points rules",
                        "db_table": "staff_pointsrule",
                        "ordering": ["organization", "-effective_from"],
                    },
                ),
                migrations.CreateModel(
                    name="Reward",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="goods")),
                        (
                            "points",
                            models.PositiveIntegerField(
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="points each",
                            ),
                        ),
                        (
                            "stock",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Leave empty when stock is not counted.",
                                null=True,
                                verbose_name="in stock",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="available")),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                                verbose_name="organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reward",
                        "verbose_name_plural": "rewards",
                        "db_table": "staff_reward",
                        "ordering": ["organization", "points", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="VolunteerHours",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "hours",
                            models.DecimalField(
                                decimal_places=1,
                                max_digits=5,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0.5")),
                                    django.core.validators.MaxValueValidator(24),
                                ],
                                verbose_name="hours",
                            ),
                        ),
                        (
                            "recorded_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="recorded at"
                            ),
                        ),
                        (
                            "activity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="hours",
                                to="volunteers.volunteeractivity",
                                verbose_name="activity",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "volunteer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="volunteer_hours",
                                to="staff.staffmember",
                                verbose_name="volunteer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "volunteer hours",
                        "verbose_name_plural": "volunteer hours",
                        "db_table": "staff_volunteerhours",
                        "ordering": ["-recorded_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="PointsEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("earn", "Earned"), ("spend", "Spent"), ("reversal", "Reversal")],
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "points",
                            models.IntegerField(
                                help_text="Positive when earned, negative when spent.", verbose_name="points"
                            ),
                        ),
                        ("balance_after", models.IntegerField(verbose_name="balance after")),
                        (
                            "quantity",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="quantity"),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now, verbose_name="entered at"
                            ),
                        ),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="entries",
                                to="volunteers.pointsaccount",
                                verbose_name="account",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="entered by",
                            ),
                        ),
                        (
                            "reverses",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reversed_by",
                                to="volunteers.pointsentry",
                                verbose_name="reverses",
                            ),
                        ),
                        (
                            "reward",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="volunteers.reward",
                                verbose_name="goods",
                            ),
                        ),
                        (
                            "hours",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="points_entry",
                                to="volunteers.volunteerhours",
                                verbose_name="volunteer hours",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "points entry",
                        "verbose_name_plural": "points ledger",
                        "db_table": "staff_pointsentry",
                        "ordering": ["account", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="VolunteerTeam",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "founded_on",
                            models.DateField(
                                default=django.utils.timezone.localdate, verbose_name="founded on"
                            ),
                        ),
                        (
                            "community",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="regions.region",
                                verbose_name="street or community",
                            ),
                        ),
                        (
                            "leader",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="led_teams",
                                to="staff.staffmember",
                                verbose_name="leader",
                            ),
                        ),
                        (
                            "members",
                            models.ManyToManyField(
                                blank=True,
                                related_name="volunteer_teams",
                                to="staff.staffmember",
                                verbose_name="members",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="volunteer_teams",
                                to="accounts.organization",
                                verbose_name="organisation",
                            ),
                        ),
                        (
                            "station",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="volunteer_teams",
                                to="stations.station",
                                verbose_name="station",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "volunteer team",
                        "verbose_name_plural": "volunteer teams",
                        "db_table": "staff_volunteerteam",
                        "ordering": ["community__code", "name"],
                    },
                ),
                migrations.AddField(
                    model_name="volunteeractivity",
                    name="team",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="activities",
                        to="volunteers.volunteerteam",
                        verbose_name="team",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pointsaccount",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("balance__gte", 0)), name="points_balance_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pointsrule",
                    constraint=models.UniqueConstraint(
                        fields=("organization", "effective_from"), name="one_rule_per_date"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="volunteerhours",
                    constraint=models.UniqueConstraint(
                        fields=("activity", "volunteer"), name="one_hours_entry_per_activity"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pointsentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("balance_after__gte", 0)),
                        name="points_entry_balance_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pointsentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "earn"), ("points__gt", 0)),
                            models.Q(("kind", "spend"), ("points__lt", 0)),
                            ("kind", "reversal"),
                            _connector="OR",
                        ),
                        name="points_entry_sign_matches_kind",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]

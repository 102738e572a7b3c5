"""Each login account named on an order or a service record is replaced by its staff record
(``StaffMember.user``). A login account without a staff record cannot be mapped: the migration
stops and names the accounts, and nothing is changed. Add a staff record for each of them (the
staff list, "login account") and migrate again."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery

REFUSAL = (
    "Orders or service records name login accounts that have no staff record: {accounts}. "
    "Add a staff record with that login account for each of them, then migrate again."
)
BACK_REFUSAL = (
    "Orders or service records name staff members who have no login account: {people}. "
    "Give each of them a login account before migrating back."
)


def _column_map(apps):
    ServiceOrder = apps.get_model("stations", "ServiceOrder")
    ServiceRecord = apps.get_model("stations", "ServiceRecord")
    return ((ServiceOrder, "assigned_to", "assigned_member"), (ServiceRecord, "staff", "staff_member"))


def users_to_staff_members(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    StaffMember = apps.get_model("staff", "StaffMember")
    columns = _column_map(apps)
    named = set()
    for model, old, _new in columns:
        named.update(
            model.objects.filter(**{f"{old}__isnull": False}).values_list(f"{old}_id", flat=True).distinct()
        )
    unmapped = (
        User.objects.filter(pk__in=named)
        .exclude(Exists(StaffMember.objects.filter(user_id=OuterRef("pk"))))
        .order_by("username")
    )
    if unmapped.exists():
        accounts = ", ".join(f"{u.username} (id {u.pk})" for u in unmapped)
        raise RuntimeError(REFUSAL.format(accounts=accounts))
    for model, old, new in columns:
        member = StaffMember.objects.filter(user_id=OuterRef(f"{old}_id")).values("pk")[:1]
        model.objects.filter(**{f"{old}__isnull": False}).update(**{new: Subquery(member)})


def staff_members_to_users(apps, schema_editor):
    StaffMember = apps.get_model("staff", "StaffMember")
    columns = _column_map(apps)
    named = set()
    for model, _old, new in columns:
        named.update(
            model.objects.filter(**{f"{new}__isnull": False}).values_list(f"{new}_id", flat=True).distinct()
        )
    unmapped = StaffMember.objects.filter(pk__in=named, user__isnull=True).order_by("name")
    if unmapped.exists():
        people = ", ".join(f"{m.name} (id {m.pk})" for m in unmapped)
        raise RuntimeError(BACK_REFUSAL.format(people=people))
    for model, old, new in columns:
        user = StaffMember.objects.filter(pk=OuterRef(f"{new}_id")).values("user_id")[:1]
        model.objects.filter(**{f"{new}__isnull": False}).update(**{f"{old}_id": Subquery(user)})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification"),
        ("staff", "0001_initial"),
        ("stations", "0004_staff_member_columns"),
    ]

    operations = [migrations.RunPython(users_to_staff_members, staff_members_to_users)]

"""Pages of the staff list as JSON from ``.values()`` rows: the keys and formats of
``StaffSerializer`` (accounts/api/rows.py). No encrypted column is read: the masks are stored."""

from django.db.models import F
from django.utils import timezone

from accounts.api import rows as fmt
from staff.models import Qualification, StaffMember, station_model

STAFF_VALUES = (
    "id",
    "name",
    "phone_masked",
    "id_number_masked",
    "employer_id",
    "employer_name",
    "region_code",
    "region_name",
    "roles",
    "kind",
    "status",
    "joined_on",
    "left_on",
    "username",
)

QUALIFICATION_VALUES = ("id", "staff_id", "name", "level", "certificate_number", "issued_on", "expires_on")


def staff_values(queryset):
    return queryset.annotate(
        employer_name=F("employer__name"),
        region_code=F("region__code"),
        region_name=F("region__name"),
        username=F("user__username"),
    ).values(*STAFF_VALUES)


def staff_rows(rows) -> list[dict]:
    """``StaffSerializer(many=True).data`` of ``rows`` (dicts with STAFF_VALUES): two queries
    for the page's stations and qualifications, in the order prefetches would give."""
    rows = list(rows)
    ids = [row["id"] for row in rows]
    through = StaffMember.stations.through
    station_order = [f"station__{name}" for name in station_model()._meta.ordering]
    stations = fmt.grouped(
        through.objects.filter(staffmember_id__in=ids)
        .order_by(*station_order, "station_id")
        .values_list("staffmember_id", "station_id")
    )
    qualifications = fmt.grouped(
        (row["staff_id"], row)
        for row in Qualification.objects.filter(staff_id__in=ids)
        .order_by(*Qualification._meta.ordering)
        .values(*QUALIFICATION_VALUES)
    )
    today = timezone.localdate()
    result = []
    for row in rows:
        result.append(
            {
                "id": row["id"],
                "name": row["name"],
                "phone_masked": row["phone_masked"],
                "id_number_masked": row["id_number_masked"],
                "employer": row["employer_id"],
                "employer_name": row["employer_name"],
                "region": row["region_code"],
                "region_name": row["region_name"],
                "stations": stations.get(row["id"], []),
                "roles": list(row["roles"] or []),
                "kind": row["kind"],
                "status": row["status"],
                "joined_on": fmt.date_format(row["joined_on"]),
                "left_on": fmt.date_format(row["left_on"]),
                "user": row["username"],
                "qualifications": [
                    {
                        "id": item["id"],
                        "staff": item["staff_id"],
                        "staff_name": row["name"],
                        "name": item["name"],
                        "level": item["level"],
                        "certificate_number": item["certificate_number"],
                        "issued_on": fmt.date_format(item["issued_on"]),
                        "expires_on": fmt.date_format(item["expires_on"]),
                        "days_left": (item["expires_on"] - today).days if item["expires_on"] else None,
                    }
                    for item in qualifications.get(row["id"], [])
                ],
            }
        )
    return result

"""Pages of the service-record and resident lists as JSON, from ``.values()`` rows: the same keys
and formats as ``RecordSerializer`` / ``ResidentSerializer`` (accounts/api/rows.py)."""

from django.db.models import F
from django.utils import timezone

from accounts.api import rows as fmt
from stations.models import PriceUnit, ResidentStation, Station

RECORD_VALUES = (
    "id",
    "order_id",
    "resident_id",
    "station_id",
    "category",
    "staff_id",
    "staff_name",
    "started_at",
    "ended_at",
    "duration_minutes",
    "unit_price",
    "quantity",
    "fee",
    "fee_unit",
    "is_emergency",
    "response_minutes",
    "notes",
    "rating",
)


def record_rows(rows) -> list[dict]:
    """``RecordSerializer(many=True).data`` of ``rows`` (dicts with RECORD_VALUES)."""
    moment = fmt.datetime_format()
    money = fmt.decimal_format(2)
    units = fmt.labels(PriceUnit.choices)
    return [
        {
            "id": row["id"],
            "order": row["order_id"],
            "resident": row["resident_id"],
            "station": row["station_id"],
            "category": row["category"],
            "staff": row["staff_id"],
            "staff_name": row["staff_name"],
            "started_at": moment(row["started_at"]),
            "ended_at": moment(row["ended_at"]),
            "duration_minutes": row["duration_minutes"],
            "unit_price": money(row["unit_price"]),
            "quantity": money(row["quantity"]),
            "fee": money(row["fee"]),
            "fee_unit": row["fee_unit"],
            "fee_unit_display": units.get(row["fee_unit"], row["fee_unit"]),
            "is_emergency": row["is_emergency"],
            "response_minutes": row["response_minutes"],
            "notes": row["notes"],
            "rating": row["rating"],
        }
        for row in rows
    ]


RESIDENT_VALUES = (
    "id",
    "name",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_masked",
    "address",
    "community_code",
    "community_name",
    "living_situation",
    "basic_care",
    "emergency_contact",
    "consent_on",
    "care_visit_interval_days",
)


def resident_values(queryset):
    """The resident list's rows: no encrypted column is read (the masks are stored)."""
    return queryset.annotate(community_code=F("community__code"), community_name=F("community__name")).values(
        *RESIDENT_VALUES
    )


def resident_rows(rows) -> list[dict]:
    """``ResidentSerializer(many=True).data`` of ``rows`` (dicts with RESIDENT_VALUES); one
    query for the stations serving the page, in the order a prefetch would give."""
    rows = list(rows)
    serving = fmt.grouped(
        ResidentStation.objects.filter(resident_id__in=[row["id"] for row in rows])
        .order_by(*[f"station__{name}" for name in Station._meta.ordering], "station_id")
        .values_list("resident_id", "station_id")
    )
    year = timezone.localdate().year
    result = []
    for row in rows:
        age = year - row["birth_date"].year
        result.append(
            {
                "id": row["id"],
                "name": row["name"],
                "id_number_masked": row["id_number_masked"],
                "birth_year": row["birth_date"].year,
                "sex": row["sex"],
                "age": age,
                "is_very_old": age >= 80,
                "phone_masked": row["phone_masked"],
                "address": row["address"],
                "community": row["community_code"],
                "community_name": row["community_name"],
                "living_situation": row["living_situation"],
                "basic_care": list(row["basic_care"] or []),
                "emergency_contact": row["emergency_contact"],
                "consent_on": fmt.date_format(row["consent_on"]),
                "care_visit_interval_days": row["care_visit_interval_days"],
                "stations": serving.get(row["id"], []),
            }
        )
    return result

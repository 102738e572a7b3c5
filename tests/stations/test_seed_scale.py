"""seed_scale fills (and clears) a realistic load; on PostgreSQL through COPY and generate_series."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.identity import parse_identity_number
from staff.models import StaffMember
from stations.models import Resident, ResidentStation, ServiceRecord, Station

pytestmark = pytest.mark.django_db


def test_seed_scale_is_repeatable_and_clearable(seed_regions):
    out = StringIO()
    call_command("seed_scale", stations=5, residents=40, records=300, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (5, 40, 300)
    assert ResidentStation.objects.count() == 40
    record = ServiceRecord.objects.select_related("resident", "staff").first()
    assert (record.staff.name, record.staff.employer.name) == ("基准服务员", "规模测试物业（基准）")
    # Every record's station serves its resident, and the identity numbers are valid and encrypted.
    assert ResidentStation.objects.filter(resident=record.resident, station=record.station_id).exists()

    assert parse_identity_number(record.resident.id_number).birth_date == record.resident.birth_date
    call_command("seed_scale", stations=3, residents=10, records=50, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (3, 10, 50)
    call_command("seed_scale", clear=True, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (0, 0, 0)
    assert not StaffMember.objects.exists()

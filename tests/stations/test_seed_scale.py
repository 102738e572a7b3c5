"""seed_scale fills (and clears) a realistic load; on PostgreSQL through COPY and generate_series."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.identity import parse_identity_number
from staff.models import StaffMember
from stations.models import Resident, ResidentStation, ServiceOrder, ServiceRecord, Station

pytestmark = pytest.mark.django_db


def test_seed_scale_is_repeatable_and_clearable(seed_regions):
    out = StringIO()
    call_command("seed_scale", stations=5, residents=40, records=300, orders=120, staff=30, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (5, 40, 300)
    assert ServiceOrder.objects.count() == 120
    assert StaffMember.objects.count() == 31  # and the one who serves
    member = StaffMember.objects.exclude(user__isnull=False).first()
    assert member.phone_masked == member.phone[:3] + "****" + member.phone[-4:]
    assert member.id_number_masked.startswith(member.id_number[:6]) and "*" in member.id_number_masked
    assert ResidentStation.objects.count() == 40
    record = ServiceRecord.objects.select_related("resident", "staff").first()
    assert (record.staff.name, record.staff.employer.name) == ("基准服务员", "规模测试物业（基准）")
    # Every record's station serves its resident, and the identity numbers are valid and encrypted.
    assert ResidentStation.objects.filter(resident=record.resident, station=record.station_id).exists()

    assert parse_identity_number(record.resident.id_number).birth_date == record.resident.birth_date
    call_command("seed_scale", stations=3, residents=10, records=50, orders=0, staff=0, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (3, 10, 50)
    call_command("seed_scale", clear=True, stdout=out)
    assert (Station.objects.count(), Resident.objects.count(), ServiceRecord.objects.count()) == (0, 0, 0)
    assert not StaffMember.objects.exists()
    assert not ServiceOrder.objects.exists()

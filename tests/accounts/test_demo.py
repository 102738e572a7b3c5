"""`load_demo` is idempotent and every account it prints can log in and sees its role's home."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from accounts.models import AuditEntry, Organization, User
from checklists.models import ChecklistVersion, ListKind
from core import workflow
from facilities.models import CareRoom, GuidanceTarget, UseApplication, Violation
from facilities.services import overdue_rooms
from pilots.models import Application, Pilot, Programme
from staff.models import StaffMember, StationResource, TrainingRecord
from stations.demo import PEOPLE
from stations.models import PublicityEvent, Resident, ServiceOrder, ServiceRecord, Station, SurveyResponse
from volunteers.models import PointsEntry

pytestmark = pytest.mark.django_db


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as `load_demo` leaves it with the default password, loaded once for the module
    inside a transaction rolled back at its end (no row reaches the next module). Each test runs
    in a savepoint of its own: one that loads again or logs in leaves the demo as loaded.
    Returns what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("DEMO_PASSWORD", raising=False)
            # as in a test (tests/conftest.py): no commit comes, notices go out at once
            patch.setattr(workflow, "after_commit", lambda callback: callback())
            output = load_demo()
        yield output
        transaction.set_rollback(True)


def test_load_demo_twice_changes_nothing_the_second_time(demo):
    counts = (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count())
    output = load_demo()
    assert (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count()) == counts
    assert "0 created or changed" in output or "新增或更新 0 条" in output


def test_every_printed_demo_login_works(demo):
    output = demo
    usernames = re.findall(r"^  (\w+)\s", output, flags=re.MULTILINE)
    assert {
        "admin",
        "cn_civil",
        "cn_housing",
        "cn_street",
        "cn_stats",
        "na_civil",
        "company_admin",
        "integrator",
    } <= set(usernames)
    for username in usernames:
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": "demo12345"})
        assert response.status_code == 302, username
        assert username in client.get("/").content.decode()


def test_demo_password_can_be_changed(demo, monkeypatch):
    assert not User.objects.get(username="cn_civil").check_password("another-Demo-77")
    monkeypatch.setenv("DEMO_PASSWORD", "another-Demo-77")
    load_demo()
    assert User.objects.get(username="cn_civil").check_password("another-Demo-77")


def test_demo_companies_have_valid_credit_codes(demo):
    companies = Organization.objects.filter(kind="property_company")
    assert companies.count() >= 3
    for company in companies:
        company.full_clean()
    assert Organization.objects.filter(kind="street_office", region__code__startswith="310105").count() == 10


def test_demo_populates_every_pilot_screen(demo):
    assert set(Programme.objects.values_list("mode", flat=True)) == {"call", "designated"}
    assert {"draft", "submitted", "recommended"} <= set(Application.objects.values_list("status", flat=True))
    designated = Programme.objects.get(mode="designated")
    assert designated.list_published_at is not None and Pilot.objects.filter(programme=designated).exists()
    assert designated.milestones.count() == 5
    client = Client()
    assert "上海虹馨物业" in client.get(f"/pilots/programmes/{designated.pk}/pilots/").content.decode()


def test_demo_stations_have_residents_orders_records_publicity_and_surveys(demo):
    station = Station.objects.get(pilot__isnull=False)
    assert station.status == "operating" and station.prices.count() == 7  # its published service list
    assert Resident.objects.filter(stations=station).count() == 4
    assert set(ServiceOrder.objects.values_list("status", flat=True)) == {
        "requested",
        "assigned",
        "completed",
        "cancelled",
    }
    assert ServiceRecord.objects.count() >= 10
    assert PublicityEvent.objects.exists() and SurveyResponse.objects.count() == 3


def test_demo_companies_have_all_three_roles_trained_staff_and_a_volunteer_ledger(demo):
    companies = Organization.objects.filter(kind="property_company", name__endswith="（演示）")
    assert companies.count() == 4
    for company in companies:
        roles = set()
        for member in StaffMember.objects.filter(employer=company):
            roles.update(member.roles)
        assert roles == {"publicity", "information", "service"}, company.name
        kinds = set(
            TrainingRecord.objects.filter(staff__employer=company, attended=True).values_list(
                "session__kind", flat=True
            )
        )
        assert kinds == {"pre_job", "special"}, company.name
        assert TrainingRecord.objects.filter(staff__employer=company, passed=False).exists()  # someone failed
        ledger = set(
            PointsEntry.objects.filter(account__volunteer__employer=company).values_list("kind", flat=True)
        )
        assert ledger == {"earn", "spend", "reversal"}, company.name
    station = Station.objects.filter(operator__name__endswith="（演示）").first()
    assert StaffMember.objects.get(user__username="company_staff").serve_refusal(station) is None
    assert StationResource.objects.filter(station=station).exists()
    page = Client()
    assert page.login(username="company_admin", password="demo12345")
    assert "郑服" in page.get("/staff/").content.decode()


def test_demo_fills_nanans_towns_with_care_rooms_in_every_state(demo):
    rooms = CareRoom.objects.filter(compound__region__code__startswith="350583")
    assert set(rooms.values_list("handover_state", "operating_state")) == {
        ("not_handed_over", "not_operating"),
        ("handed_over", "not_operating"),
        ("handed_over", "operating"),
        ("handed_over", "suspended"),
    }
    assert overdue_rooms(rooms).exists()
    assert set(UseApplication.objects.values_list("status", flat=True)) == {
        "contacted",
        "applied",
        "surveyed",
        "approved",
        "signed",
        "operating",
    }
    assert set(Violation.objects.values_list("state", flat=True)) == {"open", "rectifying", "closed"}
    assert GuidanceTarget.objects.filter(county__code="350583").count() == len(
        {code[:9] for code in rooms.values_list("compound__region__code", flat=True)}
    )
    town = Client()
    assert town.login(username="na_town", password="demo12345")
    assert "溪美·滨江花园" in town.get("/facilities/").content.decode()


def test_demo_has_changnings_sample_and_station_lists_in_different_states(demo):
    sample = ChecklistVersion.objects.templates().get(region__code="310105")
    assert sample.state == "published"
    assert set(sample.items.values_list("kind", flat=True)) == set(ListKind.values)
    # policies are marked as demo and carry no official-looking document number
    policies = sample.items.filter(kind=ListKind.POLICIES)
    assert policies.count() >= 3 and not policies.exclude(document_number="").exists()
    assert all("演示" in p.name for p in policies)
    states = sorted(ChecklistVersion.objects.station_lists().values_list("state", flat=True))
    assert states == ["draft", "published", "submitted"]
    published = ChecklistVersion.objects.get(station__isnull=False, state="published")
    prices = {(p.category, p.content, p.price) for p in published.station.prices.all()}
    items = {(i.category, i.name, i.price) for i in published.items.filter(kind=ListKind.SERVICES)}
    assert prices == items and len(prices) == 7
    assert published.approved_by.username == "cn_street"


def test_demo_residents_are_of_the_sex_their_names_say(demo):
    for name, *_rest, man in PEOPLE:
        sexes = set(Resident.objects.filter(name=name).values_list("sex", flat=True))
        assert sexes == {"M" if man else "F"}, name

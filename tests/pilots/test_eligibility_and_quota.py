"""Eligibility on submission (001), the quota, and designated pilots (000)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from pilots import services
from pilots.models import Mode, Phase, PhaseKind, Pilot, Programme
from tests.factories import OrganizationFactory, make_user
from tests.factories import make_user as mk
from tests.pilots.conftest import FULL_FORM

pytestmark = pytest.mark.django_db


def submit_problems(application, user):
    with pytest.raises(ValidationError) as caught:
        services.transition(application, "submit", by=user)
    return caught.value.messages


def test_closed_window_is_refused_with_its_dates(world, call, draft):
    Phase.objects.filter(programme=call, kind=PhaseKind.APPLICATION).update(
        starts_on=dt.date(2025, 4, 2), ends_on=dt.date(2025, 4, 20)
    )
    problems = submit_problems(draft, world.company_a_admin)
    assert any("2025-04-02" in p and "2025-04-20" in p for p in problems)


def test_unlicensed_company_cannot_apply_for_property_plus_care(world, call):
    application = services.create_application(
        by=world.company_b_admin,
        programme=call,
        organization=world.company_b,
        pilot_type="property_care",
        site_region=world.regions["310105008"],
        **FULL_FORM,
    )
    problems = submit_problems(application, world.company_b_admin)
    assert any("物业管理资质" in p for p in problems)


def test_non_property_company_may_apply_for_mutual_aid_only(world, call):
    committee = OrganizationFactory(
        kind="residents_committee", name="华阳居委会", region=world.regions["310105001"]
    )
    user = make_user("committee", committee, "org_admin")
    mutual = services.create_application(
        by=user,
        programme=call,
        organization=committee,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
        **FULL_FORM,
    )
    assert services.transition(mutual, "submit", by=user).status == "submitted"
    care = services.create_application(
        by=user,
        programme=call,
        organization=committee,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **FULL_FORM,
    )
    assert any("物业服务企业" in p for p in submit_problems(care, user))


def test_site_outside_the_programme_region_and_missing_fields_are_named(world, call):
    application = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["350583001"],
    )
    problems = submit_problems(application, world.company_a_admin)
    assert any("溪美街道" in p and "长宁区" in p for p in problems)
    assert any("项目负责人" in p and "资金" in p for p in problems)


def test_one_live_application_per_organisation_programme_and_type(world, call, draft):
    with pytest.raises(ValidationError):
        services.create_application(
            by=world.company_a_admin,
            programme=call,
            organization=world.company_a,
            pilot_type="property_care",
            site_region=world.regions["310105001"],
        )
    # Another type is fine.
    services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
    )


def test_company_cannot_apply_for_another(world, call):
    with pytest.raises(PermissionDenied):
        services.create_application(
            by=world.company_b_admin,
            programme=call,
            organization=world.company_a,
            pilot_type="mutual_aid",
            site_region=world.regions["310105001"],
        )


def _approve_one(world, call, name):
    company = OrganizationFactory(name=name, region=world.regions["310105001"], has_property_licence=True)
    user = make_user(f"u_{company.pk}", company, "org_admin")
    app = services.create_application(
        by=user,
        programme=call,
        organization=company,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **FULL_FORM,
    )
    services.transition(app, "submit", by=user)
    services.transition(app, "recommend", by=world.street_officer)
    return app


def test_approving_past_the_quota_needs_a_written_reason(world, call):
    for n in range(2):
        services.transition(_approve_one(world, call, f"配额物业{n}"), "approve", by=world.changning_officer)
    third = _approve_one(world, call, "超额物业")
    with pytest.raises(ValidationError) as caught:
        services.transition(third, "approve", by=world.changning_officer)
    assert "quota_override_reason" in caught.value.message_dict
    assert (
        services.transition(
            third, "approve", by=world.changning_officer, quota_override_reason="该街道老年人口多，特批"
        ).status
        == "approved"
    )
    assert third.opinions.get(decision="approve").quota_override_reason == "该街道老年人口多，特批"


def test_designated_programme_takes_pilots_without_applications(world):
    programme = Programme.objects.create(
        title="长宁区物业+养老试点", mode=Mode.DESIGNATED, region=world.regions["310105"]
    )
    programme.issuers.add(world.changning_bureau)
    pilot = services.designate_pilot(
        programme,
        by=world.changning_officer,
        organization=world.company_b,
        pilot_type="property_care",
        site_region=world.regions["310105008"],
    )
    assert pilot.application is None
    with pytest.raises(PermissionDenied):
        services.designate_pilot(
            programme,
            by=world.street_officer,
            organization=world.company_a,
            pilot_type="property_care",
            site_region=world.regions["310105001"],
        )
    with pytest.raises(ValidationError):
        services.designate_pilot(
            programme,
            by=world.changning_officer,
            organization=world.nanan_company,
            pilot_type="property_care",
            site_region=world.regions["350583001"],
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_approval_one_wins(postgres, world, call):
    app = _approve_one(world, call, "并发物业")
    colleague = mk("cn_officer2", world.changning_bureau, "officer")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            services.transition(app, "approve", by=user, text="同意")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (world.changning_officer, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Pilot.objects.filter(application=app).count() == 1
    assert app.opinions.filter(decision="approve").count() == 1

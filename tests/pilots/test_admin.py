"""Officers run programmes and reviews in the admin, within their region and bureau."""

import pytest
from django.test import Client

from pilots import services
from pilots.models import Pilot, Programme
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def programme_post(world, **overrides):
    data = {
        "title": "新征集",
        "document_number": "长民〔2026〕2号",
        "mode": "call",
        "region": world.regions["310105"].pk,
        "issuers": [world.changning_bureau.pk],
        "description": "",
        **management("quotas", 1),
        "quotas-0-pilot_type": "mutual_aid",
        "quotas-0-quota": "3",
        **management("phases"),
        **management("milestones"),
    }
    data.update(overrides)
    return data


def officer_client(username="cn_officer"):
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


def test_bureau_officer_creates_a_call_with_its_quota(world):
    response = officer_client().post("/admin/pilots/programme/add/", programme_post(world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    programme = Programme.objects.get(title="新征集")
    assert list(programme.quotas.values_list("pilot_type", "quota")) == [("mutual_aid", 3)]


def test_programme_outside_the_region_or_without_own_bureau_is_refused(world):
    client = officer_client()
    response = client.post(
        "/admin/pilots/programme/add/", programme_post(world, region=world.regions["350583"].pk)
    )
    assert response.status_code == 200 and "region" in response.context["adminform"].form.errors
    response = client.post(
        "/admin/pilots/programme/add/", programme_post(world, issuers=[world.nanan_bureau.pk])
    )
    assert response.status_code == 200 and "issuers" in response.context["adminform"].form.errors
    assert not Programme.objects.filter(title="新征集").exists()


def test_batch_recommend_and_approve_in_the_admin_follow_the_rules(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    bureau = officer_client()
    bureau.post("/admin/pilots/application/", {"action": "recommend", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "submitted"  # the bureau may not give the street opinion
    street = officer_client("hy_officer")
    street.post("/admin/pilots/application/", {"action": "recommend", "_selected_action": [draft.pk]})
    asked = bureau.post("/admin/pilots/application/", {"action": "approve", "_selected_action": [draft.pk]})
    assert asked.status_code == 200 and Pilot.objects.filter(application=draft).count() == 0  # asks first
    bureau.post(
        "/admin/pilots/application/",
        {"action": "approve", "_selected_action": [draft.pk], "confirmed": "yes"},
    )
    draft.refresh_from_db()
    assert draft.status == "approved" and Pilot.objects.filter(application=draft).exists()
    assert draft.opinions.get(stage="street").organization == world.huayang_office

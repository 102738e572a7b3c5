"""A programme's publication (prepared → announced → pilot list published) and a pilot's
milestones are workflows: who, then the state, then the rules; a double click changes nothing;
notices go out only after the commit."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEntry, Notification
from pilots import services
from pilots.models import Mode, Pilot, Programme, PublicationState

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(world):
    programme = Programme.objects.create(
        title="长宁区物业服务+养老服务试点", mode=Mode.DESIGNATED, region=world.regions["310105"]
    )
    programme.issuers.add(world.changning_bureau)
    return programme


def test_a_pilot_list_is_published_only_after_the_programme_is_announced(world, prepared):
    assert prepared.publication_state == PublicationState.PREPARED
    with pytest.raises(ValidationError) as caught:
        services.publish_pilot_list(prepared, by=world.changning_officer)
    assert caught.value.code == "invalid_state"
    prepared.refresh_from_db()
    assert prepared.list_published_at is None
    announced = services.announce(prepared, by=world.changning_officer)
    assert announced.publication_state == PublicationState.ANNOUNCED and announced.announced_at is not None
    assert AuditEntry.objects.filter(action="transition:announce", object_id=str(prepared.pk)).exists()
    services.designate_pilot(
        prepared,
        by=world.changning_officer,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
    )
    Notification.objects.all().delete()
    published = services.publish_pilot_list(prepared, by=world.changning_officer)
    assert published.publication_state == PublicationState.LIST_PUBLISHED
    assert (
        Notification.objects.filter(recipient=world.company_a_admin, title__contains=prepared.title).count()
        == 1
    )


def _designate(world, programme):
    services.designate_pilot(
        programme,
        by=world.changning_officer,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
    )


def test_an_empty_pilot_list_is_not_published(world, prepared):
    services.announce(prepared, by=world.changning_officer)
    with pytest.raises(ValidationError) as refused:
        services.publish_pilot_list(prepared, by=world.changning_officer)
    assert "还没有试点" in " ".join(refused.value.messages)
    prepared.refresh_from_db()
    assert prepared.list_published_at is None
    _designate(world, prepared)
    assert services.publish_pilot_list(prepared, by=world.changning_officer).list_published_at


def test_publishing_twice_is_a_double_click(world, prepared):
    services.announce(prepared, by=world.changning_officer)
    _designate(world, prepared)
    first = services.publish_pilot_list(prepared, by=world.changning_officer)
    again = services.publish_pilot_list(prepared, by=world.changning_officer)
    assert again.list_published_at == first.list_published_at
    assert (
        AuditEntry.objects.filter(action="transition:publish_list", object_id=str(prepared.pk)).count() == 1
    )
    again = services.announce(prepared, by=world.changning_officer)  # done long ago: nothing changes
    assert again.announced_at == first.announced_at


def test_only_an_issuing_bureau_announces_and_publishes(world, prepared):
    with pytest.raises(PermissionDenied):
        services.announce(prepared, by=world.street_officer)
    assert services.PROGRAMMES.available(prepared, world.street_officer) == []
    refused = services.PROGRAMMES.available(prepared, world.street_officer, include_refused=True)
    assert [(a.name, a.allowed) for a in refused] == [("announce", False)] and refused[0].reason
    assert services.PROGRAMMES.allowed_names(prepared, world.changning_officer) == ["announce"]


@pytest.fixture
def milestone(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    services.transition(draft, "recommend", by=world.street_officer)
    services.transition(draft, "approve", by=world.changning_officer)
    return Pilot.objects.get(application=draft).milestones.get()


def test_a_milestone_is_done_only_with_evidence_through_the_workflow(world, milestone):
    assert services.MILESTONES.allowed_names(milestone, world.company_a_admin) == ["complete"]
    assert services.MILESTONES.available(milestone, world.company_b_admin) == []
    with pytest.raises(ValidationError) as caught:
        services.MILESTONES.perform(milestone, "complete", by=world.company_a_admin, evidence="")
    assert "evidence" in caught.value.message_dict
    milestone.refresh_from_db()
    assert milestone.status == "pending" and milestone.completed_on is None


def test_completing_a_milestone_twice_keeps_the_first_evidence(world, milestone):
    day = timezone.localdate()
    services.complete_milestone(
        milestone, by=world.company_a_admin, evidence="8 月 20 日开站", completed_on=day
    )
    again = services.complete_milestone(milestone, by=world.company_a_admin, evidence="另一份")
    assert (again.status, again.evidence, again.completed_on) == ("done", "8 月 20 日开站", day)
    assert AuditEntry.objects.filter(action="milestone_done").count() == 1
    assert services.MILESTONES.available(again, world.company_a_admin) == []


@pytest.mark.django_db(transaction=True)
def test_no_notice_goes_out_for_a_submission_that_rolls_back(world, draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.transition(draft, "submit", by=world.company_a_admin)
        raise RuntimeError("rolled back")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Notification.objects.exists() and mail.outbox == []
    services.transition(draft, "submit", by=world.company_a_admin)
    assert Notification.objects.filter(recipient=world.street_officer).count() == 1

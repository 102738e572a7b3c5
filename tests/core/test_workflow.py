"""The workflow helper: the fixed order of ``perform``, ``available`` with reasons, double clicks,
audit, and notices only after the commit."""

import importlib.util

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry
from core import workflow
from core.workflow import Actor, Transition, Workflow
from stations import services as station_services
from stations.models import Floor, Station, StationStatus
from tests.factories import make_user

S = StationStatus

EXPECTED = {
    "pilots.Application",
    "pilots.Programme",
    "pilots.PilotMilestone",
    "facilities.UseApplication",
    "facilities.Violation",
    "stations.Station",
    "stations.ResidentLinkRequest",
}


def test_every_declared_workflow_is_translated_and_uses_its_own_states():
    for config in apps.get_app_configs():  # the project's apps, each with its services
        ours = config.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in config.path
        if ours and importlib.util.find_spec(f"{config.name}.services"):
            importlib.import_module(f"{config.name}.services")
    registered = {flow.model._meta.label for flow in workflow.REGISTRY}
    assert registered >= EXPECTED, EXPECTED - registered
    for flow in workflow.REGISTRY:
        name = type(flow).__name__
        assert flow.transitions, name
        if flow.states is None:  # the state is a field with its choices
            assert flow.model._meta.get_field(flow.state_field).choices, name
        states = flow.choices()
        for step in flow.transitions:
            assert isinstance(step.label, Promise), f"{name}.{step.name}: the label is not translated"
            assert step.confirm is None or isinstance(step.confirm, Promise), f"{name}.{step.name}"
            for state in (*step.sources, step.target):
                assert state in states, f"{name}.{step.name}: {state!r} is not a state of the workflow"


class ToyFlow(Workflow):
    """Opening and closing a station, as a stand-in for any workflow."""

    model = Station
    transitions = (
        Transition("open", (S.PLANNED, S.RENOVATING), S.OPERATING, _("Toy: open"), actor="operator"),
        Transition(
            "close",
            (S.OPERATING,),
            S.CLOSED,
            _("Toy: close"),
            actor="bureau",
            inputs=("reason",),
            confirm=_("Toy: sure?"),
        ),
    )

    def __init__(self):
        super().__init__()
        self.calls, self.notices = [], []

    def actor_operator(self, station, user):
        if Station.objects.editable_by(user).filter(pk=station.pk).exists():
            return Actor(True, station.operator)
        return Actor.refuse("only the operator")

    def actor_bureau(self, station, user):
        scope = user.scope
        if scope.covers_region(station.region, edit=True):
            return Actor(True)
        return Actor.refuse("only the bureau")

    def prepare_close(self, by, reason=""):
        self.calls.append("prepare")

    def check_close(self, station, by, reason=""):
        self.calls.append("check")
        if not reason.strip():
            raise ValidationError({"reason": "give a reason"})

    def apply_close(self, station, by, actor, reason=""):
        self.calls.append("apply")
        station.closed_on = station.status_changed_on

    def after(self, station, step, by, actor, source, inputs):
        self.calls.append(("after", step.name, inputs, station.status))

    def notify(self, station, step, by, source):
        self.notices.append((station.pk, step.name, source))


@pytest.fixture
def flow():
    flow = ToyFlow()
    yield flow
    workflow.REGISTRY.remove(flow)


@pytest.fixture
def station(world):
    return station_services.save_station(
        None,
        by=world.company_a_admin,
        operator=world.company_a,
        region=world.regions["310105001"],
        name="华阳路为老服务站",
        address="华阳路 388 弄 1 号",
        floor=Floor.GROUND,
        services=["meals"],
    )


def test_available_lists_the_steps_from_the_state_with_reasons(flow, station, world):
    assert [a.name for a in flow.available(station, world.company_a_admin)] == ["open"]
    assert flow.available(station, world.company_b_admin) == []
    refused = flow.available(station, world.company_b_admin, include_refused=True)
    assert [(a.name, a.allowed, a.reason) for a in refused] == [("open", False, "only the operator")]


def test_perform_moves_the_state_audits_and_notifies(flow, station, world):
    opened = flow.perform(station, "open", by=world.company_a_admin)
    assert opened.status == S.OPERATING
    assert Station.objects.get(pk=station.pk).status == S.OPERATING
    entry = AuditEntry.objects.filter(action="transition:open", object_id=str(station.pk)).get()
    assert entry.changes == {"state": ["planned", "operating"]}
    assert flow.notices == [(station.pk, "open", S.PLANNED)]


def test_the_order_is_who_then_state_then_rules(flow, station, world):
    # Who comes first: a stranger is refused even though the state is also wrong.
    with pytest.raises(PermissionDenied, match="only the bureau"):
        flow.perform(station, "close", by=world.company_a_admin, reason="x")
    # Then the state: the bureau may close, but not a planned station.
    with pytest.raises(ValidationError) as error:
        flow.perform(station, "close", by=world.changning_officer, reason="x")
    assert error.value.code == "invalid_state"
    assert flow.calls == ["prepare", "prepare"]  # no check, no apply
    flow.perform(station, "open", by=world.company_a_admin)
    # Then the step's own rules, before any effect.
    with pytest.raises(ValidationError):
        flow.perform(station, "close", by=world.changning_officer, reason="  ")
    assert flow.calls[-2:] == ["prepare", "check"]
    assert Station.objects.get(pk=station.pk).status == S.OPERATING
    # The effects, then ``after`` on the saved row with the step's inputs.
    flow.perform(station, "close", by=world.changning_officer, reason="停业")
    assert flow.calls[-3:] == ["check", "apply", ("after", "close", {"reason": "停业"}, S.CLOSED)]


def test_a_double_click_changes_nothing(flow, station, world):
    flow.perform(station, "open", by=world.company_a_admin)
    again = flow.perform(station, "open", by=world.company_a_admin)
    assert again.status == S.OPERATING
    assert AuditEntry.objects.filter(action="transition:open", object_id=str(station.pk)).count() == 1
    assert len(flow.notices) == 1
    # Someone who may not take the step is refused, not told "done".
    with pytest.raises(PermissionDenied):
        flow.perform(station, "open", by=world.company_b_admin)


def test_unknown_actions_and_inputs_are_refused(flow, station, world):
    with pytest.raises(ValidationError) as error:
        flow.perform(station, "explode", by=world.company_a_admin)
    assert error.value.code == "unknown"
    with pytest.raises(ValidationError) as error:
        flow.perform(station, "open", by=world.company_a_admin, reason="not taken here")
    assert "reason" in error.value.message_dict
    assert Station.objects.get(pk=station.pk).status == S.PLANNED


def test_anonymous_and_inactive_users_are_refused(flow, station, world):
    allowed, reason = flow.can(station, AnonymousUser(), "open")
    assert not allowed and reason
    with pytest.raises(PermissionDenied):
        flow.perform(station, "open", by=AnonymousUser())
    inactive = make_user("gone", world.company_a, "org_admin")
    inactive.is_active = False
    inactive.save()
    with pytest.raises(PermissionDenied):
        flow.perform(station, "open", by=inactive)


@pytest.mark.django_db(transaction=True)
def test_notices_go_out_only_after_the_commit(seed_regions, world):
    flow = ToyFlow()
    try:
        station = station_services.save_station(
            None,
            by=world.company_a_admin,
            operator=world.company_a,
            region=world.regions["310105001"],
            name="仙霞服务站",
            address="仙霞路 1 号",
            floor=Floor.GROUND,
            services=["meals"],
        )
        with pytest.raises(RuntimeError), transaction.atomic():
            flow.perform(station, "open", by=world.company_a_admin)
            assert flow.notices == []  # not yet: the transaction is open
            raise RuntimeError("rolled back")
        assert flow.notices == []
        assert Station.objects.get(pk=station.pk).status == S.PLANNED
        flow.perform(station, "open", by=world.company_a_admin)
        assert flow.notices == [(station.pk, "open", S.PLANNED)]
    finally:
        workflow.REGISTRY.remove(flow)


def test_an_actor_from_a_services_check_keeps_its_message_and_asks_the_organisation_only_if_admitted():
    asked = []

    def refuse():
        raise PermissionDenied("only the bureau")

    refused = Actor.unless_refused(refuse, lambda: asked.append("org"))
    assert (refused.allowed, refused.reason, asked) == (False, "only the bureau", [])
    admitted = Actor.unless_refused(lambda: None, lambda: asked.append("org") or "the bureau")
    assert (admitted.allowed, admitted.organization, asked) == (True, "the bureau", ["org"])

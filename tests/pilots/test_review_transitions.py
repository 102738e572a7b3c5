"""The review workflow: every allowed and forbidden transition for each role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry, Notification
from pilots import services
from pilots.models import ApplicationStatus as S
from pilots.models import Opinion, Pilot, PilotMilestone
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def act(application, action, user, **kw):
    kw.setdefault("text", "意见")
    return services.transition(application, action, by=user, **kw)


def test_full_path_creates_opinions_pilot_milestones_and_notices(world, draft):
    app = act(draft, "submit", world.company_a_admin)
    assert (app.status, app.version) == (S.SUBMITTED, 1)
    assert Notification.objects.filter(recipient=world.street_officer).exists()
    app = act(app, "recommend", world.street_officer, text="同意推荐")
    assert app.status == S.RECOMMENDED
    app = act(app, "approve", world.changning_officer, text="同意")
    assert app.status == S.APPROVED and app.decided_at
    opinions = list(
        Opinion.objects.filter(application=app).values_list("stage", "decision", "organization__name")
    )
    assert opinions == [("street", "recommend", "华阳路街道办事处"), ("bureau", "approve", "长宁区民政局")]
    pilot = Pilot.objects.get(application=app)
    assert pilot.organization == world.company_a and PilotMilestone.objects.filter(pilot=pilot).count() == 1
    assert Notification.objects.filter(recipient=world.company_a_admin, title__contains="已批准").exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="transition:", object_id=str(app.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["transition:submit", "transition:recommend", "transition:approve"]


@pytest.mark.parametrize(
    "action, who",
    [
        ("recommend", "street_officer"),
        ("return", "street_officer"),
        ("not_recommend", "street_officer"),
        ("return", "changning_officer"),
        ("approve", "changning_officer"),
        ("reject", "changning_officer"),
    ],
)
def test_draft_only_moves_by_submit(world, draft, action, who):
    # Each officer who could take the step later is told the state does not allow it now.
    with pytest.raises(ValidationError):
        act(draft, action, getattr(world, who))


@pytest.mark.parametrize("action", ["recommend", "not_recommend"])
def test_who_is_checked_before_the_state(world, draft, action):
    # The fixed order of every workflow: a step that is not the bureau's is refused as such.
    with pytest.raises(PermissionDenied):
        act(draft, action, world.changning_officer)


@pytest.mark.parametrize("who", ["street_officer", "changning_officer"])
def test_officers_give_only_their_own_stage(world, draft, who):
    app = act(draft, "submit", world.company_a_admin)
    if who == "changning_officer":
        # The bureau cannot give the street opinion.
        with pytest.raises(PermissionDenied):
            act(app, "recommend", world.changning_officer)
    else:
        app = act(app, "recommend", world.street_officer)
        with pytest.raises(PermissionDenied):
            act(app, "approve", world.street_officer)


def test_officer_of_another_street_cannot_recommend(world, draft, other_street_officer):
    app = act(draft, "submit", world.company_a_admin)
    with pytest.raises(PermissionDenied) as caught:
        act(app, "recommend", other_street_officer)
    assert "华阳路街道" in str(caught.value)


def test_viewer_and_applicant_cannot_review(world, draft):
    app = act(draft, "submit", world.company_a_admin)
    for user in (world.changning_viewer, world.company_a_admin, world.company_b_admin):
        with pytest.raises(PermissionDenied):
            act(app, "recommend", user)


def test_bureau_of_another_region_cannot_approve(world, draft):
    app = act(act(draft, "submit", world.company_a_admin), "recommend", world.street_officer)
    with pytest.raises(PermissionDenied):
        act(app, "approve", world.nanan_officer)


def test_other_company_cannot_submit(world, draft):
    with pytest.raises(PermissionDenied):
        act(draft, "submit", world.company_b_admin)


def test_officer_files_on_behalf_of_the_applicant(world, draft):
    app = act(draft, "submit", world.street_officer)
    assert app.status == S.SUBMITTED
    assert app.versions.get().submitted_by == world.street_officer


@pytest.mark.parametrize(
    ("stage_actor", "prior"), [("street_officer", []), ("changning_officer", ["recommend"])]
)
def test_returned_application_is_revised_and_resubmitted_with_history(world, draft, stage_actor, prior):
    app = act(draft, "submit", world.company_a_admin)
    for step in prior:
        app = act(app, step, world.street_officer)
    app = act(app, "return", getattr(world, stage_actor), text="请补充资金保障")
    assert app.status == S.RETURNED
    services.update_application(app, by=world.company_a_admin, guarantee_funds="街道补贴 5 万元")
    app = act(app, "submit", world.company_a_admin)
    assert (app.status, app.version) == (S.SUBMITTED, 2)
    versions = list(app.versions.order_by("number").values_list("data__guarantee_funds", flat=True))
    assert versions == ["企业自筹", "街道补贴 5 万元"]
    assert app.opinions.filter(decision="return").exists()


def test_final_states_accept_nothing(world, draft):
    app = act(
        act(draft, "submit", world.company_a_admin), "not_recommend", world.street_officer, text="场地不足"
    )
    for action in services.APPLICATIONS.actions:
        with pytest.raises((ValidationError, PermissionDenied)):
            act(app, action, world.changning_officer)


def test_return_and_reject_need_a_reason(world, draft):
    app = act(draft, "submit", world.company_a_admin)
    with pytest.raises(ValidationError) as caught:
        act(app, "return", world.street_officer, text="  ")
    assert "text" in caught.value.message_dict


def test_submitted_application_cannot_be_edited(world, draft):
    act(draft, "submit", world.company_a_admin)
    with pytest.raises(ValidationError):
        services.update_application(draft, by=world.company_a_admin, goals="改")


def test_double_click_changes_nothing(world, draft):
    app = act(draft, "submit", world.company_a_admin)
    again = act(app, "submit", world.company_a_admin)
    assert again.version == 1 and again.versions.count() == 1
    act(app, "recommend", world.street_officer)
    act(app, "recommend", world.street_officer)
    assert Opinion.objects.filter(application=app).count() == 1


def test_only_the_applicant_side_gets_a_repeated_submit_as_a_double_click(world, draft):
    """A submitted application submitted again by someone who may not submit it is refused,
    not answered as if that person had just submitted it."""
    app = act(draft, "submit", world.company_a_admin)
    for user in (world.changning_viewer, world.company_b_admin):
        with pytest.raises((PermissionDenied, ValidationError)):
            act(app, "submit", user)
    app.refresh_from_db()
    assert app.version == 1 and app.versions.count() == 1


def test_second_reviewer_arriving_late_is_told_it_is_decided(world, draft):
    colleague = make_user("cn_officer2", world.changning_bureau, "officer")
    app = act(act(draft, "submit", world.company_a_admin), "recommend", world.street_officer)
    act(app, "approve", world.changning_officer)
    with pytest.raises(ValidationError) as caught:
        act(app, "approve", colleague)
    assert "已批准" in caught.value.messages[0]
    assert Pilot.objects.filter(application=app).count() == 1


def test_available_actions_per_role(world, draft):
    assert services.APPLICATIONS.allowed_names(draft, world.company_a_admin) == ["submit"]
    app = act(draft, "submit", world.company_a_admin)
    assert services.APPLICATIONS.allowed_names(app, world.street_officer) == [
        "recommend",
        "return",
        "not_recommend",
    ]
    assert services.APPLICATIONS.allowed_names(app, world.changning_officer) == []
    app = act(app, "recommend", world.street_officer)
    assert services.APPLICATIONS.allowed_names(app, world.changning_officer) == [
        "return",
        "approve",
        "reject",
    ]
    allowed, reason = services.can(world.company_b_admin, app, "approve")
    assert not allowed and "发文单位" in reason or "主管部门" in reason or reason

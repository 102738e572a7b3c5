"""The use procedure of a care room (004 三, ``USE_APPLICATIONS``) and its entrustment agreements."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from accounts import audit
from accounts.models import Organization, OrganizationKind, Role
from accounts.notices import members_of, notify
from accounts.params import check_calendar
from core.workflow import Actor, Transition, Workflow

from ..models import (
    ApplicationStatus,
    ApplicationStep,
    CareRoom,
    EntrustmentAgreement,
    HandoverState,
    OperatingState,
    UseApplication,
    add_months,
)
from .registry import bureau_of, town_of

AGREEMENT_WARNING_DAYS = 90


# --- use applications (004 三) --------------------------------------------------------------------


APPLICATION_FIELDS = ("residents", "elderly_residents", "room_area", "operating_mode", "services")


def start_application(*, by, room: CareRoom, text: str = "") -> UseApplication:
    """初步对接: the town (or the bureau with the town) opens the file on a room."""
    region = room.compound.region
    town = town_of(by, region)
    if town is None:
        bureau = bureau_of(by, region)
        town = Organization.objects.filter(
            kind=OrganizationKind.STREET_OFFICE, region__code=region.code[:9], is_active=True
        ).first()
        if bureau is None or town is None:
            raise PermissionDenied(_("Only the town of the compound or the bureau starts a use application."))
    if room.handover_state != HandoverState.HANDED_OVER:
        raise ValidationError(_("Only a room handed over to the bureau can be entrusted."))
    if (
        UseApplication.objects.filter(room=room)
        .exclude(
            status__in=[ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.OPERATING]
        )
        .exists()
    ):
        raise ValidationError(_("The room already has an application in progress."))
    with transaction.atomic(), audit.audit_context(actor=by):
        application = UseApplication.objects.create(room=room, town=town)
        ApplicationStep.objects.create(
            application=application,
            action="contact",
            to_status=ApplicationStatus.CONTACTED,
            actor=by,
            organization=town,
            text=text or _("Initial contact with the bureau."),
        )
    return application


def _fill_application(application: UseApplication, details: dict) -> None:
    for name in APPLICATION_FIELDS:
        if name in details:
            setattr(application, name, details[name])
    compound, room = application.room.compound, application.room
    application.residents = application.residents if application.residents is not None else compound.residents
    application.elderly_residents = (
        application.elderly_residents
        if application.elderly_residents is not None
        else compound.elderly_residents
    )
    application.room_area = application.room_area if application.room_area is not None else room.area
    missing = [
        label
        for name, label in (
            ("residents", _("residents")),
            ("elderly_residents", _("elderly residents (60+)")),
            ("room_area", _("room area (m²)")),
            ("operating_mode", _("operating mode")),
            ("services", pgettext("service content", "services offered")),
        )
        if getattr(application, name) in (None, "")
    ]
    if missing:
        raise ValidationError(
            _("The application still lacks: %(names)s.") % {"names": "、".join(map(str, missing))}
        )
    # The model's own checks (choices, the database's integer range) of what the town filled in.
    application.clean_fields(
        exclude=[f.name for f in UseApplication._meta.fields if f.name not in APPLICATION_FIELDS]
    )


def _sign(
    application, *, by, bureau, number: str = "", signed_on=None, starts_on=None, ends_on=None, note=""
):
    if not (number or "").strip():
        raise ValidationError({"number": _("Give the agreement's number.")})
    signed_on = signed_on or timezone.localdate()
    starts_on = starts_on or signed_on
    for name, day in (("signed_on", signed_on), ("starts_on", starts_on), ("ends_on", ends_on)):
        check_calendar(day, name)
    ends_on = ends_on or add_months(starts_on, 36) - dt.timedelta(days=1)  # 原则上为三年
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The agreement ends after it starts.")})
    bureau = (
        bureau
        or Organization.objects.filter(
            kind=OrganizationKind.CIVIL_AFFAIRS, region__code=application.room.compound.region.code[:6]
        ).first()
    )
    EntrustmentAgreement.objects.create(
        application=application,
        room=application.room,
        bureau=bureau,
        town=application.town,
        number=number.strip(),
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )


def _operate(application, *, by, on) -> None:
    room = CareRoom.objects.select_for_update().get(pk=application.room_id)
    room.operating_state = OperatingState.OPERATING
    room.operating_since = room.operating_since or on
    room.operating_mode = room.operating_mode or application.operating_mode
    room.full_clean()
    with audit.audit_context(actor=by):
        room.save()


# The steps of 004 三; the labels are the notice's words.
CONTACT_LABEL = pgettext_lazy("use procedure", "Initial contact")


class UseApplicationFlow(Workflow):
    """The use procedure of a care room (004 三): the town applies, the bureau surveys, the city
    approves, the bureau signs the entrustment agreement, the town puts the room into operation.
    Each step leaves an ``ApplicationStep`` (who, for whom, what was said) and tells the other
    side."""

    model = UseApplication
    select_related = ("room__compound__region", "town")
    transitions = (
        Transition(
            "apply",
            (ApplicationStatus.CONTACTED,),
            ApplicationStatus.APPLIED,
            pgettext_lazy("use procedure", "Apply"),
            "town",
            ("text", *APPLICATION_FIELDS),
        ),
        Transition(
            "survey",
            (ApplicationStatus.APPLIED,),
            ApplicationStatus.SURVEYED,
            pgettext_lazy("use procedure", "Survey the site and give an opinion"),
            "bureau",
            ("text",),
        ),
        Transition(
            "approve",
            (ApplicationStatus.SURVEYED,),
            ApplicationStatus.APPROVED,
            pgettext_lazy("use procedure", "Record the city government's approval"),
            "bureau",
            ("text", "city_approval_number", "city_approved_on"),
            confirm=pgettext_lazy(
                "use procedure",
                "The city government's approval is recorded and the application moves on to the "
                "entrustment agreement; this cannot be undone.",
            ),
        ),
        Transition(
            "reject",
            (ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
            ApplicationStatus.REJECTED,
            pgettext_lazy("use procedure", "Do not agree"),
            "bureau",
            ("text",),
            confirm=pgettext_lazy(
                "use procedure",
                "The application is refused with the opinion written here and the town is told; it "
                "cannot be reopened — the town starts a new application.",
            ),
        ),
        Transition(
            "sign",
            (ApplicationStatus.APPROVED,),
            ApplicationStatus.SIGNED,
            pgettext_lazy("use procedure", "Sign the entrustment agreement"),
            "bureau",
            ("text", "number", "signed_on", "starts_on", "ends_on", "note"),
            confirm=pgettext_lazy(
                "use procedure",
                "The entrustment agreement is registered with this number and term (three years "
                "unless another end is given) and the town is told; it cannot be changed here.",
            ),
        ),
        Transition(
            "operate",
            (ApplicationStatus.SIGNED,),
            ApplicationStatus.OPERATING,
            pgettext_lazy("use procedure", "Put into operation"),
            "town",
            ("text", "operating_since"),
            confirm=pgettext_lazy(
                "use procedure",
                "The room is registered as operating from today and its deadline no longer runs; "
                "this ends the procedure.",
            ),
        ),
        Transition(
            "withdraw",
            (ApplicationStatus.CONTACTED, ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
            ApplicationStatus.WITHDRAWN,
            pgettext_lazy("use procedure", "Withdraw"),
            "town",
            ("text",),
            confirm=pgettext_lazy(
                "use procedure",
                "The application is withdrawn and the bureau is told; it cannot be resumed — a new "
                "application starts again from the initial contact.",
            ),
        ),
    )

    def actor_town(self, application, user):
        town = town_of(user, application.room.compound.region)
        if town is None and not user.is_superuser:
            return Actor.refuse(
                _("Only %(who)s can take this step.") % {"who": _("the town of the compound")}
            )
        return Actor(True, town)

    def actor_bureau(self, application, user):
        bureau = bureau_of(user, application.room.compound.region)
        if bureau is None and not user.is_superuser:
            return Actor.refuse(
                _("Only %(who)s can take this step.") % {"who": _("the civil-affairs bureau")}
            )
        return Actor(True, bureau)

    def wrong_state_message(self, application, action):
        return _("The application is “%(status)s”: this step is not possible now.") % {
            "status": application.get_status_display()
        }

    def step_label(self, action: str):
        """What the history shows for a recorded step (the opening contact included)."""
        return CONTACT_LABEL if action == "contact" else self.label(action)

    def apply_apply(self, application, by, actor, text="", **details):
        _fill_application(application, details)

    def _check_opinion(self, application, by, text="", **details):
        if not text.strip():
            raise ValidationError({"text": _("Write down the bureau's opinion.")})

    check_survey = check_reject = _check_opinion

    def check_approve(self, application, by, text="", city_approval_number="", city_approved_on=None):
        if not (city_approval_number or "").strip() or city_approved_on is None:
            raise ValidationError(
                {"city_approval_number": _("Record the number and date of the city's approval.")}
            )

    def apply_approve(self, application, by, actor, text="", city_approval_number="", city_approved_on=None):
        application.city_approval_number = city_approval_number.strip()
        application.city_approved_on = city_approved_on

    def apply_sign(self, application, by, actor, text="", **details):
        _sign(application, by=by, bureau=actor.organization, **details)

    def apply_operate(self, application, by, actor, text="", operating_since=None):
        _operate(application, by=by, on=operating_since or timezone.localdate())

    def after(self, application, step, by, actor, source, inputs):
        ApplicationStep.objects.create(
            application=application,
            action=step.name,
            from_status=source,
            to_status=step.target,
            actor=by,
            organization=actor.organization,
            text=(inputs.get("text") or "").strip(),
        )

    def notify(self, application, step, by, source):
        """Each step reaches the other side: the bureau's steps the town, the town's the bureau."""
        region = application.room.compound.region
        if step.actor == "bureau":
            recipients = members_of([application.town], roles=(Role.OFFICER, Role.ORG_ADMIN))
        else:
            bureaus = Organization.objects.filter(
                kind=OrganizationKind.CIVIL_AFFAIRS, region__code=region.code[:6]
            )
            recipients = members_of(list(bureaus), roles=(Role.OFFICER, Role.ORG_ADMIN))
        notify(
            [user for user in recipients if user != by],
            title=_("Care room %(room)s: %(status)s")
            % {"room": application.room, "status": application.get_status_display()},
            body=str(step.label),
            link=f"/facilities/applications/{application.pk}/",
        )


USE_APPLICATIONS = UseApplicationFlow()


def act_on_application(application: UseApplication, action: str, *, by, **inputs) -> UseApplication:
    """One step of the procedure (``USE_APPLICATIONS``): checks who may take it and the state,
    records who, when and what was said, and tells the other side."""
    return USE_APPLICATIONS.perform(application, action, by=by, **inputs)


def expiring_agreements(queryset=None, *, within_days: int = AGREEMENT_WARNING_DAYS, today=None):
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else EntrustmentAgreement.objects.all()
    return queryset.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=within_days)).order_by(
        "ends_on"
    )

"""Rules of the care-room registry (004). Every change goes through a function here that takes
the acting user (``by``), checks who may act, writes the audit trail and sends the notices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Organization, OrganizationKind
from accounts.params import check_calendar
from regions.models import Region
from reports.spreadsheets import Field, ParsedRow, RowError, SpreadsheetImport, run_import

from .models import (
    Alteration,
    ApplicationStatus,
    ApplicationStep,
    Campaign,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    GuidanceTarget,
    HandoverState,
    Inspection,
    InspectionPhoto,
    OperatingState,
    UseApplication,
    Violation,
    ViolationState,
    add_months,
)

AGREEMENT_WARNING_DAYS = 90


# --- who may act -------------------------------------------------------------------------------


def _officer_of_region(user, region, *, kinds=None) -> Organization | None:
    """The government organisation through which ``user`` may change things in ``region``."""
    from accounts.models import Membership, Role

    memberships = Membership.objects.filter(
        user=user, is_active=True, role__in=[Role.OFFICER, Role.ORG_ADMIN], organization__is_active=True
    ).select_related("organization__region")
    for membership in memberships:
        organization = membership.organization
        if kinds and organization.kind not in kinds:
            continue
        if (
            organization.is_government
            and organization.region_id
            and region.code.startswith(organization.region.code)
        ):
            return organization
    return None


def bureau_of(user, region) -> Organization | None:
    """A civil-affairs bureau over ``region`` in which ``user`` is an officer (the owner)."""
    return _officer_of_region(user, region, kinds={OrganizationKind.CIVIL_AFFAIRS})


def town_of(user, region) -> Organization | None:
    """The town government (street office) of ``region`` in which ``user`` is an officer."""
    return _officer_of_region(user, region, kinds={OrganizationKind.STREET_OFFICE})


def _require_registry_editor(user, region) -> None:
    if user.is_superuser:
        return
    if bureau_of(user, region) is None and town_of(user, region) is None:
        raise PermissionDenied(_("Only the civil-affairs bureau or the town of the compound can do this."))


def _require_bureau(user, region) -> None:
    if not user.is_superuser and bureau_of(user, region) is None:
        raise PermissionDenied(_("Only the civil-affairs bureau of the county can do this."))


# --- registry and deadlines ----------------------------------------------------------------------


def campaign_for(region) -> Campaign | None:
    codes = [region.code[:n] for n in (12, 9, 6, 4, 2) if len(region.code) >= n]
    return (
        Campaign.objects.filter(region__code__in=codes)
        .order_by("-region__code", "-starts_on")
        .select_related("region")
        .first()
    )


CAMPAIGN_FIELDS = (
    "region",
    "title",
    "document_number",
    "starts_on",
    "existing_deadline",
    "new_handover_months",
)


def save_campaign(instance: Campaign | None, *, by, **fields) -> tuple[Campaign, int]:
    """Create or change a county's campaign (only its civil-affairs bureau may), then recompute
    the deadlines of the rooms it covers. Returns the campaign and how many deadlines changed."""
    campaign = instance or Campaign()
    if instance is not None:
        _require_bureau(by, instance.region)
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(campaign, name, value)
    campaign.full_clean()
    _require_bureau(by, campaign.region)
    with transaction.atomic(), audit.audit_context(actor=by):
        campaign.save()
        changed = recompute_deadlines(campaign)
    return campaign, changed


def deadline_for(room: CareRoom, campaign: Campaign | None = None) -> dt.date | None:
    """004 一: rooms handed over before the campaign operate by its deadline (2027-12-31);
    rooms handed over later within one year (``new_handover_months``) of the confirmation.
    Rooms not yet handed over have no deadline."""
    if room.handover_state != HandoverState.HANDED_OVER or room.handed_over_on is None:
        return None
    campaign = campaign or campaign_for(room.compound.region)
    if campaign is None:
        return None
    if room.handed_over_on < campaign.starts_on:
        return campaign.existing_deadline
    return add_months(room.handed_over_on, campaign.new_handover_months)


COMPOUND_FIELDS = ("name", "region", "address", "households", "residents", "elderly_residents", "developer")
COMPOUND_FIELDS += ("property_company",)
ROOM_FIELDS = ("compound", "location", "floor", "area", "built_on", "handover_state", "handover_number")
ROOM_FIELDS += ("handed_over_on", "owner", "operating_state", "operating_since", "operating_mode", "operator")
ROOM_FIELDS += ("responsible_party", "management_mode", "equipment", "staffing", "funding", "function")
ROOM_FIELDS += ("opening_hours",)


def save_compound(instance: Compound | None, *, by, **fields) -> Compound:
    compound = instance or Compound()
    if instance is not None:
        _require_registry_editor(by, instance.region)
    for name, value in fields.items():
        if name not in COMPOUND_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(compound, name, value)
    compound.full_clean()
    _require_registry_editor(by, compound.region)
    with audit.audit_context(actor=by):
        compound.save()
    return compound


def save_room(instance: CareRoom | None, *, by, **fields) -> CareRoom:
    """Register or change a room (建档). The owner of a handed-over room is the county's
    civil-affairs bureau; the deadline follows from the handover date and the campaign."""
    room = instance or CareRoom()
    if instance is not None:
        _require_registry_editor(by, instance.compound.region)
    for name, value in fields.items():
        if name not in ROOM_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        if isinstance(value, dt.date):
            check_calendar(value, name)  # the deadline is computed from the handover date
        setattr(room, name, value)
    if room.compound_id is None:
        raise ValidationError({"compound": _("Choose the compound.")})
    _require_registry_editor(by, room.compound.region)
    if room.handover_state == HandoverState.HANDED_OVER and room.owner_id is None:
        room.owner = Organization.objects.filter(
            kind=OrganizationKind.CIVIL_AFFAIRS, region__code=room.compound.region.code[:6], is_active=True
        ).first()
    room.full_clean()
    room.deadline = deadline_for(room)
    with audit.audit_context(actor=by):
        room.save()
    return room


def recompute_deadlines(campaign: Campaign) -> int:
    rooms = CareRoom.objects.filter(compound__region__code__startswith=campaign.region.code).select_related(
        "compound__region"
    )
    changed = 0
    for room in rooms:
        deadline = deadline_for(room, campaign_for(room.compound.region))
        if deadline != room.deadline:
            CareRoom.objects.filter(pk=room.pk).update(deadline=deadline)
            changed += 1
    return changed


def overdue_rooms(queryset=None, today=None):
    """Handed-over rooms past their deadline that are still not operating."""
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else CareRoom.objects.all()
    return queryset.filter(deadline__lt=today).exclude(operating_state=OperatingState.OPERATING)


@dataclass
class TownDeadlines:
    town: Region
    rooms: list = field(default_factory=list)

    @property
    def overdue(self):
        return [room for room in self.rooms if room.is_overdue]


def deadlines_by_town(queryset) -> list[TownDeadlines]:
    """Each town's handed-over rooms not yet operating, nearest deadline first, for the portal."""
    rooms = list(
        queryset.filter(handover_state=HandoverState.HANDED_OVER)
        .exclude(operating_state=OperatingState.OPERATING)
        .select_related("compound__region")
        .order_by("deadline", "id")
    )
    towns = {
        r.code: r for r in Region.objects.filter(code__in={room.compound.region.code[:9] for room in rooms})
    }
    grouped: dict[str, TownDeadlines] = {}
    for room in rooms:
        code = room.compound.region.code[:9]
        room.overdue_days = -room.days_left() if room.is_overdue else 0
        grouped.setdefault(code, TownDeadlines(towns.get(code))).rooms.append(room)
    return [grouped[code] for code in sorted(grouped)]


# --- inspections, violations and alterations -------------------------------------------------


def record_inspection(
    *, by, room: CareRoom, inspected_on, findings: str, violations=(), photos=()
) -> Inspection:
    """An inspection with what it found: each violation with its rectification deadline. Photos
    are checked by content."""
    from accounts.uploads import IMAGE_KINDS, check_upload

    _require_registry_editor(by, room.compound.region)
    if inspected_on > timezone.localdate():
        raise ValidationError({"inspected_on": _("An inspection cannot be recorded before it happens.")})
    if not (findings or "").strip():
        raise ValidationError({"findings": _("Write down what the inspection found.")})
    for photo in photos:
        check_upload(photo, allowed=IMAGE_KINDS)
    with transaction.atomic(), audit.audit_context(actor=by):
        inspection = Inspection.objects.create(
            room=room, inspected_on=inspected_on, inspector=by, findings=findings
        )
        for item in violations:
            violation = Violation(room=room, found_in=inspection, **item)
            violation.full_clean()
            if violation.rectify_by < inspected_on:
                raise ValidationError(
                    {"rectify_by": _("The rectification deadline lies before the inspection.")}
                )
            violation.save()
        for photo in photos:
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
    return inspection


def add_inspection_photos(inspection: Inspection, photos, *, by) -> list[InspectionPhoto]:
    """Photos for an inspection already recorded (e.g. uploaded later from a phone); each is
    checked by content."""
    from accounts.uploads import IMAGE_KINDS, check_upload

    _require_registry_editor(by, inspection.room.compound.region)
    photos = list(photos)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    for photo in photos:
        check_upload(photo, allowed=IMAGE_KINDS)
    with transaction.atomic():
        saved = [
            InspectionPhoto.objects.create(
                inspection=inspection, photo=photo, caption=getattr(photo, "name", "")
            )
            for photo in photos
        ]
        audit.record(inspection, "photos_added", note=str(len(saved)), actor=by)
    return saved


def update_violation(violation: Violation, *, by, action_taken: str) -> Violation:
    """The action taken so far (the violation is then being rectified)."""
    _require_registry_editor(by, violation.room.compound.region)
    if violation.state == ViolationState.CLOSED:
        raise ValidationError(_("The violation is closed."))
    violation.action_taken = (action_taken or "").strip()
    violation.state = ViolationState.RECTIFYING
    with audit.audit_context(actor=by):
        violation.save()
    return violation


def close_violation(violation: Violation, *, by, inspection: Inspection, action_taken: str = "") -> Violation:
    """A violation is closed only by a later inspection of the same room that found it put
    right."""
    _require_registry_editor(by, violation.room.compound.region)
    with transaction.atomic():
        locked = Violation.objects.select_for_update().select_related("found_in").get(pk=violation.pk)
        if locked.state == ViolationState.CLOSED:
            return locked  # a double click
        if inspection.room_id != locked.room_id:
            raise ValidationError({"inspection": _("The inspection is of another room.")})
        if inspection.inspected_on <= locked.found_in.inspected_on:
            raise ValidationError(
                {"inspection": _("Only an inspection after the one that found the violation can close it.")}
            )
        locked.state = ViolationState.CLOSED
        locked.closed_in = inspection
        if action_taken:
            locked.action_taken = action_taken.strip()
        with audit.audit_context(actor=by):
            locked.save()
    return locked


def record_alteration(*, by, room: CareRoom, **fields) -> Alteration:
    """004: no change of use or rebuilding without permission — recorded only with the approval
    (number, approving authority, date)."""
    _require_registry_editor(by, room.compound.region)
    alteration = Alteration(room=room, recorded_by=by, **fields)
    missing = [
        name for name in ("approval_number", "approved_by") if not (getattr(alteration, name) or "").strip()
    ]
    if missing or alteration.approved_on is None:
        raise ValidationError(
            {"approval_number": _("A change of use or a rebuilding is recorded only with its approval.")}
        )
    alteration.full_clean(exclude=["recorded_by"])
    with audit.audit_context(actor=by):
        alteration.save()
    return alteration


# --- use applications (004 三) --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str
    actor: str  # "town" or "bureau"
    label: str
    fields: tuple[str, ...] = ()  # the details this step records, besides its text


APPLICATION_FIELDS = ("residents", "elderly_residents", "room_area", "operating_mode", "services")


APPLICATION_STEPS = {
    "apply": Step(
        (ApplicationStatus.CONTACTED,), ApplicationStatus.APPLIED, "town", "提出申请", APPLICATION_FIELDS
    ),
    "survey": Step((ApplicationStatus.APPLIED,), ApplicationStatus.SURVEYED, "bureau", "现场踏勘并提出意见"),
    "approve": Step(
        (ApplicationStatus.SURVEYED,),
        ApplicationStatus.APPROVED,
        "bureau",
        "登记市政府批示",
        ("city_approval_number", "city_approved_on"),
    ),
    "reject": Step(
        (ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
        ApplicationStatus.REJECTED,
        "bureau",
        "不予同意",
    ),
    "sign": Step(
        (ApplicationStatus.APPROVED,),
        ApplicationStatus.SIGNED,
        "bureau",
        "签订委托协议",
        ("number", "signed_on", "starts_on", "ends_on", "note"),
    ),
    "operate": Step(
        (ApplicationStatus.SIGNED,), ApplicationStatus.OPERATING, "town", "投入运营", ("operating_since",)
    ),
    "withdraw": Step(
        (ApplicationStatus.CONTACTED, ApplicationStatus.APPLIED, ApplicationStatus.SURVEYED),
        ApplicationStatus.WITHDRAWN,
        "town",
        "撤回",
    ),
}


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


def allowed_actions(application: UseApplication, user) -> list[tuple[str, str]]:
    """(action, label) the user may take now — the portal shows only these."""
    region = application.room.compound.region
    actions = []
    for name, step in APPLICATION_STEPS.items():
        if application.status not in step.sources:
            continue
        if step.actor == "town" and (user.is_superuser or town_of(user, region) is not None):
            actions.append((name, step.label))
        if step.actor == "bureau" and (user.is_superuser or bureau_of(user, region) is not None):
            actions.append((name, step.label))
    return actions


def act_on_application(
    application: UseApplication, action: str, *, by, text: str = "", **details
) -> UseApplication:
    """One step of the procedure: checks the state and who may take it, records who, when and
    what was said, and tells the other side."""
    step = APPLICATION_STEPS.get(action)
    if step is None:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    unexpected = sorted(set(details) - set(step.fields))
    if unexpected:
        raise ValidationError(
            {
                name: _("The step “%(step)s” does not take this field.") % {"step": step.label}
                for name in unexpected
            }
        )
    with transaction.atomic():
        locked = (
            UseApplication.objects.select_for_update(of=("self",))
            .select_related("room__compound__region", "town")
            .get(pk=application.pk)
        )
        region = locked.room.compound.region
        acting_for = town_of(by, region) if step.actor == "town" else bureau_of(by, region)
        if acting_for is None and not by.is_superuser:
            who = _("the town of the compound") if step.actor == "town" else _("the civil-affairs bureau")
            raise PermissionDenied(_("Only %(who)s can take this step.") % {"who": who})
        if locked.status == step.target:
            return locked  # a double click
        if locked.status not in step.sources:
            raise ValidationError(
                _("The application is “%(status)s”: this step is not possible now.")
                % {"status": locked.get_status_display()}
            )
        source = locked.status
        if action == "apply":
            _fill_application(locked, details)
        elif action in ("survey", "reject") and not text.strip():
            raise ValidationError({"text": _("Write down the bureau's opinion.")})
        elif action == "approve":
            number, approved_on = (
                (details.get("city_approval_number") or "").strip(),
                details.get("city_approved_on"),
            )
            if not number or approved_on is None:
                raise ValidationError(
                    {"city_approval_number": _("Record the number and date of the city's approval.")}
                )
            locked.city_approval_number, locked.city_approved_on = number, approved_on
        elif action == "sign":
            _sign(locked, by=by, bureau=acting_for, **details)
        elif action == "operate":
            _operate(locked, by=by, on=details.get("operating_since") or timezone.localdate())
        locked.status = step.target
        with audit.audit_context(actor=by):
            locked.save()
            audit.record_transition(locked, action, from_state=source, to_state=step.target)
        ApplicationStep.objects.create(
            application=locked,
            action=action,
            from_status=source,
            to_status=step.target,
            actor=by,
            organization=acting_for,
            text=text.strip(),
        )
        _announce(locked, step, by=by)
    return locked


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
            ("services", _("services")),
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


def _announce(application: UseApplication, step: Step, *, by) -> None:
    """Each step reaches the other side: the bureau's steps the town, the town's the bureau."""
    from accounts.models import Role
    from accounts.notices import members_of, notify

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
        body=step.label,
        link=f"/facilities/applications/{application.pk}/",
    )


def expiring_agreements(queryset=None, *, within_days: int = AGREEMENT_WARNING_DAYS, today=None):
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else EntrustmentAgreement.objects.all()
    return queryset.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=within_days)).order_by(
        "ends_on"
    )


# --- guidance targets (004 附件) ------------------------------------------------------------------

YEARS = range(2020, 2041)
TOTAL_NAMES = {"合计", "总计", "合 计"}


class TargetImport(SpreadsheetImport):
    """The official table: one row per town, a two-row header where 指导数 spans 小计 and one
    column per year, a 合计 row and a 备注 column. Checked as a whole in :meth:`finish`."""

    fields = [
        Field("town", "乡镇（街道）", aliases=("乡镇(街道)", "乡镇街道", "镇街", "town")),
        Field("built", "已建数", aliases=("已建", "built"), kind="int"),
        Field("handed_over", "已移交数", aliases=("已移交", "handed over"), kind="int"),
        Field("not_handed_over", "未移交数", aliases=("未移交", "not handed over"), kind="int"),
        Field("subtotal", "小计", aliases=("指导数小计", "指导数-小计", "subtotal"), kind="int"),
        *[
            Field(
                f"y{year}",
                str(year),
                aliases=(f"指导数{year}", f"{year}年", f"指导数{year}年"),
                kind="int",
                required=False,
            )
            for year in YEARS
        ],
        Field("remarks", "备注", aliases=("remarks",), required=False),
    ]

    def __init__(self, county: Region, **kwargs):
        super().__init__(**kwargs)
        self.county = county
        self.rows: list[ParsedRow] = []
        self.total: ParsedRow | None = None
        self.towns = {
            region.name: region
            for region in Region.objects.filter(code__startswith=county.code, code__regex=r"^\d{9}$")
        }
        self.saved: list[GuidanceTarget] = []

    def save_row(self, row: ParsedRow):
        name = (row.values.get("town") or "").replace(" ", "")
        if name in {n.replace(" ", "") for n in TOTAL_NAMES}:
            if self.total is not None:
                raise ValidationError({"town": _("The table has more than one 合计 row.")})
            self.total = row
            return None
        if self.total is not None:
            raise ValidationError({"town": _("A town row below the 合计 row.")})
        self.rows.append(row)
        return None

    def _years(self, row: ParsedRow) -> list[int]:
        return sorted(int(name[1:]) for name in row.columns if name.startswith("y"))

    def finish(self) -> list[RowError]:
        errors: list[RowError] = []
        if not self.rows:
            return [RowError("", None, None, None, _("The table has no town rows."))]
        years = self._years(self.rows[0])
        if not years:
            return [
                RowError(
                    self.rows[0].sheet, None, None, None, _("The table has no year columns under 指导数.")
                )
            ]
        seen: dict[str, int] = {}
        for row in self.rows:
            errors.extend(self._check_row(row, years, seen))
        if self.total is None:
            errors.append(RowError(self.rows[-1].sheet, None, None, None, _("The table has no 合计 row.")))
        else:
            errors.extend(self._check_total(years))
        if errors:
            return errors
        GuidanceTarget.objects.filter(county=self.county).delete()
        for row in self.rows:
            v = row.values
            self.saved.append(
                GuidanceTarget.objects.create(
                    county=self.county,
                    town=self.towns[v["town"].replace(" ", "")],
                    built=v["built"],
                    handed_over=v["handed_over"],
                    not_handed_over=v["not_handed_over"],
                    subtotal=v["subtotal"],
                    per_year={str(year): v.get(f"y{year}") or 0 for year in years},
                    remarks=v.get("remarks") or "",
                )
            )
        return []

    def _check_row(self, row: ParsedRow, years, seen) -> list[RowError]:
        v = row.values
        town = v["town"].replace(" ", "")
        errors = []
        if town not in self.towns:
            errors.append(
                row.error(
                    _("%(town)s is not a town (street) of %(county)s.")
                    % {"town": town, "county": self.county.name},
                    "town",
                )
            )
        elif town in seen:
            errors.append(
                row.error(
                    _("%(town)s appears again (first on row %(row)d).") % {"town": town, "row": seen[town]},
                    "town",
                )
            )
        seen.setdefault(town, row.number)
        numbers = ("built", "handed_over", "not_handed_over", "subtotal", *[f"y{y}" for y in years])
        negative = [name for name in numbers if (v.get(name) or 0) < 0]
        for name in negative:
            errors.append(row.error(_("%(town)s: a count cannot be negative.") % {"town": town}, name))
        if v["handed_over"] + v["not_handed_over"] != v["built"]:
            errors.append(
                row.error(
                    _("%(town)s: 已移交数 + 未移交数 (%(a)d + %(b)d) ≠ 已建数 (%(c)d).")
                    % {"town": town, "a": v["handed_over"], "b": v["not_handed_over"], "c": v["built"]},
                    "built",
                )
            )
        year_sum = sum(v.get(f"y{y}") or 0 for y in years)
        if year_sum != v["subtotal"]:
            errors.append(
                row.error(
                    _("%(town)s: the years %(years)s add up to %(sum)d, but 小计 is %(subtotal)d.")
                    % {
                        "town": town,
                        "years": "、".join(map(str, years)),
                        "sum": year_sum,
                        "subtotal": v["subtotal"],
                    },
                    "subtotal",
                )
            )
        return errors

    def _check_total(self, years) -> list[RowError]:
        total = self.total
        errors = []
        labels = {
            "built": "已建数",
            "handed_over": "已移交数",
            "not_handed_over": "未移交数",
            "subtotal": "小计",
            **{f"y{y}": str(y) for y in years},
        }
        for name, label in labels.items():
            expected = sum(row.values.get(name) or 0 for row in self.rows)
            stated = total.values.get(name) or 0
            if stated != expected:
                errors.append(
                    total.error(
                        _("合计 %(column)s is %(stated)d, but the towns above add up to %(expected)d.")
                        % {"column": label, "stated": stated, "expected": expected},
                        name,
                    )
                )
        return errors


def import_targets(
    fp, *, county: Region, by, filename: str = "", channel: str = "import"
) -> list[GuidanceTarget]:
    """Import 004's guidance table for ``county``; raises ImportFailed (nothing written) on any
    inconsistency. The rows replace the county's previous table."""
    if not by.is_superuser and bureau_of(by, county) is None:
        raise PermissionDenied(_("Only an officer of the county's civil-affairs bureau imports its targets."))
    if len(county.code) not in (4, 6):
        raise ValidationError({"county": _("Choose a county (or a city without districts).")})
    importer = TargetImport(county, by=by, channel=channel)
    run_import(fp, importer, filename=filename)
    return importer.saved


@dataclass
class ProgressRow:
    town: Region | None
    name: str
    built: int = 0
    handed_over: int = 0
    not_handed_over: int = 0
    target: int = 0
    per_year: dict = field(default_factory=dict)  # year -> (target, operating)
    operating: int = 0
    remarks: str = ""


def target_progress(
    county: Region, *, rooms=None, targets=None
) -> tuple[list[int], list[ProgressRow], ProgressRow]:
    """Per town: built / handed over / not handed over counted from the registry, the target
    subtotal and per year against the rooms put into operation in that year, and the total."""
    rooms = rooms if rooms is not None else CareRoom.objects.all()
    targets = list(
        (targets if targets is not None else GuidanceTarget.objects.all())
        .filter(county=county)
        .select_related("town")
    )
    years = sorted({int(y) for t in targets for y in t.per_year})
    counts = (
        rooms.filter(compound__region__code__startswith=county.code)
        .values("compound__region__code")
        .annotate(
            built=Count("id"),
            handed=Count("id", filter=Q(handover_state=HandoverState.HANDED_OVER)),
            operating=Count("id", filter=Q(operating_state=OperatingState.OPERATING)),
        )
    )
    by_year = (
        rooms.filter(compound__region__code__startswith=county.code, operating_state=OperatingState.OPERATING)
        .exclude(operating_since=None)
        .values("compound__region__code", "operating_since__year")
        .annotate(n=Count("id"))
    )
    registry = defaultdict(lambda: {"built": 0, "handed": 0, "operating": 0})
    for row in counts:
        town = row["compound__region__code"][:9]
        for key in ("built", "handed", "operating"):
            registry[town][key] += row[key]
    operated = defaultdict(int)
    for row in by_year:
        operated[(row["compound__region__code"][:9], row["operating_since__year"])] += row["n"]
    target_by_town = {t.town.code: t for t in targets}
    codes = sorted(set(target_by_town) | set(registry))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        target = target_by_town.get(code)
        figures = registry[code]
        rows.append(
            ProgressRow(
                town=target.town if target else None,
                name=names.get(code, code),
                built=figures["built"],
                handed_over=figures["handed"],
                not_handed_over=figures["built"] - figures["handed"],
                target=target.subtotal if target else 0,
                per_year={y: (target.target_for(y) if target else 0, operated[(code, y)]) for y in years},
                operating=figures["operating"],
                remarks=target.remarks if target else "",
            )
        )
    total = ProgressRow(
        None,
        "合计",
        sum(r.built for r in rows),
        sum(r.handed_over for r in rows),
        sum(r.not_handed_over for r in rows),
        sum(r.target for r in rows),
        {y: (sum(r.per_year[y][0] for r in rows), sum(r.per_year[y][1] for r in rows)) for y in years},
        sum(r.operating for r in rows),
    )
    return years, rows, total

"""Rules of the three roles, training and volunteering. Every change goes through a function
here that takes the acting user (``by``), checks who may act and writes the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.identity import parse_identity_number
from accounts.models import Membership, Organization, Role
from accounts.notices import members_of, notify
from accounts.pii import blind_index, blind_index_candidates
from accounts.scoping import require_editable, scope_for
from regions.models import Region, region_subtree

from .models import (
    Qualification,
    StaffMember,
    StaffRole,
    StaffStatus,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
)

PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{7,20}$")

STAFF_FIELDS = ("name", "phone", "id_number", "employer", "region", "roles", "kind", "status")
STAFF_FIELDS += ("joined_on", "left_on", "user")


def require_employer(organization: Organization, by) -> None:
    require_editable(organization, by, _("Only the employer (or an officer of its region) can do this."))


# --- staff -------------------------------------------------------------------------------------


def _check_phone(phone: str) -> str:
    phone = "".join((phone or "").split())
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationError({"phone": _("Enter a phone number of 7 to 20 digits.")})
    return phone


def save_staff(instance: StaffMember | None, *, by, stations=None, **fields) -> StaffMember:
    """Add or change a staff member. The identity number, when given, is checked like a
    resident's; the stations and the login account must belong to the employer."""

    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    member = instance or StaffMember()
    if instance is not None:
        require_employer(instance.employer, by)
    for name, value in fields.items():
        setattr(member, name, value)
    require_employer(member.employer, by)
    if "phone" in fields:
        member.phone = _check_phone(fields["phone"])
    if "id_number" in fields:
        number = "".join((fields["id_number"] or "").split()).upper()
        if number:
            try:
                parse_identity_number(number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
        member.id_number = number
    member.roles = sorted(
        set(member.roles or []), key=lambda r: StaffRole.values.index(r) if r in StaffRole.values else 9
    )
    if member.status == StaffStatus.LEFT and not member.left_on:
        member.left_on = timezone.localdate()
    member.phone_hash = blind_index(member.phone)
    member.id_number_hash = blind_index(member.id_number)
    if member.user_id:
        if not Membership.objects.filter(
            user_id=member.user_id, organization_id=member.employer_id, is_active=True
        ).exists():
            raise ValidationError({"user": _("The login account must be a member of the employer.")})
        taken = StaffMember.objects.filter(user_id=member.user_id).exclude(pk=member.pk).first()
        if taken is not None:
            raise ValidationError(
                {"user": _("This login account already belongs to %(name)s.") % {"name": taken.name}}
            )
    member.full_clean(exclude=["phone_hash", "id_number_hash", "stations"])
    stations = list(stations) if stations is not None else None
    if stations:
        foreign = [s.name for s in stations if s.operator_id != member.employer_id]
        if foreign:
            raise ValidationError(
                {"stations": _("%(names)s are not stations of the employer.") % {"names": "、".join(foreign)}}
            )
    with transaction.atomic(), audit.audit_context(actor=by):
        member.save()
        if stations is not None:
            member.stations.set(stations)
    return member


def find_staff(queryset, *, phone: str = "", id_number: str = ""):
    """Exact search on the keyed hashes: nothing is decrypted."""
    if phone:
        queryset = queryset.filter(phone_hash__in=blind_index_candidates(phone))
    if id_number:
        queryset = queryset.filter(id_number_hash__in=blind_index_candidates(id_number))
    return queryset


# --- the rules that tie training to service and publicity ------------------------------------
# They live on ``StaffMember.objects`` (``may_serve``, ``publicity_officers``) with the reasons
# computed from the same conditions (``serve_refusal``, ``publicity_refusal``).


def check_publicity_officers(officers, station) -> None:
    """000: publicity events are run by the operator's publicity officers (宣传员)."""
    problems = [reason for member in officers if (reason := member.publicity_refusal(station))]
    if problems:
        raise ValidationError({"officers": "；".join(problems) + "。"})


# --- qualifications ---------------------------------------------------------------------------

QUALIFICATION_FIELDS = ("name", "level", "certificate_number", "issued_on", "expires_on")


def save_qualification(instance: Qualification | None, *, by, staff: StaffMember | None = None, **fields):
    qualification = instance or Qualification(staff=staff)
    require_employer(qualification.staff.employer, by)
    for name, value in fields.items():
        if name not in QUALIFICATION_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(qualification, name, value)
    if "expires_on" in fields:
        qualification.expiry_notified_on = None
    qualification.full_clean()
    with audit.audit_context(actor=by):
        qualification.save()
    return qualification


def delete_qualification(qualification: Qualification, *, by) -> None:
    require_employer(qualification.staff.employer, by)
    with audit.audit_context(actor=by):
        qualification.delete()


def expiring_qualifications(queryset=None, *, within_days: int | None = None, today=None):
    """Qualifications that expire within the warning period (or have expired) of active staff."""
    today = today or timezone.localdate()
    within_days = settings.QUALIFICATION_WARNING_DAYS if within_days is None else within_days
    queryset = queryset if queryset is not None else Qualification.objects.all()
    return (
        queryset.filter(expires_on__isnull=False, expires_on__lte=today + dt.timedelta(days=within_days))
        .filter(staff__status=StaffStatus.ACTIVE)
        .select_related("staff__employer")
        .order_by("expires_on", "id")
    )


def notify_expiring_qualifications(today=None) -> int:
    """Tell each employer's administrators once about each qualification entering the warning
    period (run daily by Celery beat). Returns the number of qualifications announced."""

    today = today or timezone.localdate()
    due = list(expiring_qualifications(today=today).filter(expiry_notified_on__isnull=True))
    by_employer = defaultdict(list)
    for qualification in due:
        by_employer[qualification.staff.employer].append(qualification)
    for employer, items in by_employer.items():
        lines = [
            _("%(name)s: %(qualification)s %(number)s expires on %(date)s")
            % {
                "name": q.staff.name,
                "qualification": str(q),
                "number": q.certificate_number,
                "date": q.expires_on.isoformat(),
            }
            for q in items
        ]
        notify(
            members_of([employer], roles=(Role.ORG_ADMIN,)),
            title=_("%(count)d staff qualifications expire soon") % {"count": len(items)},
            body="\n".join(lines),
            link="/staff/?expiring=1",
        )
    Qualification.objects.filter(pk__in=[q.pk for q in due]).update(expiry_notified_on=today)
    return len(due)


# --- training ---------------------------------------------------------------------------------

SESSION_FIELDS = ("organiser", "region", "title", "kind", "starts_on", "ends_on", "hours", "place")
SESSION_FIELDS += ("instructors", "capacity", "theory_pass_mark", "practical_pass_mark")


def require_session_editor(session: TrainingSession, by) -> None:
    if session.pk:
        require_editable(session, by, _("Only an officer of the session's region can change it."))


def save_session(instance: TrainingSession | None, *, by, **fields) -> TrainingSession:
    """Create or change a session. Changing a pass mark re-derives every record's result."""

    session = instance or TrainingSession()
    require_session_editor(session, by)
    old_marks = (session.theory_pass_mark, session.practical_pass_mark) if instance else None
    for name, value in fields.items():
        if name not in SESSION_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(session, name, value)
    session.full_clean()
    scope = scope_for(by)
    if not scope.covers_region(session.region, edit=True):
        raise PermissionDenied(_("Only an officer of the region can organise its training."))
    if not by.is_superuser and session.organiser_id not in scope.organization_ids(edit=True):
        raise ValidationError({"organiser": _("The organiser must be your own bureau.")})
    if not session.organiser.is_government:
        raise ValidationError({"organiser": _("Training is organised by a bureau or a street office.")})
    with transaction.atomic(), audit.audit_context(actor=by):
        session.save()
        if old_marks is not None and old_marks != (session.theory_pass_mark, session.practical_pass_mark):
            for record in session.records.select_related("staff"):
                record.session = session
                record.save()
    return session


def record_result(
    session: TrainingSession,
    staff: StaffMember,
    *,
    by,
    attended: bool = True,
    theory_score=None,
    practical_score=None,
    certificate_number: str = "",
) -> TrainingRecord:
    """Enrol ``staff`` (within capacity) and record attendance and both scores; ``passed`` is
    derived from the session's pass marks."""
    require_session_editor(session, by)
    if not StaffMember.objects.visible_to(by).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("%(name)s is outside your region.") % {"name": staff.name})
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        record = TrainingRecord.objects.filter(session=locked, staff=staff).first()
        if record is None:
            if locked.capacity is not None and locked.records.count() >= locked.capacity:
                raise ValidationError(
                    _("The session is full (%(capacity)d places).") % {"capacity": locked.capacity}
                )
            record = TrainingRecord(session=locked, staff=staff)
        record.session = locked
        record.attended = bool(attended)
        record.theory_score = theory_score
        record.practical_score = practical_score
        record.certificate_number = (certificate_number or "").strip()
        record.full_clean(exclude=["session", "staff"])
        with audit.audit_context(actor=by):
            record.save()
    return record


def delete_record(record: TrainingRecord, *, by) -> None:
    require_session_editor(record.session, by)
    with audit.audit_context(actor=by):
        record.delete()


def save_target(target: TrainingTarget, *, by) -> TrainingTarget:
    """The training target (人次) of a district for a year; only officers of the district."""

    target.full_clean()
    if not scope_for(by).covers_region(target.region, edit=True):
        raise PermissionDenied(_("Only an officer of the district can set its target."))
    with audit.audit_context(actor=by):
        target.save()
    return target


def announce_results(session: TrainingSession, records) -> None:
    """The decision on each person reaches their employer: one notice per employer listing who
    passed and who did not."""

    by_employer = defaultdict(list)
    for record in records:
        by_employer[record.staff.employer].append(record)
    for employer, items in by_employer.items():
        passed = sum(1 for r in items if r.passed)
        passed_word, failed_word, absent_word = _("passed"), _("not passed"), _("absent")
        lines = [
            f"{r.staff.name}：{passed_word if r.passed else failed_word}"
            + (f"（{r.theory_score} / {r.practical_score}）" if r.attended else f"（{absent_word}）")
            for r in items
        ]
        notify(
            members_of([employer], roles=(Role.ORG_ADMIN,)),
            title=_("Training results of %(session)s: %(passed)d of %(count)d passed")
            % {"session": session.title, "passed": passed, "count": len(items)},
            body="\n".join(lines),
            link="/staff/training/",
        )


@dataclass
class ProgressRow:
    key: str
    name: str
    person_times: int = 0
    passed: int = 0
    assessed: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        if not self.assessed:
            return None
        return (Decimal(self.passed) * 100 / self.assessed).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class TrainingProgress:
    """The figures of ``scope_name`` (a region, or the part of it the user may see) and, when
    they are not the whole district's, the district's own figure and target beside them, so
    figures are only ever compared with the target of the same area."""

    region: Region
    year: int
    target: int | None
    total: ProgressRow
    streets: list[ProgressRow] = field(default_factory=list)
    companies: list[ProgressRow] = field(default_factory=list)
    complete: bool = True  # the figures count every attendance in the region
    district: ProgressRow | None = None  # the enclosing district, every attendance counted
    district_target: int | None = None

    @property
    def scope_name(self) -> str:
        if self.complete:
            return self.region.name
        return _("%(region)s (the staff you can see)") % {"region": self.region.name}

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.total.person_times, self.target)

    @property
    def district_percent(self) -> Decimal | None:
        return percent_of(self.district.person_times, self.district_target) if self.district else None


def percent_of(done: int, target: int | None) -> Decimal | None:
    if not target:
        return None
    return (Decimal(done) * 100 / target).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _attended_in(region, year, records):
    return records.filter(
        region_subtree("staff__region", region), attended=True, session__starts_on__year=year
    )


def training_progress(
    region: Region, year: int, *, records=None, targets=None, complete: bool = True
) -> TrainingProgress:
    """Training person-times (人次: attendances) of staff working in ``region`` in ``year``,
    with passes by street and by company (000: 全区培训 200 人次).

    ``records`` are those the user may see; ``complete`` says whether they are every record of
    the region. The figures are compared only with the target of the region itself, and only
    when they are complete. A street's (or a partial) figure is shown beside the district's own
    total — every attendance in the district, counted, never listed — and the district's target."""
    records = records if records is not None else TrainingRecord.objects.all()
    targets = targets if targets is not None else TrainingTarget.objects.all()
    records = _attended_in(region, year, records)
    target = None
    if complete:
        target = targets.filter(region=region, year=year).values_list("person_times", flat=True).first()
    aggregate = {"person_times": Count("id"), "passed": Count("id", filter=Q(passed=True))}
    by_street = (
        records.annotate(street=Substr("staff__region__code", 1, 9)).values("street").annotate(**aggregate)
    )
    by_company = records.values("staff__employer_id", "staff__employer__name").annotate(**aggregate)
    names = dict(
        Region.objects.filter(code__in=[row["street"] for row in by_street]).values_list("code", "name")
    )
    streets = [
        ProgressRow(
            r["street"],
            names.get(r["street"], r["street"]),
            r["person_times"],
            r["passed"],
            r["person_times"],
        )
        for r in by_street
    ]
    companies = [
        ProgressRow(
            str(r["staff__employer_id"]),
            r["staff__employer__name"],
            r["person_times"],
            r["passed"],
            r["person_times"],
        )
        for r in by_company
    ]
    streets.sort(key=lambda row: row.key)
    companies.sort(key=lambda row: (-row.person_times, row.name))
    total = ProgressRow(
        region.code,
        region.name,
        sum(r.person_times for r in streets),
        sum(r.passed for r in streets),
        sum(r.assessed for r in streets),
    )
    progress = TrainingProgress(region, year, target, total, streets, companies, complete=complete)
    if len(region.code) > 6 or not complete:
        district = Region.objects.filter(code=region.code[:6]).first()
        if district is not None:
            figures = _attended_in(district, year, TrainingRecord.objects.all()).aggregate(
                person_times=Count("id"), passed=Count("id", filter=Q(passed=True))
            )
            progress.district = ProgressRow(
                district.code,
                district.name,
                figures["person_times"],
                figures["passed"],
                figures["person_times"],
            )
            progress.district_target = (
                targets.filter(region=district, year=year).values_list("person_times", flat=True).first()
            )
    return progress


def progress_for(user, region: Region, year: int) -> TrainingProgress:
    """The training progress of ``region`` as ``user`` may see it: the records of their scope,
    said to be the region's whole figure only when their scope covers the region."""
    return training_progress(
        region,
        year,
        records=TrainingRecord.objects.visible_to(user),
        targets=TrainingTarget.objects.visible_to(user),
        complete=scope_for(user).covers_region(region),
    )


# --- resource information (information officers) -----------------------------------------------

RESOURCE_FIELDS = ("kind", "name", "contact", "phone", "address", "services", "is_current")


def information_officer(user, station) -> StaffMember:
    member = StaffMember.objects.filter(user=user, employer_id=station.operator_id).first() if user else None
    if member is None or member.status != StaffStatus.ACTIVE or not member.has_role(StaffRole.INFORMATION):
        raise PermissionDenied(
            _("Resource information is kept by the operator's information officers (信息员).")
        )
    return member


def save_resource(instance: StationResource | None, *, by, station=None, **fields) -> StationResource:
    """000: the information officer keeps the station's resource information current; each
    change is audited and stamped with who and when."""
    resource = instance or StationResource(station=station)
    member = information_officer(by, resource.station)
    for name, value in fields.items():
        if name not in RESOURCE_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(resource, name, value)
    resource.updated_by = member
    resource.updated_at = timezone.now()
    resource.full_clean()
    with audit.audit_context(actor=by):
        resource.save()
    return resource

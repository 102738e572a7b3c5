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
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.identity import parse_identity_number
from accounts.models import Organization
from accounts.pii import blind_index, blind_index_candidates, mask_phone
from regions.models import Region
from reports.spreadsheets import Field, ParsedRow, SpreadsheetImport, run_import

from .models import (
    EntryKind,
    PointsAccount,
    PointsEntry,
    PointsRule,
    Qualification,
    Reward,
    StaffMember,
    StaffRole,
    StaffStatus,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
    VolunteerActivity,
    VolunteerHours,
    VolunteerTeam,
)

PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{7,20}$")

STAFF_FIELDS = ("name", "phone", "id_number", "employer", "region", "roles", "kind", "status")
STAFF_FIELDS += ("joined_on", "left_on", "user")


def _require_employer(organization: Organization, by) -> None:
    if not Organization.objects.editable_by(by).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("Only the employer (or an officer of its region) can do this."))


# --- staff -------------------------------------------------------------------------------------


def _check_phone(phone: str) -> str:
    phone = "".join((phone or "").split())
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationError({"phone": _("Enter a phone number of 7 to 20 digits.")})
    return phone


def save_staff(instance: StaffMember | None, *, by, stations=None, **fields) -> StaffMember:
    """Add or change a staff member. The identity number, when given, is checked like a
    resident's; the stations and the login account must belong to the employer."""
    from accounts.models import Membership

    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    member = instance or StaffMember()
    if instance is not None:
        _require_employer(instance.employer, by)
    for name, value in fields.items():
        setattr(member, name, value)
    _require_employer(member.employer, by)
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
    _require_employer(qualification.staff.employer, by)
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
    _require_employer(qualification.staff.employer, by)
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
    from accounts.models import Role
    from accounts.notices import members_of, notify

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


def _require_session_editor(session: TrainingSession, by) -> None:
    if session.pk and not TrainingSession.objects.editable_by(by).filter(pk=session.pk).exists():
        raise PermissionDenied(_("Only an officer of the session's region can change it."))


def save_session(instance: TrainingSession | None, *, by, **fields) -> TrainingSession:
    """Create or change a session. Changing a pass mark re-derives every record's result."""
    from accounts.scoping import scope_for

    session = instance or TrainingSession()
    _require_session_editor(session, by)
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
    _require_session_editor(session, by)
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
    _require_session_editor(record.session, by)
    with audit.audit_context(actor=by):
        record.delete()


def save_target(target: TrainingTarget, *, by) -> TrainingTarget:
    """The training target (人次) of a district for a year; only officers of the district."""
    from accounts.scoping import scope_for

    target.full_clean()
    if not scope_for(by).covers_region(target.region, edit=True):
        raise PermissionDenied(_("Only an officer of the district can set its target."))
    with audit.audit_context(actor=by):
        target.save()
    return target


class ScoreImport(SpreadsheetImport):
    """Attendance and scores of one session. People are matched to staff by name, and by phone
    when the name is not unique; unknown or ambiguous people are errors of their row."""

    # 姓名 and the three results are the sheet; 手机号 (to tell namesakes apart) and 证书编号
    # are optional columns, and a sheet without 证书编号 keeps the certificates on file.
    fields = [
        Field("name", "姓名", aliases=("name", "人员姓名")),
        Field("phone", "手机号", aliases=("手机", "联系电话", "电话", "phone"), required=False),
        Field("attended", "是否出勤", aliases=("出勤", "attended"), required=False, column_required=True),
        Field(
            "theory_score",
            "理论成绩",
            aliases=("理论考核", "理论", "theory"),
            kind="decimal",
            required=False,
            column_required=True,
        ),
        Field(
            "practical_score",
            "实操成绩",
            aliases=("实操考核", "实操", "practical"),
            kind="decimal",
            required=False,
            column_required=True,
        ),
        Field("certificate_number", "证书编号", aliases=("证书号", "certificate"), required=False),
    ]

    ATTENDED = {"是", "出勤", "到", "√", "✓", "y", "yes", "1", "true"}
    ABSENT = {"否", "缺勤", "未到", "缺", "×", "n", "no", "0", "false"}

    def __init__(self, session: TrainingSession, **kwargs):
        super().__init__(**kwargs)
        self.session = session
        self.seen: dict[int, int] = {}
        self.candidates = StaffMember.objects.visible_to(self.by).filter(
            region__code__startswith=session.region.code
        )

    def save_row(self, row: ParsedRow):
        values = row.values
        name = (values.get("name") or "").strip()
        phone = "".join(str(values.get("phone") or "").split())
        people = list(self.candidates.filter(name=name))
        if phone:
            people = [p for p in people if p.phone_hash in blind_index_candidates(phone)]
        if not people:
            described = f"{name}（{mask_phone(phone)}）" if phone else name
            raise ValidationError(
                {"name": _("No staff member %(name)s in the session's region.") % {"name": described}}
            )
        if len(people) > 1:
            raise ValidationError(
                {
                    "phone" if phone else "name": _(
                        "%(count)d staff members are named %(name)s; add the phone number to tell them apart."
                    )
                    % {"count": len(people), "name": name}
                }
            )
        member = people[0]
        if member.pk in self.seen:
            raise ValidationError(
                {
                    "name": _("%(name)s already appears on row %(row)d.")
                    % {"name": name, "row": self.seen[member.pk]}
                }
            )
        self.seen[member.pk] = row.number
        attended_text = str(values.get("attended") or "").strip().lower()
        theory, practical = values.get("theory_score"), values.get("practical_score")
        if attended_text in self.ATTENDED:
            attended = True
        elif attended_text in self.ABSENT:
            attended = False
        elif not attended_text:
            attended = theory is not None or practical is not None
        else:
            raise ValidationError({"attended": _("Write 是 (attended) or 否 (absent).")})
        if "certificate_number" in row.present:
            certificate = values.get("certificate_number") or ""
        else:  # no such column: the certificate on file stays
            certificate = (
                TrainingRecord.objects.filter(session=self.session, staff=member)
                .values_list("certificate_number", flat=True)
                .first()
                or ""
            )
        return record_result(
            self.session,
            member,
            by=self.by,
            attended=attended,
            theory_score=theory,
            practical_score=practical,
            certificate_number=certificate,
        )

    def field_for_error_key(self, key):
        return {"__all__": None, "session": None}.get(
            key, key if any(f.name == key for f in self.fields) else None
        )


def import_scores(session: TrainingSession, fp, *, by, filename: str = "", channel: str = "import"):
    """Import a score sheet; raises ImportFailed (nothing written) on any bad row. Each
    employer's administrators are told their people's results."""
    _require_session_editor(session, by)
    importer = ScoreImport(session, by=by, channel=channel)
    result = run_import(fp, importer, filename=filename)
    announce_results(session, result.results)
    return result


def announce_results(session: TrainingSession, records) -> None:
    """The decision on each person reaches their employer: one notice per employer listing who
    passed and who did not."""
    from accounts.models import Role
    from accounts.notices import members_of, notify

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
    region: Region
    year: int
    target: int | None
    total: ProgressRow
    streets: list[ProgressRow] = field(default_factory=list)
    companies: list[ProgressRow] = field(default_factory=list)

    @property
    def percent(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.total.person_times) * 100 / self.target).quantize(Decimal("0.1"), ROUND_HALF_UP)


def training_progress(region: Region, year: int, *, records=None, targets=None) -> TrainingProgress:
    """Training person-times (人次: attendances) of staff working in ``region`` in ``year``,
    against the district's target, with passes by street and by company (000: 200 人次)."""
    records = records if records is not None else TrainingRecord.objects.all()
    targets = targets if targets is not None else TrainingTarget.objects.all()
    records = records.filter(
        attended=True, session__starts_on__year=year, staff__region__code__startswith=region.code
    )
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
    return TrainingProgress(region, year, target, total, streets, companies)


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


# --- volunteers and the points ledger (001) ------------------------------------------------------


def save_team(instance: VolunteerTeam | None, *, by, members=None, **fields) -> VolunteerTeam:
    team = instance or VolunteerTeam()
    if instance is not None:
        _require_employer(instance.organization, by)
    for name, value in fields.items():
        if name not in ("organization", "station", "community", "name", "leader", "founded_on"):
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(team, name, value)
    _require_employer(team.organization, by)
    team.full_clean()
    if team.station_id and team.station.operator_id != team.organization_id:
        raise ValidationError({"station": _("The station is not the organisation's.")})
    members = list(members) if members is not None else None
    people = (members or []) + ([team.leader] if team.leader_id else [])
    foreign = [m.name for m in people if m.employer_id != team.organization_id]
    if foreign:
        raise ValidationError(
            {"members": _("%(names)s are not on the organisation's list.") % {"names": "、".join(foreign)}}
        )
    with transaction.atomic(), audit.audit_context(actor=by):
        team.save()
        if members is not None:
            team.members.set(members)
    return team


def rule_for(organization_id: int, on: dt.date) -> PointsRule:
    rule = (
        PointsRule.objects.filter(organization_id=organization_id, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if rule is None:  # the platform default until the organisation sets its own
        rule = PointsRule(
            organization_id=organization_id,
            effective_from=on,
            points_per_hour=settings.VOLUNTEER_POINTS_PER_HOUR,
            max_hours_per_activity=Decimal(8),
        )
    return rule


def points_for(hours: Decimal, rule: PointsRule) -> int:
    counted = min(Decimal(hours), rule.max_hours_per_activity)
    return int((counted * rule.points_per_hour).to_integral_value(ROUND_HALF_UP))


def _post(account: PointsAccount, *, kind: str, points: int, by, **details) -> PointsEntry:
    """Append one entry to a locked account and move its balance. Never below zero."""
    balance = account.balance + points
    if balance < 0:
        raise ValidationError(
            {
                "points": _("Not enough points: the balance is %(balance)d, %(needed)d are needed.")
                % {"balance": account.balance, "needed": -points}
            }
        )
    entry = PointsEntry.objects.create(
        account=account, kind=kind, points=points, balance_after=balance, created_by=by, **details
    )
    PointsAccount.objects.filter(pk=account.pk).update(balance=balance)
    account.balance = balance
    return entry


def _locked_account(volunteer: StaffMember) -> PointsAccount:
    PointsAccount.objects.get_or_create(volunteer=volunteer)
    return PointsAccount.objects.select_for_update().get(volunteer=volunteer)


def record_activity(*, by, team: VolunteerTeam, hours: dict | None = None, **fields) -> VolunteerActivity:
    """A volunteer activity with the hours each member gave; each earns points by the rule."""
    _require_employer(team.organization, by)
    activity = VolunteerActivity(team=team, **fields)
    activity.full_clean()
    if activity.held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An activity cannot be recorded before it happens.")})
    with transaction.atomic(), audit.audit_context(actor=by):
        activity.save()
        for volunteer, given in (hours or {}).items():
            record_hours(activity, volunteer, given, by=by)
    return activity


def record_hours(activity: VolunteerActivity, volunteer: StaffMember, hours, *, by) -> VolunteerHours:
    _require_employer(activity.team.organization, by)
    if not activity.team.members.filter(pk=volunteer.pk).exists():
        raise ValidationError(
            {
                "volunteer": _("%(name)s is not a member of %(team)s.")
                % {"name": volunteer.name, "team": activity.team}
            }
        )
    if volunteer.status != StaffStatus.ACTIVE:
        raise ValidationError({"volunteer": _("%(name)s is not active.") % {"name": volunteer.name}})
    hours = Decimal(str(hours))
    entry = VolunteerHours(activity=activity, volunteer=volunteer, hours=hours, recorded_by=by)
    entry.full_clean(exclude=["recorded_by"])
    rule = rule_for(activity.team.organization_id, activity.held_on)
    with transaction.atomic():
        entry.save()
        account = _locked_account(volunteer)
        points = points_for(hours, rule)
        if points > 0:
            _post(
                account,
                kind=EntryKind.EARN,
                points=points,
                by=by,
                hours=entry,
                note=_("%(hours)s h × %(rate)d points: %(title)s")
                % {"hours": hours, "rate": rule.points_per_hour, "title": activity.title},
            )
        audit.record(entry, "volunteer_hours", changes={"hours": [None, str(hours)]}, actor=by)
    return entry


def save_reward(*, by, organization, name: str, points: int, stock=None) -> Reward:
    _require_employer(organization, by)
    reward = Reward(organization=organization, name=name, points=points, stock=stock)
    reward.full_clean()
    with audit.audit_context(actor=by):
        reward.save()
    return reward


def spend_points(
    *, by, volunteer: StaffMember, reward: Reward, quantity: int = 1, note: str = ""
) -> PointsEntry:
    """Exchange points for goods. The account row (and the goods' stock) is locked, so two
    exchanges at once cannot spend the same points."""
    _require_employer(volunteer.employer, by)
    if reward.organization_id != volunteer.employer_id:
        raise ValidationError({"reward": _("These goods belong to another organisation.")})
    if not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": _("Exchange at least one.")})
    with transaction.atomic():
        account = _locked_account(volunteer)
        goods = Reward.objects.select_for_update().get(pk=reward.pk)
        if not goods.is_active:
            raise ValidationError({"reward": _("%(name)s is no longer offered.") % {"name": goods.name}})
        if goods.stock is not None and goods.stock < quantity:
            raise ValidationError(
                {
                    "quantity": _("Only %(stock)d of %(name)s left.")
                    % {"stock": goods.stock, "name": goods.name}
                }
            )
        entry = _post(
            account,
            kind=EntryKind.SPEND,
            points=-goods.points * quantity,
            by=by,
            reward=goods,
            quantity=quantity,
            note=note or f"{goods.name} × {quantity}",
        )
        if goods.stock is not None:
            Reward.objects.filter(pk=goods.pk).update(stock=goods.stock - quantity)
        audit.record(entry, "points_spent", changes={"points": [None, entry.points]}, actor=by)
    return entry


def reverse_entry(entry: PointsEntry, *, by, reason: str) -> PointsEntry:
    """Correct an entry by appending its opposite. An entry is reversed at most once, a
    reversal is never reversed, and earned points already spent cannot be taken back."""
    volunteer = entry.account.volunteer
    _require_employer(volunteer.employer, by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    with transaction.atomic():
        account = _locked_account(volunteer)
        original = PointsEntry.objects.get(pk=entry.pk)
        if original.kind == EntryKind.REVERSAL:
            raise ValidationError(_("A reversal cannot itself be reversed; write a new entry."))
        if PointsEntry.objects.filter(reverses=original).exists():
            raise ValidationError(_("This entry has already been reversed."))
        reversal = _post(
            account,
            kind=EntryKind.REVERSAL,
            points=-original.points,
            by=by,
            reverses=original,
            reward=original.reward,
            quantity=original.quantity,
            note=reason.strip(),
        )
        if original.reward_id and original.quantity:
            goods = Reward.objects.select_for_update().get(pk=original.reward_id)
            if goods.stock is not None:  # the goods come back
                Reward.objects.filter(pk=goods.pk).update(stock=goods.stock + original.quantity)
        audit.record(reversal, "points_reversed", note=reason.strip(), actor=by)
    return reversal


@dataclass
class Statement:
    volunteer: StaffMember
    start: dt.date
    end: dt.date
    opening: int
    entries: list
    closing: int
    earned: int
    spent: int
    hours: Decimal


def statement(volunteer: StaffMember, *, start: dt.date, end: dt.date) -> Statement:
    """A volunteer's points statement for a period: opening balance, entries, closing balance."""
    entries = PointsEntry.objects.filter(account__volunteer=volunteer)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    before = entries.filter(created_at__lt=start_at).order_by("-created_at", "-id").first()
    rows = list(
        entries.filter(created_at__gte=start_at, created_at__lt=end_at)
        .select_related("reward", "hours__activity", "reverses", "created_by")
        .order_by("created_at", "id")
    )
    opening = before.balance_after if before else 0
    closing = rows[-1].balance_after if rows else opening
    hours = VolunteerHours.objects.filter(
        volunteer=volunteer, activity__held_on__gte=start, activity__held_on__lte=end
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return Statement(
        volunteer,
        start,
        end,
        opening,
        rows,
        closing,
        earned=sum(e.points for e in rows if e.points > 0),
        spent=-sum(e.points for e in rows if e.points < 0),
        hours=hours,
    )


# --- what each role did in a month ------------------------------------------------------------


def month_bounds(month: str | dt.date) -> tuple[dt.date, dt.date]:
    if isinstance(month, str):
        try:
            year, number = (int(part) for part in month.split("-"))
            first = dt.date(year, number, 1)
        except ValueError as exc:
            raise ValidationError({"month": _("Give the month as YYYY-MM.")}) from exc
    else:
        first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


@dataclass
class DutyRow:
    key: int
    name: str
    detail: str = ""
    publicity_events: int = 0
    resource_updates: int = 0
    services: int = 0
    care_visits: int = 0
    volunteer_hours: Decimal = Decimal(0)
    full_time_staff: int | None = None


def monthly_duties(staff_queryset, stations, month) -> tuple[list[DutyRow], list[DutyRow]]:
    """Per person and per station: publicity events (宣传员), resource updates (信息员),
    services and care visits delivered (服务员), volunteer hours — in one month. A fixed number
    of grouped queries whatever the number of people."""
    from stations.models import PublicityEvent, ServiceRecord

    first, following = month_bounds(month)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(following, dt.time.min, tzinfo=tz)
    people = list(staff_queryset.select_related("employer").order_by("employer__name", "name"))
    stations = list(stations)
    person_ids = [p.pk for p in people]
    station_ids = [s.pk for s in stations]

    def counted(queryset, key):
        return {row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("id", distinct=True))}

    events = PublicityEvent.objects.filter(held_on__gte=first, held_on__lt=following)
    resources = StationResource.objects.filter(updated_at__gte=start_at, updated_at__lt=end_at)
    records = ServiceRecord.objects.filter(started_at__gte=start_at, started_at__lt=end_at)
    hours = VolunteerHours.objects.filter(activity__held_on__gte=first, activity__held_on__lt=following)

    person_events = counted(events.filter(officers__in=person_ids), "officers")
    person_resources = counted(resources.filter(updated_by__in=person_ids), "updated_by")
    person_records = records.filter(staff__in=person_ids).values("staff", "category").annotate(n=Count("id"))
    person_hours = dict(
        hours.filter(volunteer__in=person_ids)
        .values("volunteer")
        .annotate(h=Sum("hours"))
        .values_list("volunteer", "h")
    )
    services, visits = defaultdict(int), defaultdict(int)
    for row in person_records:
        person = row["staff"]
        if row["category"] == "care_visit":
            visits[person] += row["n"]
        else:
            services[person] += row["n"]
    per_person = [
        DutyRow(
            p.pk,
            p.name,
            f"{p.employer.name} · {p.roles_display()}",
            person_events.get(p.pk, 0),
            person_resources.get(p.pk, 0),
            services[p.pk],
            visits[p.pk],
            person_hours.get(p.pk) or Decimal(0),
        )
        for p in people
    ]

    station_events = counted(events.filter(station__in=station_ids), "station")
    station_resources = counted(resources.filter(station__in=station_ids), "station")
    station_records = (
        records.filter(station__in=station_ids).values("station", "category").annotate(n=Count("id"))
    )
    station_hours = dict(
        hours.filter(activity__team__station__in=station_ids)
        .values("activity__team__station")
        .annotate(h=Sum("hours"))
        .values_list("activity__team__station", "h")
    )
    full_time = full_time_counts(stations)
    s_services, s_visits = defaultdict(int), defaultdict(int)
    for row in station_records:
        target = s_visits if row["category"] == "care_visit" else s_services
        target[row["station"]] += row["n"]
    per_station = [
        DutyRow(
            s.pk,
            s.name,
            s.operator.name,
            station_events.get(s.pk, 0),
            station_resources.get(s.pk, 0),
            s_services[s.pk],
            s_visits[s.pk],
            station_hours.get(s.pk) or Decimal(0),
            full_time.get(s.pk, 0),
        )
        for s in stations
    ]
    return per_person, per_station


def full_time_counts(stations) -> dict[int, int]:
    """专职人员数 per station in two queries: staff listed at the station, plus staff of the
    operator listed at no station (they work at all of them)."""
    stations = list(stations)
    active = StaffMember.objects.filter(status=StaffStatus.ACTIVE, kind="full_time")
    listed = dict(
        active.filter(stations__in=[s.pk for s in stations])
        .values("stations")
        .annotate(n=Count("id", distinct=True))
        .values_list("stations", "n")
    )
    everywhere = dict(
        active.filter(stations__isnull=True, employer__in={s.operator_id for s in stations})
        .values("employer")
        .annotate(n=Count("id"))
        .values_list("employer", "n")
    )
    return {s.pk: listed.get(s.pk, 0) + everywhere.get(s.operator_id, 0) for s in stations}

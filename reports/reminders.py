"""The daily reminders (issue: "each once per object and due date"): what is due or overdue, told
to the people who answer for it, as a notice with a link to the object.

Each kind is a function that finds its objects with a fixed number of queries, whatever their
number, and returns one ``Due`` per object. ``send_due_reminders`` drops those already in the
``ReminderSent`` log for the same due date (a changed due date reminds again), finds every
recipient with one query, and writes the log and the notices with one insert each.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, OrganizationKind, Role
from accounts.notices import notify_each
from facilities.models import CareRoom, EntrustmentAgreement, OperatingState, Violation, ViolationState
from pilots.models import (
    Application,
    ApplicationStatus,
    MilestoneStatus,
    Mode,
    Opinion,
    Phase,
    PhaseKind,
    PilotMilestone,
    Programme,
    Stage,
)
from stations.models import (
    LivingSituation,
    PublicityEvent,
    Resident,
    ResidentStation,
    ServiceCategory,
    Station,
    StationStatus,
)

from .models import ReminderKind, ReminderSent

logger = logging.getLogger(__name__)

# Stations still serving their residents (a care visit is owed by those).
SERVING = (StationStatus.OPERATING, StationStatus.SUSPENDED, StationStatus.RENOVATING)


@dataclass(frozen=True)
class To:
    """Who a reminder goes to: an organisation by id, or the office of a kind for a region code
    (the street office of a street, the civil-affairs bureau of a county)."""

    organization_id: int | None = None
    kind: str = ""
    region_code: str = ""


def office(kind, region_code) -> To:
    return To(kind=str(kind), region_code=region_code)  # the value, as the database gives it


def street_office(region_code: str) -> To:
    return office(OrganizationKind.STREET_OFFICE, region_code[:9])


def county_bureau(region_code: str) -> To:
    return office(OrganizationKind.CIVIL_AFFAIRS, region_code[:6])


@dataclass
class Due:
    object_id: int
    due_on: dt.date
    title: str
    body: str
    link: str
    to: tuple[To, ...]


def _day(value: dt.date) -> str:
    return formats.date_format(value, "Y-m-d")


def _local_date(moment) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


# --- the kinds ------------------------------------------------------------------------------------


def care_room_deadlines(today: dt.date) -> list[Due]:
    """004: a room handed over operates by the campaign's date or within a year of its handover;
    the bureau that owns it and the town are told ``REMINDER_CARE_ROOM_DAYS`` ahead."""
    limit = today + dt.timedelta(days=settings.REMINDER_CARE_ROOM_DAYS)
    rooms = (
        CareRoom.objects.filter(deadline__isnull=False, deadline__lte=limit)
        .exclude(operating_state=OperatingState.OPERATING)
        .values("id", "deadline", "location", "compound__name", "compound__region__code", "owner_id")
    )
    dues = []
    for room in rooms:
        name = f"{room['compound__name']} · {room['location']}"
        left = (room["deadline"] - today).days
        if left < 0:
            title = _("Care room past its deadline: %(room)s") % {"room": name}
        else:
            title = _("Care room due to operate in %(days)s days: %(room)s") % {"room": name, "days": left}
        code = room["compound__region__code"]
        dues.append(
            Due(
                room["id"],
                room["deadline"],
                title,
                _("It must be put into operation by %(date)s, a year after its handover.")
                % {"date": _day(room["deadline"])},
                reverse("facilities:room", args=[room["id"]]),
                (
                    To(room["owner_id"]) if room["owner_id"] else county_bureau(code),
                    street_office(code),
                ),
            )
        )
    return dues


def violations_overdue(today: dt.date) -> list[Due]:
    """004: a violation found by an inspection is put right by its date; the bureau, the town and
    the room's operator are told once it has passed."""
    violations = (
        Violation.objects.filter(rectify_by__lt=today)
        .exclude(state=ViolationState.CLOSED)
        .values(
            "id",
            "kind",
            "rectify_by",
            "room_id",
            "room__location",
            "room__compound__name",
            "room__compound__region__code",
            "room__owner_id",
            "room__operator_id",
        )
    )
    labels = dict(Violation._meta.get_field("kind").choices)
    dues = []
    for row in violations:
        code = row["room__compound__region__code"]
        to = [
            To(row["room__owner_id"]) if row["room__owner_id"] else county_bureau(code),
            street_office(code),
        ]
        if row["room__operator_id"]:
            to.append(To(row["room__operator_id"]))
        dues.append(
            Due(
                row["id"],
                row["rectify_by"],
                _("Violation not rectified by %(date)s: %(room)s")
                % {
                    "date": _day(row["rectify_by"]),
                    "room": f"{row['room__compound__name']} · {row['room__location']}",
                },
                _("%(kind)s: to be rectified by %(date)s.")
                % {"kind": labels.get(row["kind"], row["kind"]), "date": _day(row["rectify_by"])},
                reverse("facilities:room", args=[row["room_id"]]),
                tuple(to),
            )
        )
    return dues


def agreements_ending(today: dt.date) -> list[Due]:
    """004: the entrustment is normally for three years; the bureau and the town are told
    ``REMINDER_AGREEMENT_DAYS`` before it ends, to renew it or take the room back."""
    limit = today + dt.timedelta(days=settings.REMINDER_AGREEMENT_DAYS)
    agreements = EntrustmentAgreement.objects.filter(ends_on__gte=today, ends_on__lte=limit).values(
        "id", "number", "ends_on", "room_id", "room__compound__name", "room__location", "bureau_id", "town_id"
    )
    return [
        Due(
            row["id"],
            row["ends_on"],
            _("Entrustment agreement %(number)s ends on %(date)s")
            % {"number": row["number"], "date": _day(row["ends_on"])},
            _("%(room)s: renew the agreement or arrange the room's next use.")
            % {"room": f"{row['room__compound__name']} · {row['room__location']}"},
            reverse("facilities:room", args=[row["room_id"]]),
            (To(row["bureau_id"]), To(row["town_id"])),
        )
        for row in agreements
    ]


def milestones_overdue(today: dt.date) -> list[Due]:
    """000: each phase has its milestones; the pilot unit is told when one is past its date."""
    milestones = PilotMilestone.objects.filter(
        status=MilestoneStatus.PENDING, milestone__due_on__lt=today
    ).values("id", "milestone__due_on", "milestone__name", "pilot_id", "pilot__organization_id")
    return [
        Due(
            row["id"],
            row["milestone__due_on"],
            _("Milestone overdue: %(name)s") % {"name": row["milestone__name"]},
            _("It was due on %(date)s; record it as done with its evidence.")
            % {"date": _day(row["milestone__due_on"])},
            reverse("pilots:pilot-detail", args=[row["pilot_id"]]),
            (To(row["pilot__organization_id"]),),
        )
        for row in milestones
    ]


def care_visits_overdue(today: dt.date) -> list[Due]:
    """000: elderly people living alone are visited regularly (寻访关爱), every
    ``care_visit_interval_days``; the operators of the stations serving them are told when the
    last visit is older."""
    serving = ResidentStation.objects.filter(resident=OuterRef("pk"), station__status__in=SERVING)
    residents = (
        Resident.objects.filter(living_situation=LivingSituation.ALONE)
        .filter(Exists(serving))
        .annotate(
            last_visit=Max("records__started_at", filter=Q(records__category=ServiceCategory.CARE_VISIT))
        )
        .values("id", "name", "care_visit_interval_days", "last_visit", "created_at")
    )
    overdue = {}
    for row in residents:
        since = _local_date(row["last_visit"] or row["created_at"])
        due_on = since + dt.timedelta(days=row["care_visit_interval_days"])
        if due_on < today:
            overdue[row["id"]] = (row, due_on)
    operators = defaultdict(set)
    if overdue:
        links = ResidentStation.objects.filter(
            resident_id__in=list(overdue), station__status__in=SERVING
        ).values_list("resident_id", "station__operator_id")
        for resident_id, operator_id in links:
            operators[resident_id].add(operator_id)
    dues = []
    for resident_id, (row, due_on) in overdue.items():
        name = row["name"][:1] + "*" * max(len(row["name"]) - 1, 1)  # personal data: the surname only
        dues.append(
            Due(
                resident_id,
                due_on,
                _("Care visit overdue: %(name)s") % {"name": name},
                _("Living alone, to be visited every %(days)s days; the visit was due on %(date)s.")
                % {"days": row["care_visit_interval_days"], "date": _day(due_on)},
                reverse("stations:resident", args=[resident_id]),
                tuple(To(operator_id) for operator_id in sorted(operators[resident_id])),
            )
        )
    return dues


def publicity_missing(today: dt.date) -> list[Due]:
    """000: at least one community publicity event per station per month; an operating station
    without one by the ``REMINDER_PUBLICITY_DAY`` reminds its operator."""
    if today.day < settings.REMINDER_PUBLICITY_DAY:
        return []
    due_on = today.replace(day=settings.REMINDER_PUBLICITY_DAY)
    held = PublicityEvent.objects.filter(
        station=OuterRef("pk"), held_on__gte=today.replace(day=1), held_on__lte=today
    )
    stations = (
        Station.objects.filter(status=StationStatus.OPERATING)
        .filter(~Exists(held))
        .values("id", "name", "operator_id")
    )
    return [
        Due(
            row["id"],
            due_on,
            _("No publicity event yet this month: %(station)s") % {"station": row["name"]},
            _("Each station holds at least one community publicity event a month."),
            reverse("stations:manage", args=[row["id"]]),
            (To(row["operator_id"]),),
        )
        for row in stations
    ]


def applications_waiting(today: dt.date) -> list[Due]:
    """001: the street gives its opinion on a submitted application and the issuing bureau
    decides a recommended one; either is told when one has waited more than
    ``REMINDER_APPLICATION_WAIT_DAYS`` days."""
    days = settings.REMINDER_APPLICATION_WAIT_DAYS
    street_opinion = (
        Opinion.objects.filter(application=OuterRef("pk"), stage=Stage.STREET)
        .order_by("-at")
        .values("at")[:1]
    )
    applications = (
        Application.objects.filter(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.RECOMMENDED))
        .annotate(street_opinion_at=Subquery(street_opinion))
        .values(
            "id",
            "status",
            "submitted_at",
            "street_opinion_at",
            "programme_id",
            "organization__name",
            "site_region__code",
        )
    )
    waiting = []
    for row in applications:
        since = (
            row["submitted_at"] if row["status"] == ApplicationStatus.SUBMITTED else row["street_opinion_at"]
        )
        if since is None:
            continue
        due_on = _local_date(since) + dt.timedelta(days=days)
        if due_on < today:
            waiting.append((row, since, due_on))
    issuers = defaultdict(list)
    programmes = {
        row["programme_id"] for row, _since, _due in waiting if row["status"] != ApplicationStatus.SUBMITTED
    }
    if programmes:
        for programme_id, organization_id in Programme.issuers.through.objects.filter(
            programme_id__in=programmes
        ).values_list("programme_id", "organization_id"):
            issuers[programme_id].append(To(organization_id))
    dues = []
    for row, since, due_on in waiting:
        if row["status"] == ApplicationStatus.SUBMITTED:
            to, stage = (street_office(row["site_region__code"]),), _("the street opinion")
        else:
            to, stage = tuple(issuers[row["programme_id"]]), _("the bureau's decision")
        dues.append(
            Due(
                row["id"],
                due_on,
                _("Application of %(unit)s waiting for %(stage)s")
                % {"unit": row["organization__name"], "stage": stage},
                _("Waiting since %(date)s, more than %(days)s days.")
                % {"date": _day(_local_date(since)), "days": days},
                reverse("pilots:application-detail", args=[row["id"]]),
                to,
            )
        )
    return dues


def pilot_lists_late(today: dt.date) -> list[Due]:
    """001: the pilot list is published at the end of the review (4/25); the issuing bureaus are
    told when a call's review phase has ended without a published list."""
    phases = Phase.objects.filter(
        kind=PhaseKind.REVIEW,
        ends_on__lt=today,
        programme__mode=Mode.CALL,
        programme__announced_at__isnull=False,
        programme__list_published_at__isnull=True,
    ).values("programme_id", "ends_on", "programme__title")
    phases = list(phases)
    issuers = defaultdict(list)
    if phases:
        for programme_id, organization_id in Programme.issuers.through.objects.filter(
            programme_id__in=[row["programme_id"] for row in phases]
        ).values_list("programme_id", "organization_id"):
            issuers[programme_id].append(To(organization_id))
    return [
        Due(
            row["programme_id"],
            row["ends_on"],
            _("Pilot list not yet published: %(title)s") % {"title": row["programme__title"]},
            _("The review ended on %(date)s; publish the pilot list.") % {"date": _day(row["ends_on"])},
            reverse("pilots:programme-detail", args=[row["programme_id"]]),
            tuple(issuers[row["programme_id"]]),
        )
        for row in phases
    ]


KINDS = {
    ReminderKind.CARE_ROOM_DEADLINE: care_room_deadlines,
    ReminderKind.VIOLATION_OVERDUE: violations_overdue,
    ReminderKind.AGREEMENT_ENDING: agreements_ending,
    ReminderKind.MILESTONE_OVERDUE: milestones_overdue,
    ReminderKind.CARE_VISIT_OVERDUE: care_visits_overdue,
    ReminderKind.PUBLICITY_MISSING: publicity_missing,
    ReminderKind.APPLICATION_WAITING: applications_waiting,
    ReminderKind.PILOT_LIST_LATE: pilot_lists_late,
}


# --- sending --------------------------------------------------------------------------------------


def recipients(targets) -> dict[To, list]:
    """The active users answering for each target, in one query: the officers and administrators
    of each organisation (not its viewers, nor the staff who record services or call the API)."""
    ids = {target.organization_id for target in targets if target.organization_id}
    offices = defaultdict(set)
    for target in targets:
        if not target.organization_id:
            offices[target.kind].add(target.region_code)
    condition = Q(organization_id__in=ids) if ids else Q(pk__in=[])
    for kind, codes in offices.items():
        condition |= Q(organization__kind=kind, organization__region__code__in=codes)
    memberships = (
        Membership.objects.filter(
            condition, is_active=True, user__is_active=True, organization__is_active=True
        )
        .filter(role__in=(Role.OFFICER, Role.ORG_ADMIN))
        .select_related("user")
        .annotate(kind=F("organization__kind"), region_code=F("organization__region__code"))
        .order_by("user_id")
    )
    found = defaultdict(dict)
    for membership in memberships:
        found[To(membership.organization_id)][membership.user_id] = membership.user
        found[To(kind=membership.kind, region_code=membership.region_code)][membership.user_id] = (
            membership.user
        )
    return {target: list(users.values()) for target, users in found.items()}


def send(kind: str, dues: list[Due]) -> int:
    """Send the reminders of ``dues`` not yet sent for their due date; returns how many."""
    if not dues:
        return 0
    sent = set(
        ReminderSent.objects.filter(kind=kind, object_id__in=[due.object_id for due in dues]).values_list(
            "object_id", "due_on"
        )
    )
    fresh = [due for due in dues if (due.object_id, due.due_on) not in sent]
    if not fresh:
        return 0
    people = recipients({target for due in fresh for target in due.to})
    log, notices = [], []
    for due in fresh:
        users = list({user.pk: user for target in due.to for user in people.get(target, [])}.values())
        log.append(ReminderSent(kind=kind, object_id=due.object_id, due_on=due.due_on, recipients=len(users)))
        if users:
            notices.append((users, due.title, due.body, due.link))
    # The log's unique constraint makes a concurrent run fail here rather than send twice.
    with transaction.atomic():
        ReminderSent.objects.bulk_create(log, batch_size=1000)
        notify_each(notices)
    return len(fresh)


def send_due_reminders(today: dt.date | None = None, kinds=None) -> dict[str, int]:
    """The daily run: every kind (or those named), in the platform's language. Returns the
    number of reminders sent per kind."""
    today = today or timezone.localdate()
    counts = {}
    with translation.override(settings.LANGUAGE_CODE):
        for kind, find in KINDS.items():
            if kinds is not None and kind not in kinds:
                continue
            counts[str(kind)] = send(kind, find(today))
    logger.info("reminders sent: %s", counts)
    return counts

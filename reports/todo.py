"""The to-do page (待办): what waits on a person now, in groups with their counts and links.

A *source* is a function ``(user) -> TodoGroup | None``, registered with ``@source``: ``None`` when
the group does not concern the user (a company never reviews applications), otherwise a group
whose rows start from the scoped queryset of the model (``visible_to``) narrowed to the steps the
user's own memberships take. A group costs one query for its count and one for its rows, and only
when they are read, so the home page pays one query per group for its badges. Adding a source is
a function of ten lines here.

Two kinds of group: the person's own steps, and (``follow_up``) what another organisation must do
under the person's supervision -- an officer's view of the findings addressed to the companies of
the district. The own steps come first and make the count (header, page title, home); the
follow-up group comes last and shows its number on its own. A group with nothing in it is not
shown (:func:`shown`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationKind
from accounts.scoping import EDITING_ROLES, GOVERNMENT_EDITING_ROLES, GOVERNMENT_KINDS, scope_for
from checklists.models import ChecklistVersion, VersionState
from facilities.models import UseApplication, Violation, ViolationState
from facilities.services import USE_APPLICATIONS
from pilots import services as application_services
from pilots.models import Application, ApplicationStatus, MilestoneStatus, PilotMilestone
from regions.models import region_subtree
from reports import jobs
from reports.models import Finding
from reports.spreadsheets.writer import Column, SheetSpec
from reports.spreadsheets.writer import export_response as workbook_response

ROWS_SHOWN = 20
ROWS_EXPORTED = 5000


@dataclass(frozen=True)
class TodoRow:
    text: str
    detail: str
    url: str


@dataclass(eq=False)
class TodoGroup:
    key: str
    label: str
    url: str
    queryset: object = field(repr=False)
    describe: Callable[[object], TodoRow] = field(repr=False)
    follow_up: bool = False
    # more rows than ``summarise_over``: the rows are read from ``summary``, a (queryset, describe)
    # pair of one row per organisation, instead of one row per object
    summary: tuple | None = field(default=None, repr=False)
    summarise_over: int = ROWS_SHOWN

    @cached_property
    def count(self) -> int:
        return self.queryset.count()

    @cached_property
    def summarised(self) -> bool:
        return self.summary is not None and self.count > self.summarise_over

    @cached_property
    def rows(self) -> list[TodoRow]:
        queryset, describe = self.summary if self.summarised else (self.queryset, self.describe)
        return [describe(obj) for obj in queryset[:ROWS_SHOWN]]


SOURCES: list[Callable] = []


def source(function):
    SOURCES.append(function)
    return function


def groups_for(user) -> list[TodoGroup]:
    """The groups that concern ``user``, in the order of the sources."""
    if not user.is_authenticated:
        return []
    return [group for group in (function(user) for function in SOURCES) if group is not None]


def shown(groups) -> list[TodoGroup]:
    """The groups with something in them: own steps first, then those to follow up."""
    return [g for g in groups if not g.follow_up and g.count] + [g for g in groups if g.follow_up and g.count]


def own_total(groups) -> int:
    """The number of steps the person takes (header, page title): follow-up groups are not counted."""
    return sum(group.count for group in groups if not group.follow_up)


def total_for(user) -> int:
    return own_total(groups_for(user))


def rows_to_export(groups) -> int:
    """How many rows the workbook of ``groups`` has (one count per group, already paid by the page)."""
    return sum(min(group.count, ROWS_EXPORTED) for group in groups)


def sheets(groups, base_url: str) -> list:
    """Every row of every group (up to ``ROWS_EXPORTED`` each) in one sheet, with its link made
    absolute on ``base_url`` (the site's address as the person reached it)."""
    rows = (
        (group, row)
        for group in groups
        for row in (group.describe(obj) for obj in group.queryset[:ROWS_EXPORTED])
    )
    columns = [
        Column("事项", lambda pair: str(pair[0].label), width=28),
        Column("对象", lambda pair: pair[1].text, width=40),
        Column("说明", lambda pair: str(pair[1].detail), width=30),
        Column("链接", lambda pair: urljoin(base_url, pair[1].url), width=50),
    ]
    return [(SheetSpec("待办", columns, title_rows=[f"待办 {timezone.localtime():%Y-%m-%d}"]), rows)]


def filename() -> str:
    return f"待办-{timezone.localtime():%Y-%m-%d}"


def export_response(groups, request):
    return workbook_response(filename(), sheets(groups, request.build_absolute_uri("/")))


def _build_workbook(user, params):
    """The to-do workbook written in the background: the person's groups as they are when it runs."""
    return sheets(groups_for(user), params["base_url"])


TODO_WORKBOOK = jobs.register_workbook("todo", _("To-do"), _build_workbook)


# --- who the user acts as -----------------------------------------------------------------------


def _government_codes(user, *kinds) -> list[str]:
    """The region codes of the offices of ``kinds`` where the user may act (officer, admin)."""
    return [
        m.organization.region.code
        for m in scope_for(user).memberships
        if m.role in GOVERNMENT_EDITING_ROLES and m.organization.kind in kinds and m.organization.region_id
    ]


def _own_ids(user) -> list[int]:
    """The applicant and operator organisations the user edits for."""
    return [
        m.organization_id
        for m in scope_for(user).memberships
        if m.role in EDITING_ROLES and m.organization.kind not in GOVERNMENT_KINDS
    ]


def _since(moment) -> str:
    if moment is None:
        return ""
    return _("since %(date)s") % {"date": timezone.localtime(moment).strftime("%Y-%m-%d")}


# --- the sources ------------------------------------------------------------------------------


@source
def applications_to_review(user):
    """001: the street office gives its opinion on a submitted application of its street, the
    issuing bureau decides a recommended one: :func:`pilots.services.awaiting_review`, the same
    rule as the application list's "awaiting my opinion" filter."""
    if not application_services.is_reviewer(user):
        return None
    queryset = (
        application_services.awaiting_review(Application.objects.visible_to(user), user)
        .select_related("organization", "programme")
        .order_by("submitted_at", "id")
    )
    return TodoGroup(
        "applications",
        _("Applications to review"),
        f"{reverse('pilots:application-list')}?awaiting=yes",
        queryset,
        lambda a: TodoRow(
            f"{a.organization.name} · {a.get_pilot_type_display()}",
            f"{a.get_status_display()} {_since(a.submitted_at)}",
            reverse("pilots:application-detail", args=[a.pk]),
        ),
    )


def _use_statuses(actor: str) -> set[str]:
    """The statuses of a use application whose next step (withdrawing aside) is ``actor``'s, read
    from the procedure's table."""
    return {
        status
        for step in USE_APPLICATIONS.transitions
        if step.actor == actor and step.name != "withdraw"
        for status in step.sources
    }


@source
def use_application_steps(user):
    """004 三: the town applies and puts the room into operation, the bureau surveys, records the
    approval and signs the agreement."""
    towns = _government_codes(user, OrganizationKind.STREET_OFFICE)
    bureaus = _government_codes(user, OrganizationKind.CIVIL_AFFAIRS)
    if not towns and not bureaus:
        return None
    condition = Q(pk__in=[])
    if towns:
        condition |= Q(status__in=_use_statuses("town")) & region_subtree("room__compound__region", *towns)
    if bureaus:
        condition |= Q(status__in=_use_statuses("bureau")) & region_subtree(
            "room__compound__region", *bureaus
        )
    queryset = (
        UseApplication.objects.visible_to(user)
        .filter(condition)
        .select_related("room__compound", "town")
        .order_by("created_at", "id")
    )
    return TodoGroup(
        "use_applications",
        _("Care-room use applications waiting on you"),
        reverse("facilities:registry"),
        queryset,
        lambda a: TodoRow(
            str(a.room), a.get_status_display(), reverse("facilities:application", args=[a.pk])
        ),
    )


@source
def violations_to_close(user):
    """004: the bureau and the town record the action and close a violation after a later
    inspection; the room's operator puts it right."""
    registry = _government_codes(user, OrganizationKind.STREET_OFFICE, OrganizationKind.CIVIL_AFFAIRS)
    operators = _own_ids(user)
    if not registry and not operators:
        return None
    condition = Q(pk__in=[])
    if registry:
        condition |= region_subtree("room__compound__region", *registry)
    if operators:
        condition |= Q(room__operator__in=operators)
    queryset = (
        Violation.objects.visible_to(user)
        .exclude(state=ViolationState.CLOSED)
        .filter(condition)
        .select_related("room__compound")
        .order_by("rectify_by", "id")
    )
    return TodoGroup(
        "violations",
        _("Care-room violations to rectify or close"),
        reverse("facilities:registry"),
        queryset,
        lambda v: TodoRow(
            f"{v.get_kind_display()} · {v.room}",
            _("rectify by %(date)s") % {"date": v.rectify_by.strftime("%Y-%m-%d")},
            reverse("facilities:room", args=[v.room_id]),
        ),
    )


@source
def price_lists_to_approve(user):
    """000, 002 (十七): the street office approves the five lists (with the prices) a station
    submits."""
    streets = _government_codes(user, OrganizationKind.STREET_OFFICE)
    if not streets:
        return None
    queryset = (
        ChecklistVersion.objects.station_lists()
        .visible_to(user)
        .filter(Q(state=VersionState.SUBMITTED) & region_subtree("station__region", *streets))
        .select_related("station")
        .order_by("submitted_at", "id")
    )
    return TodoGroup(
        "price_lists",
        _("Five lists and prices to approve"),
        reverse("checklists:queue"),
        queryset,
        lambda v: TodoRow(
            v.station.name,
            _("version %(number)s %(since)s") % {"number": v.number, "since": _since(v.submitted_at)},
            reverse("checklists:version", args=[v.pk]),
        ),
    )


@source
def applications_returned(user):
    """001: an application returned for revision waits on its applicant."""
    own = _own_ids(user)
    if not own:
        return None
    queryset = (
        Application.objects.visible_to(user)
        .filter(status=ApplicationStatus.RETURNED, organization__in=own)
        .select_related("programme")
        .order_by("updated_at", "id")
    )
    return TodoGroup(
        "returned_applications",
        _("Applications returned for revision"),
        reverse("pilots:application-list"),
        queryset,
        lambda a: TodoRow(
            a.programme.title, a.get_pilot_type_display(), reverse("pilots:application-detail", args=[a.pk])
        ),
    )


@source
def station_lists_to_finish(user):
    """A station's five lists returned for changes (to resubmit) or approved (to publish)."""
    own = _own_ids(user)
    if not own:
        return None
    queryset = (
        ChecklistVersion.objects.station_lists()
        .visible_to(user)
        .filter(state__in=(VersionState.RETURNED, VersionState.APPROVED), station__operator__in=own)
        .select_related("station")
        .order_by("station__name", "id")
    )
    return TodoGroup(
        "station_lists",
        _("Five lists returned or ready to publish"),
        reverse("checklists:overview"),
        queryset,
        lambda v: TodoRow(v.station.name, v.get_state_display(), reverse("checklists:version", args=[v.pk])),
    )


@source
def milestones_overdue(user):
    """000: a pilot's milestone past its date, for the pilot unit to record."""
    own = _own_ids(user)
    if not own:
        return None
    queryset = (
        PilotMilestone.objects.visible_to(user)
        .filter(
            status=MilestoneStatus.PENDING,
            milestone__due_on__lt=timezone.localdate(),
            pilot__organization__in=own,
        )
        .select_related("milestone")
        .order_by("milestone__due_on", "id")
    )
    return TodoGroup(
        "milestones",
        _("Pilot milestones overdue"),
        reverse("pilots:programme-list"),
        queryset,
        lambda m: TodoRow(
            m.milestone.name,
            _("due on %(date)s") % {"date": m.milestone.due_on.strftime("%Y-%m-%d")},
            reverse("pilots:pilot-detail", args=[m.pilot_id]),
        ),
    )


def _answering_ids(user) -> list[int]:
    """Every organisation the user edits for, government offices included."""
    return [m.organization_id for m in scope_for(user).memberships if m.role in EDITING_ROLES]


def _describe_finding(item) -> TodoRow:
    return TodoRow(
        f"{item.name} · {item.label}",
        _("found in %(month)s") % {"month": item.opened_month.strftime("%Y-%m")},
        reverse("reports:evaluation_finding", args=[item.pk]),
    )


def _open_findings(user):
    return (
        Finding.objects.open_for(user)
        .select_related("station", "pilot")
        .order_by("-opened_month", "name", "id")
    )


@source
def open_findings(user):
    """The evaluations' findings under their threshold addressed to the user's own organisation
    (a company's stations and pilots), open until a later run meets the threshold
    (``Finding.objects.open_for``). Someone who only reads (statistics staff, a viewer) answers
    for none."""
    own = _answering_ids(user)
    if not own:
        return None
    return TodoGroup(
        "findings",
        _("Evaluation findings open"),
        reverse("reports:evaluation_findings"),
        _open_findings(user).filter(organization__in=own),
        _describe_finding,
    )


FOLLOW_UP_LISTED = 5


@source
def findings_to_follow_up(user):
    """The open findings of the officer's region addressed to another organisation (the company
    that runs the station or the pilot): that organisation puts them right, the officer follows
    up. Up to ``FOLLOW_UP_LISTED`` are listed one by one, more are summarised one row per
    organisation with its number of findings and stations."""
    if not user.is_superuser and not _government_codes(user, *GOVERNMENT_KINDS):
        return None
    findings = reverse("reports:evaluation_findings")
    queryset = _open_findings(user).exclude(organization__in=_answering_ids(user))
    per_organisation = (
        queryset.order_by()
        .values("organization", "organization__name")
        .annotate(findings=Count("id"), stations=Count("station", distinct=True))
        .order_by("-findings", "organization__name", "organization")
    )
    return TodoGroup(
        "findings_to_follow_up",
        _("Findings to follow up"),
        f"{findings}?state=open",
        queryset,
        _describe_finding,
        follow_up=True,
        summary=(
            per_organisation,
            lambda row: TodoRow(
                row["organization__name"],
                _("open findings: %(findings)s, stations: %(stations)s")
                % {"findings": row["findings"], "stations": row["stations"]},
                f"{findings}?state=open&organization={row['organization']}",
            ),
        ),
        summarise_over=FOLLOW_UP_LISTED,
    )

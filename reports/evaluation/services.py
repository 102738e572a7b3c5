"""Evaluation schemes and their monthly runs: every rule of the evaluations lives here.

* :func:`save_scheme` — create or change a region's scheme; a change of indicators makes a new
  version. Weights must add to 100, refused otherwise (the admin, the portal and the API all
  call it).
* :func:`run_evaluation` — the run of one scheme for one month: a scorecard per station and per
  pilot, the ranks per street and district, findings opened, kept and closed, the notices. A
  fixed number of queries whatever the number of stations.
* :func:`add_comment` — an officer's (or the company's) comment on a finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Membership, Organization, Role
from accounts.notices import members_of, notify, notify_each
from accounts.scoping import (
    GOVERNMENT_EDITING_ROLES,
    GOVERNMENT_KINDS,
    acting_organization,
    is_editable,
    scope_for,
)
from pilots.models import Pilot, PilotType
from regions.models import Region, region_subtree
from reports.models import (
    Direction,
    EvaluationRun,
    EvaluationScheme,
    Finding,
    FindingComment,
    SchemeIndicator,
    SchemeVersion,
    Scorecard,
    SubjectKind,
)
from reports.models.evaluation import FindingState
from stations.models import Station, StationStatus

from .catalogue import CATALOGUE, INDICATORS, PILOT, STATION, month_bounds

SCHEME_FIELDS = ("name", "is_active")
SCHEME_LEVELS = (4, 6)  # a city or a district
EVALUATED_STATES = (StationStatus.RENOVATING, StationStatus.OPERATING, StationStatus.SUSPENDED)


# --- schemes -------------------------------------------------------------------------------------


def _require_bureau(region: Region, by) -> None:
    if by is not None and by.is_superuser:
        return
    if acting_organization(by, kinds=GOVERNMENT_KINDS, roles=GOVERNMENT_EDITING_ROLES, region=region) is None:
        raise PermissionDenied(
            _("Only an officer of the region's bureaus or street offices may change its scheme.")
        )


def may_set_schemes(user) -> bool:
    """Whether ``user`` acts for a bureau of a district or a city (who sets schemes)."""
    return any(
        membership.role in GOVERNMENT_EDITING_ROLES
        and membership.organization.kind in GOVERNMENT_KINDS
        and membership.organization.region_id
        and len(membership.organization.region.code) in SCHEME_LEVELS
        for membership in scope_for(user).memberships
    )


def clean_indicators(indicators) -> list[dict]:
    """The shape and the rules of a scheme's indicators: codes from the catalogue, each once, a
    weight from 1 to 100, a threshold of 0 or more, a direction; the weights add to 100.
    Returns the indicators normalised; raises ValidationError under ``indicators``."""
    cleaned, errors, seen = [], [], set()
    for position, item in enumerate(indicators or []):
        code = item.get("code")
        indicator = CATALOGUE.get(code)
        if indicator is None:
            errors.append(_("“%(code)s” is not an indicator of the catalogue.") % {"code": code})
            continue
        if code in seen:
            errors.append(_("%(label)s is chosen twice.") % {"label": indicator.label})
            continue
        seen.add(code)
        try:
            weight = int(item.get("weight"))
        except (TypeError, ValueError):
            weight = None
        if weight is None or not 1 <= weight <= 100:
            errors.append(
                _("The weight of %(label)s must be a whole number from 1 to 100.")
                % {"label": indicator.label}
            )
            continue
        raw_threshold = item.get("threshold")
        try:
            threshold = indicator.threshold if raw_threshold in (None, "") else Decimal(str(raw_threshold))
        except InvalidOperation:
            threshold = None
        if threshold is None or threshold < 0 or not threshold.is_finite():
            errors.append(
                _("The threshold of %(label)s must be a number of 0 or more.") % {"label": indicator.label}
            )
            continue
        direction = item.get("direction") or indicator.direction
        if direction not in Direction.values:
            errors.append(
                _("The direction of %(label)s must be “at least” or “at most”.") % {"label": indicator.label}
            )
            continue
        cleaned.append(
            {
                "code": code,
                "weight": weight,
                "threshold": threshold.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                "direction": direction,
                "position": position,
            }
        )
    if errors:
        raise ValidationError({"indicators": errors})
    if not cleaned:
        raise ValidationError({"indicators": _("Choose at least one indicator from the catalogue.")})
    total = sum(item["weight"] for item in cleaned)
    if total != 100:
        raise ValidationError(
            {"indicators": _("The weights add to %(total)d; they must add to 100.") % {"total": total}},
            code="weights_not_100",
        )
    return cleaned


def _same(version: SchemeVersion | None, cleaned: list[dict]) -> bool:
    if version is None:
        return False
    stored = [
        (i.code, i.weight, i.threshold, i.direction) for i in version.indicators.order_by("position", "id")
    ]
    return stored == [(i["code"], i["weight"], i["threshold"], i["direction"]) for i in cleaned]


def save_scheme(
    scheme: EvaluationScheme | None,
    *,
    by,
    indicators,
    region: Region | None = None,
    name: str = "",
    is_active: bool = True,
    note: str = "",
) -> EvaluationScheme:
    """Create a region's scheme (``scheme`` None, ``region`` given) or change one. The indicators
    are a list of dicts (``code``, ``weight``, ``threshold``, ``direction``); when they differ
    from the current version's, a new version is made and becomes current — the runs already
    made keep theirs."""
    region = scheme.region if scheme is not None else region
    if region is None:
        raise ValidationError({"region": _("Choose the district or city the scheme is for.")})
    if len(region.code) not in SCHEME_LEVELS:
        raise ValidationError(
            {"region": _("A scheme is set for a district or a city; its streets inherit it.")}
        )
    _require_bureau(region, by)
    name = (name or "").strip() or (scheme.name if scheme else "")
    if not name:
        raise ValidationError({"name": _("Give the scheme a name.")})
    cleaned = clean_indicators(indicators)
    with transaction.atomic():
        if scheme is None:
            if EvaluationScheme.objects.filter(region=region).exists():
                raise ValidationError({"region": _("This region already has a scheme; change that one.")})
            scheme = EvaluationScheme.objects.create(region=region, name=name, is_active=is_active)
        else:
            scheme = EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
            scheme.name, scheme.is_active = name, is_active
            scheme.save(update_fields=["name", "is_active"])
        current = scheme.current
        if not _same(current, cleaned):
            number = (current.number if current else 0) + 1
            version = SchemeVersion.objects.create(
                scheme=scheme, number=number, note=note[:300], created_by=by
            )
            SchemeIndicator.objects.bulk_create(
                [SchemeIndicator(version=version, **item) for item in cleaned]
            )
            scheme.current = version
            scheme.save(update_fields=["current"])
            audit.record(
                scheme,
                "new_version",
                changes={"version": [current.number if current else None, number]},
                note="; ".join(
                    f"{i['code']} {i['weight']} {i['direction']} {i['threshold']}" for i in cleaned
                ),
                actor=by,
            )
    return scheme


def default_indicators() -> list[dict]:
    """A starting scheme: every station indicator of the catalogue, weights adding to 100."""
    station = [i for i in INDICATORS if i.subject == STATION]
    pilot = [i for i in INDICATORS if i.subject == PILOT]
    weights = [15, 15, 15, 10, 10, 10, 10, 5] + [4, 3, 3]
    return [
        {"code": i.code, "weight": w, "threshold": i.threshold, "direction": i.direction}
        for i, w in zip(station + pilot, weights, strict=True)
    ]


def scheme_for_region(region: Region) -> EvaluationScheme | None:
    """The scheme that evaluates what lies in ``region``: its district's, else its city's."""
    codes = [region.code[:6], region.code[:4]]
    schemes = {s.region.code: s for s in EvaluationScheme.objects.applicable().filter(region__code__in=codes)}
    return next((schemes[code] for code in codes if code in schemes), None)


# --- the run -------------------------------------------------------------------------------------


def _covered(scheme: EvaluationScheme, path: str):
    """The condition for what ``scheme`` evaluates: its region's subtree without the districts
    that have a scheme of their own (one query)."""
    condition = region_subtree(path, scheme.region.code)
    if len(scheme.region.code) == 4:
        own = EvaluationScheme.objects.applicable().filter(region__code__startswith=scheme.region.code)
        for code in own.exclude(pk=scheme.pk).values_list("region__code", flat=True):
            condition &= ~region_subtree(path, code)
    return condition


def stations_of(scheme: EvaluationScheme, month: dt.date):
    _, end = month_bounds(month)
    return Station.objects.filter(_covered(scheme, "region"), status__in=EVALUATED_STATES).exclude(
        opened_on__gte=end
    )


def pilots_of(scheme: EvaluationScheme, month: dt.date):
    return Pilot.objects.filter(_covered(scheme, "site_region"))


def _total(lines) -> Decimal | None:
    scored = [line for line in lines if line["score"] is not None]
    weight = sum(line["weight"] for line in scored)
    if not weight:
        return None
    total = sum(Decimal(line["score"]) * line["weight"] for line in scored) / weight
    return total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _rank(cards, key) -> None:
    """Competition ranking by score within each group (1, 2, 2, 4); no score, no rank."""
    groups = defaultdict(list)
    for card in cards:
        if card.score is not None:
            groups[(card.kind, getattr(card, f"{key}_id"))].append(card)
    for members in groups.values():
        members.sort(key=lambda card: -card.score)
        previous, rank = None, 0
        for position, card in enumerate(members, start=1):
            if card.score != previous:
                rank, previous = position, card.score
            setattr(card, f"rank_in_{key}", rank)


def _pilot_type(value):
    return PilotType(value).label if value in PilotType.values else value


def _figure(value):
    return None if value is None else str(value)


def _cards(run, subjects, kind, indicators, figures, regions):
    cards = []
    for subject in subjects:
        lines = []
        for item in indicators:
            indicator = CATALOGUE[item.code]
            raw = figures[item.code].get(subject["pk"])
            score = indicator.score(raw, item.threshold, item.direction)
            lines.append(
                {
                    "code": item.code,
                    "raw": _figure(raw),
                    "score": _figure(score),
                    "weight": item.weight,
                    "threshold": str(item.threshold),
                    "direction": item.direction,
                    "met": indicator.met(raw, item.threshold, item.direction),
                }
            )
        code = subject["region_code"]
        cards.append(
            Scorecard(
                run=run,
                month=run.month,
                kind=kind,
                station_id=subject["pk"] if kind == SubjectKind.STATION else None,
                pilot_id=subject["pk"] if kind == SubjectKind.PILOT else None,
                name=subject["name"][:200],
                region_id=subject["region_id"],
                street_id=regions.get(code[:9]) if len(code) >= 9 else None,
                district_id=regions.get(code[:6]),
                organization_id=subject["organization_id"],
                score=_total(lines),
                indicators_failed=sum(1 for line in lines if line["met"] is False),
                lines=lines,
            )
        )
    return cards


# What a re-run of the month rewrites on a subject's scorecard (the rest names the subject).
SCORECARD_UPDATES = [
    "month",
    "name",
    "region",
    "street",
    "district",
    "organization",
    "score",
    "rank_in_street",
    "rank_in_district",
    "indicators_failed",
    "lines",
    "evaluated_at",
]


def _save_scorecards(run: EvaluationRun, cards: list[Scorecard], stamp) -> None:
    """Write the month's scorecards in place, in at most three queries whatever their number:
    one INSERT … ON CONFLICT … DO UPDATE for the stations' cards and one for the pilots' (a
    subject's card keeps its id across re-runs, so links to it stay valid), then one DELETE of
    the cards this run did not write (a station no longer evaluated, an indicator of the other
    kind dropped from the scheme). The DELETE is plain SQL: nothing refers to a scorecard, and
    the ORM's delete would load every row first (the audit log listens to deletions)."""
    for kind, key in ((SubjectKind.STATION, "station"), (SubjectKind.PILOT, "pilot")):
        subset = [card for card in cards if card.kind == kind]
        if subset:
            Scorecard.objects.bulk_create(
                subset, update_conflicts=True, unique_fields=["run", key], update_fields=SCORECARD_UPDATES
            )
    stale = Scorecard.objects.filter(run=run).exclude(evaluated_at=stamp).order_by().values("pk")
    sql, params = stale.query.sql_with_params()
    table = connection.ops.quote_name(Scorecard._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)  # noqa: S608


def check_month_ended(month: dt.date, today: dt.date | None = None) -> dt.date:
    """The first day of ``month`` if it has ended; the current month and later ones are refused
    under ``month`` (their figures are not complete: the scheduled run on the 1st evaluates the
    month just ended). The portal, the admin, the API and the task all pass through here."""
    month = month.replace(day=1)
    current = (today or timezone.localdate()).replace(day=1)
    if month >= current:
        raise ValidationError(
            {
                "month": _(
                    "%(month)s has not ended yet: a month can be evaluated from the 1st of the next "
                    "month on (the latest month you can evaluate now is %(last)s)."
                )
                % {"month": f"{month:%Y-%m}", "last": f"{last_month(today):%Y-%m}"}
            },
            code="month_not_ended",
        )
    return month


def run_evaluation(scheme: EvaluationScheme, month: dt.date, *, by=None) -> EvaluationRun:
    """Evaluate ``month`` with the scheme's current version. Re-running a month updates its run
    and its scorecards in place, in one transaction (a subject's scorecard keeps its id); findings
    are kept: one open finding per subject and indicator, updated by the re-run, closed by a run
    (of its month or a later one) that meets the threshold, reopened by a re-run of the month that
    closed it. The responsible organisations of new findings get a notice after the commit."""
    month = check_month_ended(month)
    if by is not None:
        _require_bureau(scheme.region, by)
    with transaction.atomic():
        scheme = (
            EvaluationScheme.objects.select_for_update(of=("self",))
            .select_related("region", "current")
            .get(pk=scheme.pk)
        )
        version = scheme.current
        if version is None:
            raise ValidationError(_("The scheme has no indicators yet."))
        indicators = list(version.indicators.order_by("position", "id"))
        station_items = [i for i in indicators if CATALOGUE[i.code].subject == STATION]
        pilot_items = [i for i in indicators if CATALOGUE[i.code].subject == PILOT]

        stations = stations_of(scheme, month)
        pilots = pilots_of(scheme, month)
        figures = {}
        for item in station_items:
            figures[item.code] = CATALOGUE[item.code].compute(stations, month)
        for item in pilot_items:
            figures[item.code] = CATALOGUE[item.code].compute(pilots, month)

        station_rows = (
            list(
                stations.order_by("pk").values(
                    "pk", "name", "region_id", region_code=F("region__code"), organization_id=F("operator_id")
                )
            )
            if station_items
            else []
        )
        pilot_rows = [
            {
                "pk": row["pk"],
                "name": f"{row['organization_name']} · {_pilot_type(row['pilot_type'])}",
                "region_id": row["site_region_id"],
                "region_code": row["region_code"],
                "organization_id": row["organization_id"],
            }
            for row in (
                pilots.order_by("pk").values(
                    "pk",
                    "pilot_type",
                    "site_region_id",
                    "organization_id",
                    region_code=F("site_region__code"),
                    organization_name=F("organization__name"),
                )
                if pilot_items
                else []
            )
        ]
        codes = {row["region_code"][:length] for row in station_rows + pilot_rows for length in (6, 9)}
        regions = dict(Region.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}

        stamp = timezone.now()
        run, _created = EvaluationRun.objects.update_or_create(
            scheme=scheme,
            month=month,
            defaults={"version": version, "started_at": stamp, "finished_at": None, "started_by": by},
        )
        cards = _cards(run, station_rows, SubjectKind.STATION, station_items, figures, regions)
        cards += _cards(run, pilot_rows, SubjectKind.PILOT, pilot_items, figures, regions)
        for card in cards:
            card.evaluated_at = stamp
        _rank(cards, "street")
        _rank(cards, "district")
        _save_scorecards(run, cards, stamp)

        opened, closed, new_findings = _findings(scheme, month, cards, station_rows, pilot_rows)
        run.finished_at = timezone.now()
        run.scorecards_count, run.findings_opened, run.findings_closed = len(cards), opened, closed
        run.save(update_fields=["finished_at", "scorecards_count", "findings_opened", "findings_closed"])
        audit.record(
            scheme,
            "evaluation_run",
            note=f"{month:%Y-%m} v{version.number}: {len(cards)} / +{opened} / -{closed}",
            actor=by,
        )
        if new_findings:
            transaction.on_commit(lambda: _notify(new_findings, scheme))
    return run


def _findings(scheme, month, cards, station_rows, pilot_rows):
    """Open, keep, reopen and close the findings of a run in a fixed number of queries. Returns
    how many findings of ``month`` the run leaves open and closed (the same on a re-run of the
    same figures) and the organisations to tell of the new ones.

    * failing, no finding: a new one, opened in ``month``;
    * failing, an open finding opened up to ``month``: kept (its last month moves on); one opened
      after ``month`` (a later run's) is left alone;
    * failing, a finding closed by an earlier run of this same month: reopened (the re-run
      undoes its own closing); one closed by a later month's run is left closed;
    * meeting, an open finding opened and last seen up to ``month``: closed in ``month`` (one a
      later month's run still found stays open)."""
    failing, meeting = {}, set()
    for card in cards:
        subject = (card.kind, card.station_id or card.pilot_id)
        for line in card.lines:
            if line["met"] is False:
                failing[(*subject, line["code"])] = (card, line)
            elif line["met"] is True:
                meeting.add((*subject, line["code"]))
    station_ids = [row["pk"] for row in station_rows]
    pilot_ids = [row["pk"] for row in pilot_rows]
    if not station_ids and not pilot_ids:
        return 0, 0, []
    candidates = Finding.objects.filter(
        Q(kind=SubjectKind.STATION, station_id__in=station_ids)
        | Q(kind=SubjectKind.PILOT, pilot_id__in=pilot_ids)
    ).filter(Q(state=FindingState.OPEN) | Q(closed_month__gte=month, opened_month__lte=month))
    open_by_key, closed_by_key = {}, {}
    seen = candidates.order_by("pk").values_list(  # rows, not models: tens of thousands at scale
        "pk",
        "kind",
        "station_id",
        "pilot_id",
        "code",
        "state",
        "opened_month",
        "last_month",
        "closed_month",
        named=True,
    )
    for finding in seen:
        key = (finding.kind, finding.station_id or finding.pilot_id, finding.code)
        (open_by_key if finding.state == FindingState.OPEN else closed_by_key)[key] = finding
    new, kept, reopened, opened = [], [], [], 0
    for key, (card, line) in failing.items():
        finding = open_by_key.get(key) or closed_by_key.get(key)
        if finding is None:
            raw = None if line["raw"] is None else Decimal(line["raw"])
            new.append(
                Finding(
                    kind=card.kind,
                    station_id=card.station_id,
                    pilot_id=card.pilot_id,
                    name=card.name,
                    region_id=card.region_id,
                    organization_id=card.organization_id,
                    scheme=scheme,
                    code=line["code"],
                    raw=raw,
                    threshold=Decimal(line["threshold"]),
                    direction=line["direction"],
                    opened_month=month,
                    last_month=month,
                )
            )
            opened += 1
        elif finding.opened_month > month:
            continue  # opened by a later month's run: that run's
        else:
            if finding.state == FindingState.OPEN:
                kept.append(finding.pk)
            elif finding.closed_month == month:
                reopened.append(finding.pk)
            opened += finding.opened_month == month
    to_close = [
        f.pk
        for key, f in open_by_key.items()
        if key in meeting and f.opened_month <= month and f.last_month <= month
    ]
    reopened_keys = set(reopened)
    closed = len(to_close) + sum(
        1 for f in closed_by_key.values() if f.closed_month == month and f.pk not in reopened_keys
    )
    Finding.objects.bulk_create(new)
    if kept:  # one UPDATE whatever the count (the figure of each month is on its scorecard)
        Finding.objects.filter(pk__in=kept, last_month__lt=month).update(last_month=month)
    if reopened:
        Finding.objects.filter(pk__in=reopened).update(
            state=FindingState.OPEN, closed_month=None, last_month=Greatest("last_month", Value(month))
        )
    if to_close:
        Finding.objects.filter(pk__in=to_close).update(state=FindingState.CLOSED, closed_month=month)
    return opened, closed, new


def _notify(findings: list[Finding], scheme: EvaluationScheme) -> None:
    """One notice per new finding to the members of its responsible organisation, naming the
    station or pilot, the indicator, the figure with its unit against the threshold and the
    month, linking to the finding. One query for the recipients, one insert for the notices."""
    memberships = Membership.objects.filter(
        organization_id__in={finding.organization_id for finding in findings},
        role__in=(Role.ORG_ADMIN, Role.OFFICER, Role.STAFF),
        is_active=True,
        user__is_active=True,
    ).select_related("user")
    people = defaultdict(dict)
    for membership in memberships:
        people[membership.organization_id][membership.user_id] = membership.user
    notices = []
    for finding in findings:
        users = list(people[finding.organization_id].values())
        if users:
            title, body = finding_notice(finding, scheme)
            notices.append((users, title, body, reverse("reports:evaluation_finding", args=[finding.pk])))
    notify_each(notices)


def finding_notice(finding: Finding, scheme: EvaluationScheme) -> tuple[str, str]:
    """The title and text of a new finding's notice."""
    indicator = CATALOGUE.get(finding.code)
    values = {
        "month": f"{finding.opened_month:%Y-%m}",
        "kind": str(finding.get_kind_display()).lower(),
        "name": finding.name,
        "indicator": indicator.label if indicator else finding.code,
        "figure": finding.figure_text,
        "threshold": finding.threshold_text,
        "scheme": scheme.name,
    }
    title = _("Evaluation of %(month)s: %(name)s below the threshold in “%(indicator)s”") % values
    body = (
        _(
            "The evaluation of %(month)s (%(scheme)s) found for the %(kind)s %(name)s: %(indicator)s "
            "%(figure)s, the threshold is %(threshold)s. The finding closes when a later evaluation "
            "meets the threshold."
        )
        % values
    )
    return title, body


def run_summary(run: EvaluationRun) -> str:
    return _("Evaluated %(month)s: %(cards)d scorecards, %(opened)d findings opened, %(closed)d closed.") % {
        "month": f"{run.month:%Y-%m}",
        "cards": run.scorecards_count,
        "opened": run.findings_opened,
        "closed": run.findings_closed,
    }


def last_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def run_monthly(today: dt.date | None = None) -> list[EvaluationRun]:
    """The scheduled run: every active scheme, for the month before ``today``'s."""
    month = last_month(today)
    schemes = EvaluationScheme.objects.applicable().filter(current__isnull=False)
    return [run_evaluation(scheme, month) for scheme in schemes]


# --- findings ------------------------------------------------------------------------------------


def add_comment(finding: Finding, *, by, text: str) -> FindingComment:
    """A comment on a finding, by an officer of its region or by the responsible organisation."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("A comment is at most 2,000 characters.")})
    if not is_editable(finding, by):
        raise PermissionDenied(_("You may read this finding but not comment on it."))
    comment = FindingComment.objects.create(finding=finding, author=by, text=text)
    audit.record(finding.scheme, "finding_comment", note=f"{finding.pk}: {text[:150]}", actor=by)
    by_company = not by.is_superuser and finding.organization_id in scope_for(by).organization_ids(True)
    recipients = [
        user
        for user in (_supervising_officers(finding) if by_company else _company_admins(finding))
        if user.pk != by.pk
    ]
    if recipients:
        notify(
            recipients,
            title=_("New comment on the finding %(finding)s") % {"finding": finding},
            body=_("%(author)s wrote on the finding of %(month)s: %(text)s")
            % {
                "author": by.name or by.get_username(),
                "month": f"{finding.opened_month:%Y-%m}",
                "text": text[:500],
            },
            link=reverse("reports:evaluation_finding", args=[finding.pk]),
        )
    return comment


def _company_admins(finding: Finding) -> list:
    """An officer's comment reaches the administrators of the responsible organisation."""
    return members_of(Organization.objects.filter(pk=finding.organization_id), roles=(Role.ORG_ADMIN,))


def _supervising_officers(finding: Finding) -> list:
    """The company's comment reaches the officers (and administrators) of the bureaus and street
    offices supervising the finding's region within its scheme's region: those who may act on
    the finding, not their viewers."""
    code = finding.region.code
    codes = [
        code[:length] for length in (4, 6, 9, 12) if len(finding.scheme.region.code) <= length <= len(code)
    ]
    offices = Organization.objects.filter(kind__in=GOVERNMENT_KINDS, is_active=True, region__code__in=codes)
    return members_of(offices, roles=tuple(GOVERNMENT_EDITING_ROLES))

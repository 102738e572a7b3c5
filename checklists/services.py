"""Every operation on the five lists, and their two workflows.

* District samples (样张, ``TEMPLATES``): a district's civil-affairs (or housing) bureau drafts a
  version — a copy of its last one — changes its items and publishes it; the version it replaces
  is kept (``superseded``), and the station lists made from it keep pointing at it.
* Station lists (定制化清单, ``STATION_LISTS``): the operating company or the street office starts
  a version from the district's current sample (or, for a change, from the station's published
  version), adds, changes and removes items, and submits it; the station's street office approves
  it or returns it with a reason; then it is published: the version it replaces is kept as
  evidence and the service-item list becomes the station's posted prices.
* Supervision (督导检查): a street or bureau officer records a check of the published lists; an
  item not carried out stays open, and reaches the company as a notice, until a later check finds
  it carried out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit, notices
from accounts.models import Organization, OrganizationKind
from accounts.scoping import GOVERNMENT_EDITING_ROLES, GOVERNMENT_KINDS, acting_organization, is_editable
from accounts.uploads import IMAGE_KINDS, check_upload
from core.workflow import Actor, Transition, Workflow
from regions.models import Region
from stations import services as station_services
from stations.models import Station

from .models import (
    EDITABLE_STATES,
    ITEM_FIELDS,
    KIND_FIELDS,
    OPEN_STATES,
    CheckFinding,
    ChecklistCheck,
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    DutyParty,
    ListKind,
    ResourceKind,
    VersionState,
    column_label,
    kind_fields,
)

BUREAU_KINDS = frozenset({OrganizationKind.CIVIL_AFFAIRS, OrganizationKind.HOUSING})
NUMBER_FIELDS = frozenset({"price", "area", "capacity"})
PHONE = re.compile(r"^[0-9０-９+\-－() （）转]{3,30}$")


def official(message, **params) -> str:
    """A text stored for everyone (a version's title, the source of a price, a notice) in the
    portal's own language, not in the language of whoever happened to act."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


def resource_review_days() -> int:
    return settings.CHECKLIST_RESOURCE_REVIEW_DAYS


# --- who ----------------------------------------------------------------------------------------


def district_of(region: Region) -> Region:
    """The district (county) a region lies in: samples are issued per district."""
    if len(region.code) <= 6:
        return region
    return Region.objects.get(code=region.code[:6])


def bureau_of(user, region: Region):
    """The district bureau through which ``user`` issues the samples of ``region`` (None if not)."""
    return acting_organization(user, kinds=BUREAU_KINDS, roles=GOVERNMENT_EDITING_ROLES, region=region)


def street_office_of(user, station: Station):
    """The street office of ``station`` through which ``user`` acts (None if not)."""
    return acting_organization(
        user, kinds={OrganizationKind.STREET_OFFICE}, roles=GOVERNMENT_EDITING_ROLES, region=station.region
    )


def _require_version_editor(version: ChecklistVersion, by) -> Organization | None:
    """Who may change a version's items: the district bureau for a sample; the operator or an
    officer of the station's region for a station's lists."""
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if version.is_template:
        office = bureau_of(by, version.region)
        if office is None and not by.is_superuser:
            raise PermissionDenied(
                _("Only the district's civil-affairs or housing bureau issues its sample.")
            )
        return office
    if not is_editable(version.station, by):
        raise PermissionDenied(_("Only the station's operator or its street office makes its lists."))
    return acting_organization(by, among=[version.station.operator_id]) or street_office_of(
        by, version.station
    )


def _require_editable_state(version: ChecklistVersion) -> None:
    if version.state not in EDITABLE_STATES:
        raise ValidationError(
            _(
                "This version is “%(state)s”: its items can no longer change. "
                "Start a new version to change it."
            )
            % {"state": version.get_state_display()}
        )


# --- versions -----------------------------------------------------------------------------------


def current_template(region: Region) -> ChecklistVersion | None:
    """The district's sample in force: its last published version."""
    return (
        ChecklistVersion.objects.templates()
        .filter(region__code=region.code[:6], state=VersionState.PUBLISHED)
        .order_by("-number")
        .first()
    )


def published_version(station: Station) -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(station=station, state=VersionState.PUBLISHED).first()


def open_version(*, station: Station | None = None, region: Region | None = None) -> ChecklistVersion | None:
    queryset = ChecklistVersion.objects.filter(state__in=OPEN_STATES)
    if station is not None:
        return queryset.filter(station=station).first()
    return queryset.filter(station__isnull=True, region=region).first()


def _copy_items(source: ChecklistVersion, target: ChecklistVersion, *, from_template: bool) -> None:
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                version=target,
                kind=item.kind,
                origin=item if from_template else item.origin,
                position=item.position,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
            )
            for item in source.items.order_by("kind", "position", "id")
        ]
    )


def _rebase(version: ChecklistVersion, template: ChecklistVersion) -> None:
    """Point each item of ``version`` at the item of the same name in ``template`` (a newer
    sample), so that its differences are read against the sample in force."""
    by_key = {item_key(item): item.pk for item in template.items.all()}
    items = list(version.items.all())
    for item in items:
        item.origin_id = by_key.get(item_key(item))
    ChecklistItem.objects.bulk_update(items, ["origin"])


def start_template(region: Region, *, by, title: str = "", note: str = "") -> ChecklistVersion:
    """A new draft of ``region``'s district sample: a copy of its last version (empty for the
    first), numbered after it."""
    district = district_of(region)
    probe = ChecklistVersion(region=district, number=0)
    office = _require_version_editor(probe, by)
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=district.pk).first()
        existing = open_version(region=district)
        if existing is not None:
            raise ValidationError(
                _("Version %(number)s of the sample is still a draft: finish or publish it first.")
                % {"number": existing.number}
            )
        last = ChecklistVersion.objects.templates().filter(region=district).order_by("-number").first()
        version = ChecklistVersion(
            region=district,
            issuer=office,
            number=(last.number + 1) if last else 1,
            title=title or official(gettext_lazy("%(region)s five lists sample"), region=district.name),
            note=note,
            created_by=by,
        )
        with audit.audit_context(actor=by):
            version.save()
        if last is not None:
            _copy_items(last, version, from_template=False)
    return version


def start_station_list(station: Station, *, by, note: str = "") -> ChecklistVersion:
    """A new version of the station's five lists: a copy of its published version (a change), or
    of the district's current sample for the first one."""
    probe = ChecklistVersion(station=station, region=station.region, number=0)
    office = _require_version_editor(probe, by)
    with transaction.atomic():
        Station.objects.select_for_update().filter(pk=station.pk).first()
        existing = open_version(station=station)
        if existing is not None:
            raise ValidationError(
                _("Version %(number)s of this station's lists is still “%(state)s”: continue with it.")
                % {"number": existing.number, "state": existing.get_state_display()}
            )
        current = published_version(station)
        # a change is made against the district's sample in force, which may be newer than the
        # one the published version came from
        template = current_template(station.region) or (current.template if current is not None else None)
        if current is None and template is None:
            raise ValidationError(
                _(
                    "The district has not published a sample of the five lists yet; "
                    "ask its civil-affairs bureau."
                )
            )
        last_number = ChecklistVersion.objects.filter(station=station).aggregate(n=Max("number"))["n"] or 0
        version = ChecklistVersion(
            station=station,
            region=station.region,
            issuer=office or station.operator,
            template=template,
            previous=current,
            number=last_number + 1,
            title=official(gettext_lazy("%(station)s five lists"), station=station.name),
            note=note,
            created_by=by,
        )
        with audit.audit_context(actor=by):
            version.save()
        if current is not None:
            _copy_items(current, version, from_template=False)
            if template is not None and template.pk != current.template_id:
                _rebase(version, template)
        else:
            _copy_items(template, version, from_template=True)
    return version


# --- items --------------------------------------------------------------------------------------


def _key(kind: str, values: dict) -> tuple:
    """What makes two items of a list the same item: a service by its service and content,
    anything else by its name (spaces, case and full- or half-width punctuation ignored)."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(values.get("name") or ""))).casefold()
    if kind == ListKind.SERVICES:
        return (kind, values.get("category") or "", name)
    return (kind, name)


def item_key(item: ChecklistItem) -> tuple:
    return _key(item.kind, item.values())


def _clean_number(value, field: str, errors: dict, *, below: int, integer=False):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Give a number.")
        return None
    if not number.is_finite() or number < 0:
        errors[field] = _("A number here cannot be negative.")
        return None
    if number >= below:
        errors[field] = _("A number of %(limit)s or more cannot be right here; check the figure.") % {
            "limit": f"{below:,}"
        }
        return None
    if integer:
        if number != number.to_integral_value():
            errors[field] = _("Give a whole number.")
            return None
        return int(number)
    return number


def _clean_item_values(version: ChecklistVersion, kind: str, values: dict) -> dict:
    """The item's columns checked for its kind; ValidationError naming every field to fix."""
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("Choose one of the five lists.")})
    allowed = set(kind_fields(kind))
    unexpected = sorted(
        name for name, value in values.items() if name not in allowed and value not in (None, "")
    )
    errors: dict[str, str] = {}
    for name in unexpected:
        errors[name] = _("The %(list)s has no such column.") % {"list": ListKind(kind).label}
    cleaned = {}
    for name in allowed:
        value = values.get(name)
        if value is None and name not in NUMBER_FIELDS:
            value = ""
        cleaned[name] = value.strip() if isinstance(value, str) else value
    for name in ("name", *KIND_FIELDS[kind]["required"]):
        if cleaned.get(name) in (None, ""):
            errors.setdefault(
                name, _("This is needed for an item of the %(list)s.") % {"list": ListKind(kind).label}
            )
    if kind == ListKind.SERVICES:  # every price rule at once, beside what is missing
        station = version.station
        try:
            cleaned["price"] = station_services.check_price(
                station,
                category=cleaned["category"],
                price=cleaned["price"],
                unit=cleaned["unit"],
                level=cleaned["level"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, " ".join(messages))
    if kind == ListKind.FACILITIES:
        cleaned["area"] = _clean_number(cleaned.get("area"), "area", errors, below=1_000_000)
        cleaned["capacity"] = _clean_number(
            cleaned.get("capacity"), "capacity", errors, below=100_000, integer=True
        )
    if kind == ListKind.RESOURCES:
        if cleaned.get("resource_kind") and cleaned["resource_kind"] not in ResourceKind.values:
            errors["resource_kind"] = _("Choose the kind of organisation from the list.")
        phone = cleaned.get("contact_phone") or ""
        if phone and not PHONE.match(phone):
            errors["contact_phone"] = _(
                "A telephone number has digits only, e.g. 021-62000001 or 13800001234."
            )
    if kind == ListKind.DUTIES and cleaned.get("party") and cleaned["party"] not in DutyParty.values:
        errors["party"] = _("Choose the party from the list.")
    if errors:
        raise ValidationError(errors)
    # the other kinds' columns stay empty
    blank = {name: (None if name in NUMBER_FIELDS else "") for name in ITEM_FIELDS if name not in allowed}
    return cleaned | blank


def _check_duplicate(version: ChecklistVersion, kind: str, values: dict, *, exclude=None) -> None:
    key = _key(kind, values)
    others = version.items.filter(kind=kind)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        if item_key(other) == key:
            raise ValidationError(
                {
                    "name": _("“%(name)s” is already in the %(list)s; change that item instead.")
                    % {"name": values.get("name"), "list": ListKind(kind).label}
                }
            )


def _template_match(version: ChecklistVersion, kind: str, values: dict) -> ChecklistItem | None:
    """The sample item an item of a station's list stands for (same key), if any."""
    if version.template_id is None:
        return None
    key = _key(kind, values)
    return next((item for item in version.template.items.filter(kind=kind) if item_key(item) == key), None)


def add_item(version: ChecklistVersion, *, by, kind: str, **values) -> ChecklistItem:
    """Add an item to a draft (or returned) version."""
    with transaction.atomic():
        version = _lock(version)
        _require_version_editor(version, by)
        _require_editable_state(version)
        cleaned = _clean_item_values(version, kind, values)
        _check_duplicate(version, kind, cleaned)
        position = (version.items.filter(kind=kind).aggregate(n=Max("position"))["n"] or 0) + 1
        item = ChecklistItem.objects.create(
            version=version,
            kind=kind,
            position=position,
            origin=_template_match(version, kind, cleaned),
            **cleaned,
        )
        audit.record(version, "item_added", note=str(item), actor=by)
    return item


def change_item(item: ChecklistItem, *, by, **values) -> ChecklistItem:
    """Change an item of a draft (or returned) version; the fields not given keep their value."""
    with transaction.atomic():
        version = _lock(item.version)
        _require_version_editor(version, by)
        _require_editable_state(version)
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        merged = item.values() | values
        cleaned = _clean_item_values(version, item.kind, merged)
        _check_duplicate(version, item.kind, cleaned, exclude=item)
        before = item.values()
        for name, value in cleaned.items():
            setattr(item, name, value)
        item.save()
        changed = {
            name: [str(before[name]), str(value)]
            for name, value in item.values().items()
            if before[name] != value
        }
        if changed:
            audit.record(version, "item_changed", changes=changed, note=str(item), actor=by)
    return item


def remove_item(item: ChecklistItem, *, by) -> None:
    with transaction.atomic():
        version = _lock(item.version)
        _require_version_editor(version, by)
        _require_editable_state(version)
        label = str(item)
        ChecklistItem.objects.filter(pk=item.pk).delete()
        audit.record(version, "item_removed", note=label, actor=by)


def clear_items(version: ChecklistVersion, kind: str, *, by) -> int:
    """Empty one list of a draft before an import fills it again (the import is all or nothing)."""
    with transaction.atomic():
        version = _lock(version)
        _require_version_editor(version, by)
        _require_editable_state(version)
        deleted, _details = version.items.filter(kind=kind).delete()
        if deleted:
            audit.record(version, "items_cleared", note=f"{ListKind(kind).label}: {deleted}", actor=by)
    return deleted


def _lock(version: ChecklistVersion) -> ChecklistVersion:
    return (
        ChecklistVersion.objects.select_for_update(of=("self",))
        .select_related("station__region", "station__operator", "region", "template")
        .get(pk=version.pk)
    )


# --- what differs from the sample -----------------------------------------------------------------


def differences(version: ChecklistVersion, against: str = "template") -> dict:
    """What a station's version changed from the sample version it came from (``against=
    "template"``) or from the published version it changes (``against="previous"``): items added,
    items changed (with each changed column, the other version's value → this version's), items
    of the other version left out, and how many are as the other version has them. Empty when
    there is no such version."""
    result = {"added": [], "changed": [], "removed": [], "same": 0}
    other = version.template if against == "template" else version.previous
    if other is None or version.is_template:
        return result
    theirs = list(other.items.all())
    if against == "template":  # an item stands for the sample item it was copied from
        by_pk = {item.pk: item for item in theirs}
        match = lambda item: by_pk.get(item.origin_id)  # noqa: E731
    else:  # an item stands for the item of the same name in the version posted before
        by_key = {item_key(item): item for item in theirs}
        match = lambda item: by_key.get(item_key(item))  # noqa: E731
    kept = set()
    for item in version.items.all():
        counterpart = match(item)
        if counterpart is None:
            result["added"].append(item)
            continue
        kept.add(counterpart.pk)
        own, before = item.values(), counterpart.values()
        fields = [
            {
                "field": name,
                "label": column_label(item.kind, name),
                "sample": _shown(counterpart, name),
                "now": _shown(item, name),
            }
            for name in kind_fields(item.kind)
            if own[name] != before[name]
        ]
        if fields:
            result["changed"].append({"item": item, "sample": counterpart, "fields": fields})
        else:
            result["same"] += 1
    result["removed"] = [item for item in theirs if item.pk not in kept]
    return result


def _shown(item: ChecklistItem, name: str) -> str:
    display = getattr(item, f"get_{name}_display", None)
    value = display() if display is not None and getattr(item, name) else getattr(item, name)
    return "" if value in (None, "") else str(value)


# --- the workflows ------------------------------------------------------------------------------


def _members(*organizations):
    return notices.members_of([org for org in organizations if org is not None])


def _station_link(version: ChecklistVersion) -> str:
    return reverse("checklists:version", args=[version.pk])


class TemplateFlow(Workflow):
    """A district sample: drafted, then published by the district's bureau (for good: a change
    is a new version)."""

    model = ChecklistVersion
    state_field = "state"
    select_related = ("region",)
    transitions = (
        Transition(
            "publish_template",
            (VersionState.DRAFT,),
            VersionState.PUBLISHED,
            gettext_lazy("Publish the sample"),
            actor="bureau",
            confirm=gettext_lazy(
                "The sample is published to every street and company of the district; the previous "
                "version stays on record. A change later is a new version."
            ),
        ),
    )

    def actor_bureau(self, version, user) -> Actor:
        if not version.is_template:
            return Actor.refuse(_("This is a station's list, not a district sample."))
        return Actor.unless_refused(
            lambda: _require_version_editor(version, user), lambda: bureau_of(user, version.region)
        )

    def check_publish_template(self, version, by):
        if not version.items.exists():
            raise ValidationError(_("The sample has no items: add the items of the five lists first."))

    def apply_publish_template(self, version, by, actor):
        now = timezone.now()
        ChecklistVersion.objects.templates().filter(
            region=version.region, state=VersionState.PUBLISHED
        ).update(state=VersionState.SUPERSEDED, superseded_at=now)
        version.published_at, version.published_by = now, by
        version.issuer = version.issuer or actor.organization

    def notify(self, version, step, by, source):
        offices = Organization.objects.filter(
            kind=OrganizationKind.STREET_OFFICE, region__code__startswith=version.region.code, is_active=True
        )
        operators = Organization.objects.filter(
            stations__region__code__startswith=version.region.code, is_active=True
        ).distinct()
        notices.notify(
            _members(*offices, *operators),
            title=official(gettext_lazy("New five lists sample: %(version)s"), version=version),
            body=official(
                gettext_lazy("Make your station's lists from it: open the station's five lists page.")
            ),
            link=_station_link(version),
        )


TEMPLATES = TemplateFlow()


class StationListFlow(Workflow):
    """A station's five lists: draft → submitted → approved by the station's street office (or
    returned with a reason) → published. A second approval by someone else is refused; a double
    click changes nothing."""

    model = ChecklistVersion
    state_field = "state"
    select_related = ("station__region", "station__operator", "region")
    transitions = (
        Transition(
            "submit",
            (VersionState.DRAFT, VersionState.RETURNED),
            VersionState.SUBMITTED,
            gettext_lazy("Submit for approval"),
            actor="editor",
        ),
        Transition(
            "return",
            (VersionState.SUBMITTED,),
            VersionState.RETURNED,
            gettext_lazy("Return for changes"),
            actor="street",
            inputs=("reason",),
        ),
        Transition(
            "approve",
            (VersionState.SUBMITTED,),
            VersionState.APPROVED,
            gettext_lazy("Approve"),
            actor="street",
            confirm=gettext_lazy("The lists are approved as they stand; the company can then post them."),
        ),
        Transition(
            "publish",
            (VersionState.APPROVED,),
            VersionState.PUBLISHED,
            gettext_lazy("Publish at the station"),
            actor="price_poster",
            confirm=gettext_lazy(
                "The lists go public at the station and online, and the service-item list becomes the "
                "station's posted prices. The version it replaces stays on record."
            ),
        ),
    )

    def actor_editor(self, version, user) -> Actor:
        if version.is_template:
            return Actor.refuse(_("This is a district sample, not a station's list."))
        return Actor.unless_refused(lambda: _require_version_editor(version, user))

    def actor_price_poster(self, version, user) -> Actor:
        """Publishing changes the station's posted prices: the company administrator's step."""
        who = self.actor_editor(version, user)
        if not who.allowed:
            return who
        return Actor.unless_refused(
            lambda: station_services.require_company_administrator(version.station, user)
        )

    def actor_street(self, version, user) -> Actor:
        if version.is_template:
            return Actor.refuse(_("This is a district sample, not a station's list."))
        office = street_office_of(user, version.station)
        if office is None and not user.is_superuser:
            return Actor.refuse(
                _("Only the street office of %(station)s approves its lists.")
                % {"station": version.station.name}
            )
        return Actor(True, office)

    def already_done(self, locked, step, by) -> bool:
        if step.name == "approve" and locked.approved_by_id != by.pk:
            raise ValidationError(
                _("%(who)s already approved this version on %(when)s; there is nothing more to approve.")
                % {
                    "who": getattr(locked.approved_by, "name", "") or locked.approved_by,
                    "when": timezone.localtime(locked.approved_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        return True

    def check_submit(self, version, by):
        items = list(version.items.all())
        if not items:
            raise ValidationError(_("The lists have no items: add them (or import them) before submitting."))
        self._check_items(version, items)

    def _check_items(self, version, items):
        """The station may have changed since an item was written (a move below ground)."""
        for item in items:
            if item.kind == ListKind.SERVICES:
                try:
                    station_services.check_price(
                        version.station,
                        category=item.category,
                        price=item.price,
                        unit=item.unit,
                        level=item.level,
                    )
                except ValidationError as exc:
                    raise ValidationError(
                        _("%(item)s: %(reason)s") % {"item": item.name, "reason": " ".join(exc.messages)}
                    ) from exc

    def check_return(self, version, by, reason=""):
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say what the company should change.")})

    def check_approve(self, version, by):
        # two people at least: whoever drew the lists up or submitted them does not approve them
        if by.pk in {version.created_by_id, version.submitted_by_id}:
            raise ValidationError(
                _("You drew up or submitted these lists; another officer of the street office approves them.")
            )

    def apply_submit(self, version, by, actor):
        version.submitted_at, version.submitted_by = timezone.now(), by
        version.return_reason = ""

    def apply_return(self, version, by, actor, reason=""):
        version.return_reason = reason.strip()

    def apply_approve(self, version, by, actor):
        version.approved_at, version.approved_by, version.approving_office = (
            timezone.now(),
            by,
            actor.organization,
        )

    def check_publish(self, version, by):
        self._check_items(version, list(version.items.all()))
        channels = station_services.complaint_channels([version.station])[version.station.pk]
        if not channels:
            raise ValidationError(
                _("No complaint telephone can be posted with the prices: give the station a telephone first.")
            )

    def apply_publish(self, version, by, actor):
        now = timezone.now()
        ChecklistVersion.objects.filter(station=version.station, state=VersionState.PUBLISHED).update(
            state=VersionState.SUPERSEDED, superseded_at=now
        )
        version.published_at, version.published_by = now, by
        version.resources_reviewed_on = timezone.localdate()
        station_services.post_prices(
            version.station,
            [
                {
                    "category": item.category,
                    "content": item.name,
                    "price": item.price,
                    "unit": item.unit,
                    "level": item.level,
                    "provider": item.provider,
                    "note": item.note,
                }
                for item in version.items.filter(kind=ListKind.SERVICES)
            ],
            by=by,
            approved_by=version.approved_by,
            approving_office=version.approving_office,
            source=official(
                gettext_lazy("Five lists version %(number)s, published %(date)s"),
                number=version.number,
                date=timezone.localdate().isoformat(),
            ),
        )

    def notify(self, version, step, by, source):
        station = version.station
        if step.name == "submit":
            offices = Organization.objects.filter(
                kind=OrganizationKind.STREET_OFFICE, region__code=station.region.code[:9], is_active=True
            )
            title = official(
                gettext_lazy("Five lists of %(station)s submitted for approval"), station=station.name
            )
            notices.notify(_members(*offices), title=title, link=_station_link(version))
            return
        titles = {
            "return": gettext_lazy("Five lists of %(station)s returned: %(reason)s"),
            "approve": gettext_lazy("Five lists of %(station)s approved: publish them at the station"),
            "publish": gettext_lazy("Five lists of %(station)s published"),
        }
        notices.notify(
            _members(station.operator),
            title=official(titles[step.name], station=station.name, reason=version.return_reason),
            link=_station_link(version),
        )


STATION_LISTS = StationListFlow()


def perform(version: ChecklistVersion, action: str, *, by, **inputs) -> ChecklistVersion:
    """Take a step of the version's workflow (samples and station lists have their own)."""
    flow = TEMPLATES if version.is_template else STATION_LISTS
    return flow.perform(version, action, by=by, **inputs)


def available(version: ChecklistVersion, user, *, include_refused=False):
    flow = TEMPLATES if version.is_template else STATION_LISTS
    return flow.available(version, user, include_refused=include_refused)


def confirm_resources_reviewed(
    version: ChecklistVersion, *, by, on: dt.date | None = None
) -> ChecklistVersion:
    """The information officer (信息员) confirms the published resource list is current (000
    三(二)2); it is flagged when the last review is older than ``CHECKLIST_RESOURCE_REVIEW_DAYS``."""
    on = on or timezone.localdate()
    with transaction.atomic():
        version = _lock(version)
        _require_version_editor(version, by)
        if version.state != VersionState.PUBLISHED:
            raise ValidationError(
                _("Only the published lists are reviewed; this version is not the one posted.")
            )
        if on > timezone.localdate():
            raise ValidationError({"on": _("A review cannot be dated in the future.")})
        before = version.resources_reviewed_on
        version.resources_reviewed_on = on
        version.save(update_fields=["resources_reviewed_on"])
        audit.record(
            version, "resources_reviewed", changes={"resources_reviewed_on": [str(before), str(on)]}, actor=by
        )
    return version


def resources_review_overdue(version: ChecklistVersion, today: dt.date | None = None) -> bool:
    if version.state != VersionState.PUBLISHED or version.is_template:
        return False
    today = today or timezone.localdate()
    reviewed = version.resources_reviewed_on
    return reviewed is None or (today - reviewed).days > resource_review_days()


# --- supervision --------------------------------------------------------------------------------


def _require_inspector(station: Station, by) -> Organization | None:
    office = acting_organization(
        by, kinds=GOVERNMENT_KINDS, roles=GOVERNMENT_EDITING_ROLES, region=station.region
    )
    if office is None and not by.is_superuser:
        raise PermissionDenied(
            _("Supervision checks are recorded by the street office or a bureau of the region.")
        )
    return office


def record_check(station: Station, *, by, checked_on: dt.date, results, summary: str = "") -> ChecklistCheck:
    """Record a supervision check of the station's published lists. ``results`` is a list of
    dicts with ``item`` (an item of the published version), ``result``, ``note`` and an optional
    ``photo`` (checked by content). Open findings of earlier checks are closed when this check
    finds their item carried out or no longer applicable; items not carried out reach the company
    as a notice."""
    results = list(results)
    for row in results:  # uploads are read before any row is locked
        if row.get("photo"):
            check_upload(row["photo"], allowed=IMAGE_KINDS)
    office = _require_inspector(station, by)
    errors = {}
    if checked_on is None:
        errors["checked_on"] = _("Give the date of the check.")
    elif checked_on > timezone.localdate():
        errors["checked_on"] = _("A check cannot be dated in the future.")
    version = published_version(station)
    if version is None:
        raise ValidationError(_("%(station)s has no published lists to check.") % {"station": station.name})
    items = {item.pk: item for item in version.items.all()}
    if not results:
        errors["results"] = _("Record the result of at least one item.")
    seen = set()
    for row in results:
        item = row.get("item")
        pk = getattr(item, "pk", item)
        if pk not in items:
            errors["results"] = _("An item checked is not in the station's published lists.")
        elif pk in seen:
            errors["results"] = _("“%(item)s” is recorded twice.") % {"item": items[pk].name}
        elif row.get("result") not in CheckResult.values:
            errors["results"] = _("Choose carried out, not carried out or not applicable for “%(item)s”.") % {
                "item": items[pk].name
            }
        elif row["result"] == CheckResult.NOT_DONE and not (row.get("note") or "").strip():
            errors["results"] = _("Say what is not carried out for “%(item)s”.") % {"item": items[pk].name}
        seen.add(pk)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Station.objects.select_for_update().filter(pk=station.pk).first()
        with audit.audit_context(actor=by):
            check = ChecklistCheck.objects.create(
                station=station,
                version=version,
                checked_on=checked_on,
                checked_by=by,
                office=office,
                summary=(summary or "").strip(),
            )
        findings = CheckFinding.objects.bulk_create(
            [
                CheckFinding(
                    check_record=check,
                    item=items[getattr(row["item"], "pk", row["item"])],
                    result=row["result"],
                    note=(row.get("note") or "").strip()[:500],
                    photo=row.get("photo") or "",
                )
                for row in results
            ]
        )
        settled = {item_key(f.item) for f in findings if f.result != CheckResult.NOT_DONE}
        closed = [
            finding.pk
            for finding in CheckFinding.objects.open()
            .filter(check_record__station=station)
            .select_related("item")
            if finding.check_record_id != check.pk and item_key(finding.item) in settled
        ]
        CheckFinding.objects.filter(pk__in=closed).update(closed_by=check)
        failing = [f for f in findings if f.result == CheckResult.NOT_DONE]
        audit.record(
            check,
            "checked",
            note=_("%(count)d items checked, %(failing)d not carried out, %(closed)d earlier findings closed")
            % {"count": len(findings), "failing": len(failing), "closed": len(closed)},
            actor=by,
        )
        if failing:  # in the transaction: the notice stands or falls with the check
            notices.notify(
                _members(station.operator),
                title=official(
                    gettext_lazy("Supervision check of %(station)s: %(count)d items not carried out"),
                    station=station.name,
                    count=len(failing),
                ),
                body="\n".join(f"· {f.item.get_kind_display()}：{f.item.name} — {f.note}" for f in failing),
                link=reverse("checklists:check", args=[check.pk]),
            )
    return check

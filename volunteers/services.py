"""Volunteer teams and activities, and the append-only points ledger: hours earn points by
the organisation's rule, points buy goods, a correction is a reversing entry (001)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, F, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from staff.models import StaffMember, StaffStatus
from staff.services import require_employer

from .models import (
    EntryKind,
    PointsAccount,
    PointsEntry,
    PointsRule,
    Reward,
    VolunteerActivity,
    VolunteerHours,
    VolunteerTeam,
)


def save_team(instance: VolunteerTeam | None, *, by, members=None, **fields) -> VolunteerTeam:
    team = instance or VolunteerTeam()
    if instance is not None:
        require_employer(instance.organization, by)
    for name, value in fields.items():
        if name not in ("organization", "station", "community", "name", "leader", "founded_on"):
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(team, name, value)
    require_employer(team.organization, by)
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


RULE_FIELDS = ("organization", "effective_from", "points_per_hour", "max_hours_per_activity")


def save_points_rule(instance: PointsRule | None, *, by, **fields) -> PointsRule:
    """Set (or correct) an organisation's points rule from a date on; only the organisation's
    administrators and staff, or an officer of its region, may."""
    rule = instance or PointsRule()
    if instance is not None:
        require_employer(instance.organization, by)
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValidationError(_("Unknown field %(name)s.") % {"name": name})
        setattr(rule, name, value)
    require_employer(rule.organization, by)
    rule.full_clean()
    with audit.audit_context(actor=by):
        rule.save()
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
    require_employer(team.organization, by)
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
    require_employer(activity.team.organization, by)
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
    require_employer(organization, by)
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
    require_employer(volunteer.employer, by)
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


def reversal_refusal(entry: PointsEntry) -> str:
    """Why ``entry`` cannot be reversed (empty when it can): the ledger's rule, asked by the
    confirmation page before and by ``reverse_entry`` under the lock."""
    if entry.kind == EntryKind.REVERSAL:
        return _("A reversal cannot itself be reversed; write a new entry.")
    if PointsEntry.objects.filter(reverses=entry).exists():
        return _("This entry has already been reversed.")
    return ""


@dataclass
class ReversalPreview:
    """What reversing an entry will do, for the page that asks first."""

    entry: PointsEntry
    points: int
    balance_before: int
    balance_after: int
    goods_back: int
    refusal: str


def preview_reversal(entry: PointsEntry, *, by) -> ReversalPreview:
    require_employer(entry.account.volunteer.employer, by)
    balance = PointsAccount.objects.get(pk=entry.account_id).balance
    refusal = reversal_refusal(entry)
    if not refusal and balance - entry.points < 0:
        refusal = _("Not enough points: the balance is %(balance)d, %(needed)d are needed.") % {
            "balance": balance,
            "needed": entry.points,
        }
    goods_back = entry.quantity or 0 if entry.reward_id and entry.reward.stock is not None else 0
    return ReversalPreview(entry, -entry.points, balance, balance - entry.points, goods_back, refusal)


def reverse_entry(entry: PointsEntry, *, by, reason: str) -> PointsEntry:
    """Correct an entry by appending its opposite. An entry is reversed at most once, a
    reversal is never reversed, and earned points already spent cannot be taken back."""
    volunteer = entry.account.volunteer
    require_employer(volunteer.employer, by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    with transaction.atomic():
        account = _locked_account(volunteer)
        original = PointsEntry.objects.get(pk=entry.pk)
        problem = reversal_refusal(original)
        if problem:
            raise ValidationError(problem)
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
    """A volunteer's points for a period. ``earned`` and ``spent`` are net of their reversals
    (``earned_reversed`` points taken back from what was earned, ``spent_reversed`` given back
    for an exchange undone); each row carries ``booked_on`` and ``balance`` (after the row)."""

    volunteer: StaffMember
    start: dt.date
    end: dt.date
    opening: int
    entries: list
    closing: int
    earned: int
    spent: int
    hours: Decimal
    earned_reversed: int = 0
    spent_reversed: int = 0


def booked_on():
    """The day an entry counts for in a statement: points earned on the day of the activity,
    an exchange on the day it was entered, and a reversal on the day of the entry it corrects
    (so the corrected period tells the truth and no other period moves)."""
    return Coalesce(
        "hours__activity__held_on",
        "reverses__hours__activity__held_on",
        TruncDate(Coalesce("reverses__created_at", "created_at")),
        output_field=DateField(),
    )


def statement(volunteer: StaffMember, *, start: dt.date, end: dt.date) -> Statement:
    """A volunteer's points statement for a period (``booked_on``): opening balance, the rows
    in the order of their days, what was earned and spent net of reversals, closing balance."""
    entries = PointsEntry.objects.filter(account__volunteer=volunteer).annotate(
        booked_on=booked_on(), corrects=F("reverses__kind")
    )
    opening = entries.filter(booked_on__lt=start).aggregate(total=Sum("points"))["total"] or 0
    rows = list(
        entries.filter(booked_on__gte=start, booked_on__lte=end)
        .select_related("reward", "hours__activity", "reverses", "created_by")
        .order_by("booked_on", "created_at", "id")
    )
    balance = opening
    totals = {EntryKind.EARN: 0, EntryKind.SPEND: 0}
    reversed_ = {EntryKind.EARN: 0, EntryKind.SPEND: 0}
    for row in rows:
        balance += row.points
        row.balance = balance
        if row.kind == EntryKind.REVERSAL:
            reversed_[row.corrects] += row.points
        else:
            totals[row.kind] += row.points
    hours = VolunteerHours.objects.filter(
        volunteer=volunteer, activity__held_on__gte=start, activity__held_on__lte=end
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return Statement(
        volunteer,
        start,
        end,
        opening,
        rows,
        balance,
        earned=totals[EntryKind.EARN] + reversed_[EntryKind.EARN],
        spent=-(totals[EntryKind.SPEND] + reversed_[EntryKind.SPEND]),
        hours=hours,
        earned_reversed=-reversed_[EntryKind.EARN],
        spent_reversed=reversed_[EntryKind.SPEND],
    )

"""Volunteer teams, their activities and hours, and the append-only points ledger with the
goods volunteers exchange their points for (001, 互助式养老)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import AuditedModel
from accounts.scoping import ScopedQuerySet
from staff.models import StaffMember


class VolunteerTeamQuerySet(ScopedQuerySet):
    region_path = "community"
    organization_path = "organization"


class VolunteerTeam(AuditedModel):
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_teams",
    )
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("street or community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        StaffMember,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        StaffMember, verbose_name=_("members"), blank=True, related_name="volunteer_teams"
    )
    founded_on = models.DateField(_("founded on"), default=timezone.localdate)

    objects = VolunteerTeamQuerySet.as_manager()

    class Meta:
        db_table = "staff_volunteerteam"  # the table kept its name from staff
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["community__code", "name"]

    def __str__(self):
        return self.name


class ActivityCategory(models.TextChoices):
    CARE_VISIT = "care_visit", _("Care visit (寻访关爱)")
    COMPANIONSHIP = "companionship", _("Companionship")
    ERRANDS = "errands", _("Errands")
    MUTUAL_HELP = "mutual_help", _("Neighbour help (邻里互助)")
    PUBLICITY = "publicity", _("Publicity")
    OTHER = "other", _("Other")


class TeamChildQuerySet(ScopedQuerySet):
    region_path = "team__community"
    organization_path = "team__organization"


class VolunteerActivity(AuditedModel):
    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities"
    )
    held_on = models.DateField(_("date"), db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=ActivityCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    objects = TeamChildQuerySet.as_manager()

    class Meta:
        db_table = "staff_volunteeractivity"  # the table kept its name from staff
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class VolunteerHoursQuerySet(ScopedQuerySet):
    region_path = "activity__team__community"
    organization_path = "activity__team__organization"


class VolunteerHours(models.Model):
    """Hours one volunteer gave in one activity; the points they earned are a ledger entry."""

    activity = models.ForeignKey(
        VolunteerActivity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="hours"
    )
    volunteer = models.ForeignKey(
        StaffMember, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="volunteer_hours"
    )
    hours = models.DecimalField(
        pgettext_lazy("volunteer", "hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(24)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = VolunteerHoursQuerySet.as_manager()

    class Meta:
        db_table = "staff_volunteerhours"  # the table kept its name from staff
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="one_hours_entry_per_activity")
        ]

    def __str__(self):
        return f"{self.volunteer} {self.hours} h · {self.activity}"


class OrganizationChildQuerySet(ScopedQuerySet):
    region_path = "organization__region"
    organization_path = "organization"


class PointsRule(AuditedModel):
    """How many points an hour of volunteering earns for an organisation's volunteers, from a
    date on; the rule in force on the activity's date applies (001: 志愿服务积分)."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    effective_from = models.DateField(_("in force from"))
    points_per_hour = models.PositiveIntegerField(_("points per hour"), default=10)
    max_hours_per_activity = models.DecimalField(
        _("hours counted per activity at most"), max_digits=4, decimal_places=1, default=8
    )

    objects = OrganizationChildQuerySet.as_manager()

    class Meta:
        db_table = "staff_pointsrule"  # the table kept its name from staff
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["organization", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "effective_from"], name="one_rule_per_date")
        ]

    def __str__(self):
        return _("%(points)s points per hour from %(date)s") % {
            "points": self.points_per_hour,
            "date": self.effective_from,
        }


class Reward(AuditedModel):
    """Goods volunteers may take for their points (生活用品)."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("goods"), max_length=100)
    points = models.PositiveIntegerField(_("points each"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(
        _("in stock"), null=True, blank=True, help_text=_("Leave empty when stock is not counted.")
    )
    is_active = models.BooleanField(_("available"), default=True)

    objects = OrganizationChildQuerySet.as_manager()

    class Meta:
        db_table = "staff_reward"  # the table kept its name from staff
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["organization", "points", "name"]

    def __str__(self):
        return f"{self.name}（{self.points} 分）"


class PointsAccountQuerySet(ScopedQuerySet):
    region_path = "volunteer__region"
    organization_path = "volunteer__employer"


class PointsAccount(models.Model):
    """One per volunteer: the balance, kept with every entry; the row is locked while an entry
    is written so that concurrent spending cannot overdraw it."""

    volunteer = models.OneToOneField(
        StaffMember, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="points_account"
    )
    balance = models.IntegerField(_("balance"), default=0)

    objects = PointsAccountQuerySet.as_manager()

    class Meta:
        db_table = "staff_pointsaccount"  # the table kept its name from staff
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative")
        ]

    def __str__(self):
        return f"{self.volunteer}: {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    SPEND = "spend", _("Spent")
    REVERSAL = "reversal", _("Reversal")


class AppendOnlyQuerySet(ScopedQuerySet):
    region_path = "account__volunteer__region"
    organization_path = "account__volunteer__employer"

    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries cannot be changed; write a reversing entry."))

    def delete(self):
        raise ValidationError(_("Ledger entries cannot be deleted; write a reversing entry."))


class PointsEntry(models.Model):
    """The append-only points ledger: entries are never changed or deleted (PostgreSQL refuses
    it with a trigger too); a correction is a reversing entry."""

    account = models.ForeignKey(
        PointsAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    points = models.IntegerField(_("points"), help_text=_("Positive when earned, negative when spent."))
    balance_after = models.IntegerField(_("balance after"))
    hours = models.OneToOneField(
        VolunteerHours,
        verbose_name=_("volunteer hours"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entry",
    )
    reward = models.ForeignKey(
        Reward, verbose_name=_("goods"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "staff_pointsentry"  # the table kept its name from staff
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["account", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="earn", points__gt=0) | Q(kind="spend", points__lt=0) | Q(kind="reversal")),
                name="points_entry_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d} → {self.balance_after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Ledger entries cannot be changed; write a reversing entry."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted; write a reversing entry."))

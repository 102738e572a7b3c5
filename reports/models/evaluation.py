"""Scheduled evaluations: a scheme per region (a district or a city), its versions, the monthly
runs, a scorecard per station and per pilot, and the findings addressed to the responsible
organisation.

A scheme is never edited in place: each change makes a new :class:`SchemeVersion` (its
indicators, weights and thresholds), and a run keeps the version it used, so last month's
scorecards read the same after the scheme changes. Which scheme evaluates a station or a pilot:
the scheme of its district, else the scheme of its city (a street inherits its district's)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import AuditedModel
from accounts.scoping import ScopedQuerySet
from reports.evaluation.catalogue import AT_LEAST, AT_MOST, CATALOGUE, choices


class Direction(models.TextChoices):
    AT_LEAST = AT_LEAST, _("at least")
    AT_MOST = AT_MOST, _("at most")


class SubjectKind(models.TextChoices):
    STATION = "station", _("Station")
    PILOT = "pilot", _("Pilot")


class SchemeQuerySet(ScopedQuerySet):
    """Government users see the schemes of their region and those above it (a street office
    reads its district's scheme); only a bureau of the scheme's region may change it."""

    region_path = "region"

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:
            above = {
                code[:length] for code in scope.region_codes(edit) for length in (4, 6) if len(code) > length
            }
            if above:
                part = Q(**{f"{self.region_path}__code__in": above})
                condition = part if condition is None else condition | part
        return condition

    def applicable(self):
        return self.filter(is_active=True)


class EvaluationScheme(AuditedModel):
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A district or a city; its streets inherit the scheme."),
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    current = models.ForeignKey(
        "SchemeVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["region__code"]
        constraints = [models.UniqueConstraint(fields=["region"], name="one_evaluation_scheme_per_region")]

    def __str__(self):
        return self.name


class SchemeChildQuerySet(SchemeQuerySet):
    region_path = "scheme__region"


class SchemeVersion(models.Model):
    """One version of a scheme's indicators: written once, never changed."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SchemeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["scheme", "-number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="one_scheme_version_number")]

    def __str__(self):
        return f"{self.scheme} v{self.number}"


class SchemeIndicator(models.Model):
    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("scheme version"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("indicator"), max_length=40, choices=choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["version", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="one_indicator_per_version")]

    def __str__(self):
        return str(self.label)

    @property
    def indicator(self):
        return CATALOGUE.get(self.code)

    @property
    def label(self):
        indicator = self.indicator
        return indicator.label if indicator else self.code

    @property
    def threshold_text(self) -> str:
        """The threshold with its sign and unit (“≥ 1 次”, “≤ 15 分钟”)."""
        indicator = self.indicator
        return (
            indicator.format_threshold(self.threshold, self.direction) if indicator else str(self.threshold)
        )


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class EvaluationRun(models.Model):
    """The run of one scheme for one month; re-running the month updates it (and its scorecards)
    in place."""

    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    version = models.ForeignKey(
        SchemeVersion, verbose_name=_("scheme version used"), on_delete=models.PROTECT, related_name="runs"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month evaluated."))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scorecards_count = models.PositiveIntegerField(_("scorecards"), default=0)
    findings_opened = models.PositiveIntegerField(_("findings opened"), default=0)
    findings_closed = models.PositiveIntegerField(_("findings closed"), default=0)

    objects = SchemeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-month", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "month"], name="one_evaluation_run_per_month")
        ]

    def __str__(self):
        return f"{self.scheme} {self.month:%Y-%m}"


class SubjectQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "organization"


class Scorecard(models.Model):
    """A station's or a pilot's result for a month: the total score, its ranks, and per
    indicator (``lines``) the raw figure, the score, the weight and whether it met the threshold.
    One per run and subject: a re-run of the month updates the row, so its id (and every link
    to it) stays the same; ``evaluated_at`` is the start of the run that wrote it last."""

    run = models.ForeignKey(
        EvaluationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="scorecards"
    )
    month = models.DateField(_("month"), db_index=True)
    kind = models.CharField(_("evaluated"), max_length=8, choices=SubjectKind.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scorecards",
    )
    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scorecards",
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "regions.Region",
        verbose_name=_("street or town"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "regions.Region", verbose_name=_("district"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True)
    rank_in_street = models.PositiveIntegerField(pgettext_lazy("ranking", "rank in street"), null=True)
    rank_in_district = models.PositiveIntegerField(pgettext_lazy("ranking", "rank in district"), null=True)
    indicators_failed = models.PositiveSmallIntegerField(_("indicators below threshold"), default=0)
    lines = models.JSONField(_("indicators"), default=list)
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-month", "district__code", "rank_in_district", "id"]
        indexes = [models.Index(fields=["month", "kind", "street"], name="scorecard_month_street")]
        # NULLs are distinct: a pilot's card (no station) never meets a station's, and the other
        # way round. A re-run writes through these (INSERT … ON CONFLICT … DO UPDATE).
        constraints = [
            models.UniqueConstraint(fields=["run", "station"], name="one_scorecard_per_run_station"),
            models.UniqueConstraint(fields=["run", "pilot"], name="one_scorecard_per_run_pilot"),
        ]

    def __str__(self):
        return f"{self.name} {self.month:%Y-%m}"


class FindingState(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding", "Open")
    CLOSED = "closed", pgettext_lazy("finding", "Closed")


class FindingQuerySet(SubjectQuerySet):
    def open(self):
        return self.filter(state=FindingState.OPEN)

    def open_for(self, user):
        """The open findings ``user`` answers for: a bureau's or street office's region (those it
        may edit), a company's own stations and pilots. For the to-do page."""
        return self.editable_by(user).open()


class Finding(models.Model):
    """An indicator under its threshold for a station or a pilot, open until a later run meets the
    threshold. One open finding per subject and indicator: re-runs update it."""

    kind = models.CharField(_("evaluated"), max_length=8, choices=SubjectKind.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_findings",
    )
    pilot = models.ForeignKey(
        "pilots.Pilot",
        verbose_name=_("pilot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_findings",
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheme = models.ForeignKey(
        EvaluationScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="findings"
    )
    code = models.CharField(_("indicator"), max_length=40, choices=choices)
    raw = models.DecimalField(_("figure when found"), max_digits=12, decimal_places=2, null=True)
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    opened_month = models.DateField(_("found in"))
    last_month = models.DateField(_("last seen in"))
    closed_month = models.DateField(_("met again in"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=FindingState.choices, default=FindingState.OPEN, db_index=True
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation finding")
        verbose_name_plural = _("evaluation findings")
        ordering = ["state", "-opened_month", "name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "code"],
                condition=Q(state="open", station__isnull=False),
                name="one_open_station_finding",
            ),
            models.UniqueConstraint(
                fields=["pilot", "code"],
                condition=Q(state="open", pilot__isnull=False),
                name="one_open_pilot_finding",
            ),
        ]

    def __str__(self):
        return _("%(name)s: %(indicator)s") % {"name": self.name, "indicator": self.label}

    @property
    def label(self):
        indicator = CATALOGUE.get(self.code)
        return indicator.label if indicator else self.code

    @property
    def unit(self):
        indicator = CATALOGUE.get(self.code)
        return indicator.unit if indicator else ""

    @property
    def figure_text(self) -> str:
        """The figure when found with its unit (“0 次”, “85.7%”)."""
        indicator = CATALOGUE.get(self.code)
        return indicator.format(self.raw) if indicator else str(self.raw)

    @property
    def threshold_text(self) -> str:
        """The threshold with its sign and unit (“≥ 1 次”, “≤ 15 分钟”)."""
        indicator = CATALOGUE.get(self.code)
        return (
            indicator.format_threshold(self.threshold, self.direction) if indicator else str(self.threshold)
        )


class CommentQuerySet(ScopedQuerySet):
    region_path = "finding__region"
    organization_path = "finding__organization"


class FindingComment(models.Model):
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding comment")
        verbose_name_plural = _("finding comments")
        ordering = ["finding", "created_at", "id"]

    def __str__(self):
        return self.text[:50]

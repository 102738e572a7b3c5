"""Pilot programmes (calls), applications with their two-stage review, and pilots.

001 (中山): a call for applications — submission by 4/20, review and published list by 4/25,
implementation 4/26–9/30, summary 10/1–12/10, 2–3 pilots of each type.
000 (长宁): a programme whose pilots the bureau designates directly, with preparation,
implementation and summary phases and their milestones.
"""

import re

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditedModel
from accounts.scoping import ScopedQuerySet


class PilotType(models.TextChoices):
    PROPERTY_PLUS_CARE = "property_care", _("Property-plus-care pilot")
    MUTUAL_AID = "mutual_aid", _("Mutual-aid pilot")


class Mode(models.TextChoices):
    CALL = "call", _("Call for applications")
    DESIGNATED = "designated", _("Pilots designated by the bureau")


class PhaseKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    REVIEW = "review", _("Review")
    PREPARATION = "preparation", _("Preparation")
    IMPLEMENTATION = "implementation", _("Implementation")
    SUMMARY = "summary", _("Summary")


class PublicationState(models.TextChoices):
    """A programme's publication, read from the dates that record it (``publication_state``)."""

    PREPARED = "prepared", _("Being prepared")
    ANNOUNCED = "announced", _("Announced")
    LIST_PUBLISHED = "list_published", _("Pilot list published")
    LIST_WITHDRAWN = "list_withdrawn", _("Pilot list withdrawn")


class ProgrammeQuerySet(ScopedQuerySet):
    region_path = "region"
    organization_path = "issuers"

    def published(self):
        return self.exclude(announced_at=None)

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if edit:
            # Only the issuing bureaus change a programme, not every officer of the region.
            return (
                Q(issuers__in=scope.organization_ids(edit=True))
                if scope.organization_ids(edit=True)
                else None
            )
        # Applicants see every announced call, wherever they are; officers their region's.
        announced = Q(announced_at__isnull=False)
        return announced if condition is None else condition | announced

    def visible_to(self, user):
        return super().visible_to(user).distinct()

    def editable_by(self, user):
        return super().editable_by(user).distinct()


class Programme(AuditedModel):
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(
        _("document number"), max_length=60, blank=True, help_text=_("文号, e.g. 长民〔2025〕6号")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.CALL)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="programmes"
    )
    issuers = models.ManyToManyField(
        "accounts.Organization", verbose_name=_("issuing organisations"), related_name="issued_programmes"
    )
    description = models.TextField(_("description"), blank=True)
    announced_at = models.DateTimeField(
        _("announced at"),
        null=True,
        blank=True,
        help_text=_("When the call was made public; empty while it is prepared."),
    )
    list_published_at = models.DateTimeField(_("pilot list published at"), null=True, blank=True)
    list_withdrawn_at = models.DateTimeField(
        _("pilot list withdrawn at"),
        null=True,
        blank=True,
        help_text=_("When the bureau last withdrew a published pilot list."),
    )
    list_withdrawal_reason = models.TextField(_("reason for withdrawing the pilot list"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pilot programme")
        verbose_name_plural = _("pilot programmes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title

    @property
    def pilot_list_title(self) -> str:
        """The published list's own title, as a bureau heads it: the programme's subject with
        名单 (长宁区“物业服务+养老服务”试点工作方案 → 长宁区“物业服务+养老服务”试点名单;
        关于开展居家社区养老服务改革试点工作的通知 → 居家社区养老服务改革试点名单); a trailing
        bracketed remark is kept at the end."""
        title, remark = self.title.strip(), ""
        if match := re.search(r"[（(][^（()）]*[)）]$", title):
            title, remark = title[: match.start()], match.group()
        title = re.sub(r"^关于", "", title)
        title = re.sub(r"(的)?(通知|公告|意见)$", "", title)
        title = re.sub(r"(工作|实施)?方案$", "", title)
        title = re.sub(r"(工作)?(征集|申报|遴选)?(工作)?$", "", title)
        title = re.sub(r"^(组织)?(开展|征集|申报|确定|公布)", "", title)
        if not title.endswith("试点"):
            title += "试点"
        return f"{title}名单{remark}"

    @property
    def publication_state(self) -> str:
        if self.list_published_at is not None:
            return PublicationState.LIST_PUBLISHED
        if self.list_withdrawn_at is not None:
            return PublicationState.LIST_WITHDRAWN
        if self.announced_at is not None:
            return PublicationState.ANNOUNCED
        return PublicationState.PREPARED

    def phase(self, kind):
        return next((p for p in self.phases.all() if p.kind == kind), None)

    @property
    def opinion_bureau(self):
        """The issuing bureau that gives the final opinion on the printed form (001 附件2's
        "市民政局意见"): the civil-affairs issuer, else the first issuer. Reads ``issuers`` as
        prefetched."""
        issuers = sorted(self.issuers.all(), key=lambda o: (o.kind != "civil_affairs", o.pk))
        return issuers[0] if issuers else None

    def application_window_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        phase = self.phase(PhaseKind.APPLICATION)
        return (
            self.mode == Mode.CALL
            and self.announced_at is not None
            and phase is not None
            and phase.starts_on <= today <= phase.ends_on
        )


class ProgrammeQuota(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    pilot_type = models.CharField(_("pilot type"), max_length=16, choices=PilotType.choices)
    quota = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        verbose_name = _("pilot type and quota")
        verbose_name_plural = _("pilot types and quotas")
        constraints = [
            models.UniqueConstraint(fields=["programme", "pilot_type"], name="quota_per_type_unique")
        ]

    def __str__(self):
        return f"{self.get_pilot_type_display()} × {self.quota}"


class Phase(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("Inclusive, Asia/Shanghai date."))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="phase_kind_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class Milestone(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    phase = models.CharField(_("phase"), max_length=16, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=200)
    due_on = models.DateField(_("due on"))
    evidence = models.CharField(_("what counts as evidence"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.name


def street_of(region):
    """The town/street (9-digit code) of a region: the region itself or the one above it."""
    while region is not None and len(region.code) > 9:
        region = region.parent
    return region if region is not None and len(region.code) == 9 else None


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting the street opinion")
    RETURNED = "returned", _("Returned for revision")
    RECOMMENDED = "recommended", _("Recommended by the street, awaiting the bureau")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended by the street")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


LIVE_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.RECOMMENDED,
    ApplicationStatus.APPROVED,
)


class ApplicationQuerySet(ScopedQuerySet):
    region_path = "site_region"
    organization_path = "organization"

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        # The issuing bureaus see every application to their programmes, wherever the site.
        issuers = Q(programme__issuers__in=scope.organization_ids(edit))
        if scope.organization_ids(edit):
            condition = issuers if condition is None else condition | issuers
        return condition

    def visible_to(self, user):
        return super().visible_to(user).distinct()

    def editable_by(self, user):
        return super().editable_by(user).distinct()


class Application(AuditedModel):
    """The application form of 001's 附件2."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("applicant unit"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    pilot_type = models.CharField(_("pilot type"), max_length=16, choices=PilotType.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    site_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("site (street or community)"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    site_address = models.CharField(_("site address"), max_length=200, blank=True)
    unit_introduction = models.TextField(_("unit introduction"), blank=True)
    project_lead = models.CharField(_("project lead"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    background = models.TextField(
        _("background"),
        blank=True,
        help_text=_("Local elderly people, prior work, culture, problems and needs."),
    )
    goals = models.TextField(_("goals and tasks"), blank=True)
    execution_plan = models.TextField(
        _("execution plan"), blank=True, help_text=_("Content, measures, steps and division of labour.")
    )
    guarantee_premises = models.TextField(_("premises"), blank=True)
    guarantee_resources = models.TextField(_("resources"), blank=True)
    guarantee_staff = models.TextField(_("staff"), blank=True)
    guarantee_funds = models.TextField(_("funds"), blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    audit_ignore = frozenset({"updated_at", "created_at"})

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at"]
        constraints = [
            # One live application per organisation, programme and type (001).
            models.UniqueConstraint(
                fields=["programme", "organization", "pilot_type"],
                condition=Q(status__in=["draft", "submitted", "returned", "recommended", "approved"]),
                name="one_live_application_per_type",
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_pilot_type_display()} · {self.programme.title}"

    @property
    def street(self):
        """The project's town/street: the site region itself or the street above a community."""
        return street_of(self.site_region)

    @property
    def is_editable_by_applicant(self) -> bool:
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)

    def standing_opinions(self) -> dict:
        """The opinion that stands at each stage (``Stage`` -> ``Opinion`` or None): the latest
        one given on the version now submitted. An opinion on an earlier version (a return the
        applicant has since answered by resubmitting) no longer stands; it stays in the history.
        Reads ``opinions`` as prefetched."""
        standing = dict.fromkeys(Stage.values)
        for opinion in sorted(self.opinions.all(), key=lambda o: (o.at, o.pk)):
            if opinion.version == self.version:
                standing[opinion.stage] = opinion
        return standing


class ApplicationVersion(models.Model):
    """What was submitted each time, frozen: the history stays visible after revisions."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    data = models.JSONField(_("submitted content"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_number_unique")
        ]

    def __str__(self):
        return f"v{self.number}"


class ThroughParentQuerySet(models.QuerySet):
    """Visible and editable exactly when the parent record is."""

    parent_field: str = ""
    parent_model: str = ""

    def _parent(self):
        return apps.get_model("pilots", self.parent_model).objects

    def visible_to(self, user):
        return self.filter(**{f"{self.parent_field}__in": self._parent().visible_to(user).values("pk")})

    def editable_by(self, user):
        return self.filter(**{f"{self.parent_field}__in": self._parent().editable_by(user).values("pk")})


class AttachmentQuerySet(ThroughParentQuerySet):
    parent_field, parent_model = "application", "Application"


def attachment_path(instance, filename):
    return f"applications/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class UploadedFile(models.Model):
    """What every uploaded file keeps beside the file itself: the name given, the type found in
    its content, its size, who uploaded it and when."""

    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("detected type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True


class Attachment(UploadedFile):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    STREET = "street", _("Street opinion")
    BUREAU = "bureau", _("Bureau opinion")


class Decision(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend")
    RETURN = "return", _("Return for revision")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


def opinion_scan_path(instance, filename):
    return f"applications/{instance.application_id}/opinions/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class OpinionQuerySet(ThroughParentQuerySet):
    parent_field, parent_model = "application", "Application"


class Opinion(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    text = models.TextField(_("opinion"), blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version reviewed"))
    scan = models.FileField(
        _("scan of the sealed form"), upload_to=opinion_scan_path, blank=True, max_length=300
    )
    quota_override_reason = models.TextField(_("reason for exceeding the quota"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_stage_display()}：{self.get_decision_display()}"


class PilotQuerySet(ScopedQuerySet):
    region_path = "site_region"
    organization_path = "organization"

    def published(self):
        return self.filter(programme__list_published_at__isnull=False)

    def scope_condition(self, user, scope, *, edit):
        condition = super().scope_condition(user, scope, edit=edit)
        if not edit:
            published = Q(programme__list_published_at__isnull=False)
            condition = published if condition is None else condition | published
        return condition

    def known_to(self, user):
        """The pilots ``user`` sees through their scope (the unit, the region's officers), the
        publication aside: what is not for the public (milestone evidence files)."""
        return self._scoped(
            user,
            edit=False,
            scope_condition=lambda u, s, edit: ScopedQuerySet.scope_condition(self, u, s, edit=edit),
        )


class Pilot(AuditedModel):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="pilots"
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("pilot unit"), on_delete=models.PROTECT, related_name="pilots"
    )
    pilot_type = models.CharField(_("pilot type"), max_length=16, choices=PilotType.choices)
    site_region = models.ForeignKey(
        "regions.Region", verbose_name=_("site"), on_delete=models.PROTECT, related_name="pilots"
    )
    site_address = models.CharField(_("site address"), max_length=200, blank=True)
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pilot",
    )
    is_demonstration = models.BooleanField(
        _("demonstration project"),
        default=False,
        help_text=_("Reported to the province as a demonstration project (002)."),
    )
    summary_report = models.TextField(_("summary report"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PilotQuerySet.as_manager()

    audit_ignore = frozenset({"created_at"})

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["programme", "site_region__code", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organization", "pilot_type"], name="one_pilot_per_type"
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_pilot_type_display()}"

    @property
    def street(self):
        return street_of(self.site_region)


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class PilotMilestoneQuerySet(ThroughParentQuerySet):
    parent_field, parent_model = "pilot", "Pilot"


class PilotMilestone(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    objects = PilotMilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("pilot milestone")
        verbose_name_plural = _("pilot milestones")
        ordering = ["milestone__due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["pilot", "milestone"], name="pilot_milestone_unique")]

    def __str__(self):
        return str(self.milestone)

    def is_overdue(self, today=None) -> bool:
        return self.status == MilestoneStatus.PENDING and self.milestone.due_on < (
            today or timezone.localdate()
        )


class ShowcaseCaseQuerySet(ThroughParentQuerySet):
    parent_field, parent_model = "pilot", "Pilot"


class ShowcaseCase(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    photo = models.FileField(_("photo"), upload_to="pilots/cases/", blank=True, max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ShowcaseCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("showcase case")
        verbose_name_plural = _("showcase cases")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


def evidence_path(instance, filename):
    return f"pilots/{instance.pilot_milestone.pilot_id}/evidence/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class MilestoneEvidenceQuerySet(models.QuerySet):
    """Evidence files are for the pilot unit and the officers over it, not for the public page
    of a published list."""

    def visible_to(self, user):
        return self.filter(pilot_milestone__pilot__in=Pilot.objects.known_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(pilot_milestone__pilot__in=Pilot.objects.editable_by(user).values("pk"))


class MilestoneEvidence(UploadedFile):
    """A file proving a milestone (photos, the posted opening hours, minutes), checked by content."""

    pilot_milestone = models.ForeignKey(PilotMilestone, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)

    objects = MilestoneEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone evidence file")
        verbose_name_plural = _("milestone evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

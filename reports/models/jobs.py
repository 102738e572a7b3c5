"""Background exports: one row per export asked for (reports.jobs runs it).

The model refers to the user only through ``settings.AUTH_USER_MODEL``; what is exported is kept
as data (the export's key, the pickled query, the workbook's parameters), so this module imports
no app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportJobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export job", "Queued")
    RUNNING = "running", pgettext_lazy("export job", "Running")
    DONE = "done", pgettext_lazy("export job", "Done")
    FAILED = "failed", pgettext_lazy("export job", "Failed")


class ExportJobKind(models.TextChoices):
    LIST = "list", _("List export")
    WORKBOOK = "workbook", _("Statistics workbook")


class ExportJobChannel(models.TextChoices):
    ADMIN = "admin", _("Administration")
    API = "api", _("API")
    PORTAL = "portal", _("Portal")


class ExportJobQuerySet(models.QuerySet):
    def of(self, user):
        """The jobs ``user`` asked for: nobody sees or downloads another person's export."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    # The scoping path's names: a job is seen by the person who asked for it, and nobody changes it.
    def visible_to(self, user):
        return self.of(user)

    def editable_by(self, user):
        return self.none()


class ExportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("asked by"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ExportJobKind.choices, default=ExportJobKind.LIST
    )
    channel = models.CharField(
        _("asked from"), max_length=10, choices=ExportJobChannel.choices, default=ExportJobChannel.PORTAL
    )
    key = models.CharField(_("export"), max_length=100, help_text=_("The export's or the workbook's key."))
    label = models.CharField(_("what"), max_length=200)
    # The choices as the person read them, as [name, value] pairs in the form's order (a JSON
    # object would lose it: PostgreSQL's jsonb sorts its keys); rows written before are objects.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The list's query, already scoped and filtered when it was asked for (pickle of QuerySet.query
    # with the iterable and prefetches), and the label of its model; empty for a workbook.
    query = models.BinaryField(_("query"), null=True, blank=True, editable=False)
    model_label = models.CharField(_("model"), max_length=100, blank=True)
    # The scope the rows were chosen under (regions, organisations, superuser, admin access):
    # the job fails when the user no longer holds it when it runs.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ExportJobState.choices,
        default=ExportJobState.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_total = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    run_token = models.CharField(max_length=32, blank=True, editable=False)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="reports_exportjob_user_idx")]

    def __str__(self):
        return f"{self.label} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("reports:export-jobs") + f"#job-{self.pk}"

    @property
    def filter_items(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs, in the order the person chose them."""
        if isinstance(self.filters, dict):
            return list(self.filters.items())
        return [(name, value) for name, value in self.filters or ()]

    @property
    def finished(self) -> bool:
        return self.state in (ExportJobState.DONE, ExportJobState.FAILED)

    @property
    def downloadable(self) -> bool:
        return self.state == ExportJobState.DONE and bool(self.file)

    def get_download_url(self):
        return reverse("reports:export-job-download", args=[self.pk])

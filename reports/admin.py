"""The evaluations in the admin. A scheme is written only through ``save_scheme`` (its form
shows the service's refusal — weights not adding to 100 — beside the indicators); versions,
runs, scorecards and findings are read here; a run is made again by its action, through
``run_evaluation``. The monthly schedule itself is a django-celery-beat periodic task."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.admin_scoping import ScopedModelAdmin
from core.admin_actions import add_refusal, dry_run_refusal, messages_of
from reports.exporting import ExcelExportAdminMixin

from .evaluation import exports, services
from .evaluation.catalogue import CATALOGUE, INDICATORS
from .evaluation.forms import chosen, current_initial, indicator_fields
from .models import (
    Direction,
    EvaluationRun,
    EvaluationScheme,
    ExportJob,
    Finding,
    FindingComment,
    ReminderSent,
    SchemeIndicator,
    SchemeVersion,
    Scorecard,
)


class _SchemeFormBase(forms.ModelForm):
    note = forms.CharField(label=_("what changed"), max_length=300, required=False)
    request_user = None

    class Meta:
        model = EvaluationScheme
        fields = ["region", "name", "is_active"]

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        kwargs["initial"] = {**current_initial(instance), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        stored = EvaluationScheme.objects.get(pk=self.instance.pk) if self.instance.pk else None
        refusal = dry_run_refusal(lambda: self.save_through_service(stored, self.request_user))
        if refusal is not None:
            first_weight = next((f"weight_{item['code']}" for item in chosen(data)), None)
            if hasattr(refusal, "error_dict") and "indicators" in refusal.error_dict:
                for error in refusal.error_dict.pop("indicators"):
                    self.add_error(first_weight, error)
            if not hasattr(refusal, "error_dict") or refusal.error_dict:
                add_refusal(self, refusal)
        return data

    def save_through_service(self, stored, user):
        data = self.cleaned_data
        return services.save_scheme(
            stored,
            by=user,
            region=data.get("region"),
            name=data.get("name", ""),
            is_active=data.get("is_active", True),
            note=data.get("note", ""),
            indicators=chosen(data),
        )


SchemeAdminForm = type("SchemeAdminForm", (_SchemeFormBase,), indicator_fields())


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    fields = ["code", "weight", "direction", "threshold"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(ScopedModelAdmin):
    service = "reports.evaluation.services.save_scheme"
    form = SchemeAdminForm
    list_display = ["name", "region", "current", "is_active"]
    list_select_related = ["region", "current"]
    actions = ["run_last_month"]

    def get_fieldsets(self, request, obj=None):
        main = ["name", "is_active", "note"] if obj is not None else ["region", "name", "is_active", "note"]
        return [
            (None, {"fields": main}),
            *(
                (
                    indicator.label,
                    {
                        "fields": [
                            (
                                f"use_{indicator.code}",
                                f"weight_{indicator.code}",
                                f"direction_{indicator.code}",
                                f"threshold_{indicator.code}",
                            )
                        ],
                        "description": indicator.definition,
                    },
                )
                for indicator in INDICATORS
            ),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.save_scheme(
            EvaluationScheme.objects.get(pk=obj.pk) if change else None,
            by=request.user,
            region=data.get("region"),
            name=data["name"],
            is_active=data.get("is_active", True),
            note=data.get("note", ""),
            indicators=chosen(data),
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the indicators are the version's, written by the service

    def has_delete_permission(self, request, obj=None):
        return False  # runs and findings keep their scheme

    @admin.action(description=_("Evaluate last month now with the selected schemes"), permissions=["change"])
    def run_last_month(self, request, queryset):
        month = services.last_month()
        for scheme in queryset:
            try:
                run = services.run_evaluation(scheme, month, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{scheme}: {'；'.join(messages_of(exc))}", messages.ERROR)
            else:
                self.message_user(request, f"{scheme}: {services.run_summary(run)}")


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchemeVersion)
class SchemeVersionAdmin(_ReadOnly, ScopedModelAdmin):
    list_display = ["scheme", "number", "note", "created_by", "created_at"]
    list_select_related = ["scheme", "created_by"]
    fields = ["scheme", "number", "note", "created_by", "created_at"]
    readonly_fields = fields
    inlines = [SchemeIndicatorInline]


@admin.register(EvaluationRun)
class EvaluationRunAdmin(_ReadOnly, ScopedModelAdmin):
    list_display = [
        "month",
        "scheme",
        "version",
        "scorecards_count",
        "findings_opened",
        "findings_closed",
        "finished_at",
    ]
    list_select_related = ["scheme", "version"]
    date_hierarchy = "month"
    actions = ["run_again"]

    @admin.action(description=_("Evaluate the selected months again (replaces their scorecards)"))
    def run_again(self, request, queryset):
        for run in queryset.select_related("scheme"):
            try:
                services.run_evaluation(run.scheme, run.month, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{run}: {'；'.join(messages_of(exc))}", messages.ERROR)
            else:
                self.message_user(request, _("%(run)s evaluated again.") % {"run": run})


@admin.register(Scorecard)
class ScorecardAdmin(_ReadOnly, ExcelExportAdminMixin, ScopedModelAdmin):
    export_definition = exports.SCORECARDS
    fields = [
        "run",
        "month",
        "kind",
        "station",
        "pilot",
        "name",
        "region",
        "street",
        "district",
        "organization",
        "score",
        "rank_in_street",
        "rank_in_district",
        "indicators_failed",
        "indicator_lines",
        "evaluated_at",
    ]
    readonly_fields = ["indicator_lines"]
    list_display = [
        "month",
        "name",
        "kind",
        "street",
        "score",
        "rank_in_street",
        "rank_in_district",
        "indicators_failed",
    ]
    list_filter = ["kind", "month"]
    list_select_related = ["street"]
    search_fields = ["name"]
    show_full_result_count = False

    @admin.display(description=_("indicators"))
    def indicator_lines(self, card):
        """Per indicator: its label, the raw figure with its unit, the threshold, the weight, the
        score and the result, as on the portal's scorecard (not the stored JSON)."""
        results = {True: _("met"), False: _("below"), None: _("not counted")}
        rows = []
        for line in card.lines:
            indicator = CATALOGUE.get(line["code"])
            if line["raw"] is None:
                raw = _("no figure this month")
            else:
                raw = indicator.format(line["raw"]) if indicator else _number(line["raw"])
            sign = "≤" if line["direction"] == Direction.AT_MOST else "≥"
            threshold = (
                indicator.format_threshold(line["threshold"], line["direction"])
                if indicator
                else f"{sign} {_number(line['threshold'])}"
            )
            rows.append(
                (
                    indicator.label if indicator else line["code"],
                    raw,
                    threshold,
                    line["weight"],
                    "—" if line["score"] is None else _number(line["score"]),
                    results[line["met"]],
                )
            )
        head = format_html_join(
            "",
            "<th>{}</th>",
            (
                (h,)
                for h in (
                    _("indicator"),
                    _("figure"),
                    _("threshold"),
                    _("weight"),
                    _("score"),
                    pgettext_lazy("evaluation", "result"),
                )
            ),
        )
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _number(value) -> str:
    """A stored figure without its trailing zeros (1.00 → 1, 85.70 → 85.7)."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


class CommentInline(_ReadOnly, admin.TabularInline):
    model = FindingComment
    fields = ["author", "text", "created_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Finding)
class FindingAdmin(_ReadOnly, ExcelExportAdminMixin, ScopedModelAdmin):
    """Findings are opened and closed by the runs; comments are added in the portal or the API
    (``services.add_comment``)."""

    export_definition = exports.FINDINGS
    list_display = [
        "name",
        "code",
        "figure",
        "threshold_shown",
        "organization",
        "opened_month",
        "last_month",
        "state",
    ]
    list_filter = ["state", "kind", "code"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    show_full_result_count = False
    inlines = [CommentInline]
    fields = [
        "kind",
        "station",
        "pilot",
        "name",
        "region",
        "organization",
        "scheme",
        "code",
        "figure",
        "threshold_shown",
        "opened_month",
        "last_month",
        "closed_month",
        "state",
    ]
    readonly_fields = ["figure", "threshold_shown"]

    @admin.display(description=_("figure when found"), ordering="raw")
    def figure(self, finding):
        return finding.figure_text

    @admin.display(description=_("threshold"), ordering="threshold")
    def threshold_shown(self, finding):
        return finding.threshold_text


@admin.register(ExportJob)
class ExportJobAdmin(_ReadOnly, ScopedModelAdmin):
    """A person's background exports, read only: written by the workers (``reports.jobs``) and
    downloaded from 我的导出. Everyone sees only the jobs they asked for (``visible_to``), a
    superuser too: the rows and the filters are the asker's."""

    list_display = ["label", "kind", "channel", "state", "progress_shown", "created_at", "finished_at"]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["label"]
    date_hierarchy = "created_at"
    list_select_related = []
    show_full_result_count = False
    fields = [
        "label",
        "kind",
        "channel",
        "filters_shown",
        "state",
        "progress_shown",
        "error",
        "download",
        "created_at",
        "enqueued_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
        "attempts",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("query")

    # Anyone who reaches the admin may read their own exports, whatever their role group holds.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    @admin.display(description=_("progress"))
    def progress_shown(self, job):
        if job.rows_total is None:
            return f"{job.progress}% · {job.rows_written}"
        return f"{job.progress}% · {job.rows_written} / {job.rows_total}"

    @admin.display(description=_("filters"))
    def filters_shown(self, job):
        return "；".join(f"{name} = {value}" for name, value in job.filter_items) or "—"

    @admin.display(description=_("file"))
    def download(self, job):
        if not job.downloadable:
            return "—"
        return format_html('<a href="{}">{}</a>', job.get_download_url(), _("Download"))


@admin.register(ReminderSent)
class ReminderSentAdmin(_ReadOnly, ScopedModelAdmin):
    """The log of the daily reminders (``reports.reminders``), read only; the platform
    administrator's alone (``ReminderSent.objects.visible_to``)."""

    list_display = ["kind", "object_id", "due_on", "sent_at", "recipients"]
    list_filter = ["kind", "due_on"]
    date_hierarchy = "sent_at"
    list_select_related = []
    show_full_result_count = False
    fields = list_display
    readonly_fields = fields

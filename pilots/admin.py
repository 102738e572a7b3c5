from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from core.admin_actions import dry_run_refusal, workflow_action
from core.pdf import print_links
from reports.exporting import ExcelExportAdminMixin

from . import exports, services
from .models import (
    Application,
    Attachment,
    Milestone,
    MilestoneStatus,
    Opinion,
    Phase,
    Pilot,
    PilotMilestone,
    Programme,
    ProgrammeQuota,
    ShowcaseCase,
)


class QuotaInline(ScopedTabularInline):
    model = ProgrammeQuota
    service = None  # part of the call the bureau prepares in this form
    extra = 0


class PhaseInline(ScopedTabularInline):
    model = Phase
    service = None  # part of the call the bureau prepares in this form
    extra = 0


class MilestoneInline(ScopedTabularInline):
    model = Milestone
    service = None  # part of the call the bureau prepares in this form
    extra = 0


class ProgrammeAdminForm(forms.ModelForm):
    """A programme lies within the officer's region and is issued by the officer's bureau."""

    class Meta:
        model = Programme
        fields = [
            "title",
            "document_number",
            "mode",
            "region",
            "issuers",
            "description",
        ]

    def clean(self):
        data = super().clean()
        problems = services.programme_problems(
            by=self.request_user, region=data.get("region"), issuers=data.get("issuers")
        )
        for field, problem in problems.items():
            self.add_error(field, problem)
        return data


@admin.register(Programme)
class ProgrammeAdmin(ScopedModelAdmin):
    """The call is prepared here; announcing it and publishing its pilot list are actions that ask
    first, since neither can be undone."""

    service = (
        "pilots.services.save_programme",
        "pilots.services.announce",
        "pilots.services.publish_pilot_list",
    )
    form = ProgrammeAdminForm
    readonly_fields = [
        "announced_at",
        "list_published_at",
        "list_withdrawn_at",
        "list_withdrawal_reason",
        "pilot_list_print",
    ]
    list_display = ["title", "document_number", "mode", "region", "announced_at", "list_published_at"]
    list_filter = ["mode"]
    search_fields = ["title", "document_number"]
    autocomplete_fields = ["region", "issuers"]
    inlines = [QuotaInline, PhaseInline, MilestoneInline]
    actions = ["announce", "publish_list"]
    list_select_related = ["region"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    @admin.display(description=_("pilot list (print)"))
    def pilot_list_print(self, obj):
        if obj is None or obj.list_published_at is None:
            return "—"
        return print_links(obj, "pilots:programme-pilots-print", "pilots:programme-pilots-pdf")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.save_programme(
            Programme.objects.get(pk=obj.pk) if change else None,
            by=request.user,
            issuers=data["issuers"],
            **{name: data[name] for name in services.PROGRAMME_FIELDS if name in data},
        )
        obj.pk = saved.pk
        obj._state.adding = False

    announce = workflow_action(
        services.PROGRAMMES,
        "announce",
        description=_("Announce the selected calls"),
        consequence=_(
            "Each call below becomes public with today's date as its announcement. "
            "An announcement cannot be withdrawn."
        ),
        done=_("%(count)d programmes announced."),
    )
    publish_list = workflow_action(
        services.PROGRAMMES,
        "publish_list",
        description=_("Publish the pilot lists of the selected programmes"),
        consequence=_(
            "The pilot list of each programme below becomes public on the public page and "
            "in the API, every pilot unit is notified and the publication is recorded in "
            "the audit log. The bureau can later withdraw it in the portal only with a reason, "
            "which is announced."
        ),
        done=_("%(count)d pilot lists published."),
    )


class AttachmentInline(ScopedTabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "file", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the portal or the API, where their content is checked


class OpinionInline(ScopedTabularInline):
    model = Opinion
    extra = 0
    fields = [
        "stage",
        "decision",
        "text",
        "officer",
        "organization",
        "version",
        "scan",
        "quota_override_reason",
        "at",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # opinions are given through the review actions


@admin.register(Application)
class ApplicationAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = ("pilots.services.create_application", "pilots.services.update_application")

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.APPLICATIONS
    list_display = ["id", "organization", "pilot_type", "programme", "site_region", "status", "submitted_at"]
    list_filter = ["status", "pilot_type", "programme"]
    search_fields = ["organization__name", "project_lead", "site_address", "programme__title"]
    list_select_related = ["organization", "programme", "site_region"]
    readonly_fields = ["status", "version", "submitted_at", "decided_at", "print_view"]
    autocomplete_fields = ["site_region", "organization", "programme"]
    inlines = [AttachmentInline, OpinionInline]
    show_full_result_count = False
    actions = ["recommend", "approve"]

    @admin.display(description=_("printed application form (附件2)"))
    def print_view(self, obj):
        return print_links(obj, "pilots:application-print", "pilots:application-pdf")

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS
        }
        if change:
            services.update_application(obj, by=request.user, **fields)
        else:
            created = services.create_application(
                by=request.user,
                programme=form.cleaned_data["programme"],
                organization=form.cleaned_data["organization"],
                pilot_type=form.cleaned_data["pilot_type"],
                **{n: form.cleaned_data[n] for n in services.EDITABLE_FIELDS if n in form.cleaned_data},
            )
            obj.pk = created.pk

    def _batch(self, request, queryset, action):
        done = 0
        for application in queryset:
            try:
                services.transition(
                    application, action, by=request.user, text=_("Batch decision in the admin")
                )
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                reasons = "；".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(
                    request, f"#{application.pk} {application.organization}: {reasons}", messages.ERROR
                )
        if done:
            self.message_user(
                request, _("%(count)d applications updated.") % {"count": done}, messages.SUCCESS
            )

    @admin.action(
        description=_("Recommend the selected applications (street opinion)"), permissions=["change"]
    )
    def recommend(self, request, queryset):
        self._batch(request, queryset, "recommend")

    # Approval cannot be undone: like the portal, the admin asks first, and the quota rule of
    # the service refuses a row past its quota (the reason is given in the portal or the API).
    approve = workflow_action(
        services.APPLICATIONS,
        "approve",
        description=_("Approve the selected applications (bureau opinion)"),
        consequence=services.CONSEQUENCES["approve"],
        done=_("%(count)d applications approved."),
    )


class ShowcaseCaseInline(ScopedStackedInline):
    """Cases are added in the portal or the API (``services.add_showcase_case``, which checks
    who may and the photo's content); read here."""

    model = ShowcaseCase
    extra = 0
    fields = ["title", "text", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PilotMilestoneFormSet(forms.BaseInlineFormSet):
    """A row whose evidence or date is given is the milestone completed with that evidence:
    ``services.complete_milestone`` decides, and its refusal shows on the row."""

    request_user = None

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.instance.pk and form.has_changed() and form.instance.status == MilestoneStatus.DONE:
                form.add_error(
                    None,
                    _(
                        "A completed milestone stays as it was recorded: "
                        "its date and evidence cannot be changed."
                    ),
                )
            elif form.instance.pk and form.has_changed() and form.cleaned_data:
                refusal = dry_run_refusal(lambda form=form: self.complete(form))
                if refusal is not None:
                    form.add_error(None, refusal)  # a refusal about a field shows beside it

    def complete(self, form):
        data = form.cleaned_data
        return services.complete_milestone(
            PilotMilestone.objects.select_related("pilot", "milestone").get(pk=form.instance.pk),
            by=self.request_user,
            completed_on=data.get("completed_on"),
            evidence=data.get("evidence") or "",
        )


class PilotMilestoneInline(ScopedTabularInline):
    model = PilotMilestone
    service = "pilots.services.complete_milestone"
    formset = PilotMilestoneFormSet
    extra = 0
    fields = ["milestone", "status", "completed_on", "evidence"]
    readonly_fields = ["milestone", "status"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # a pilot's milestones are the programme's

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset


@admin.register(Pilot)
class PilotAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    export_definition = exports.PILOTS
    list_display = ["organization", "pilot_type", "programme", "site_region", "is_demonstration"]
    list_filter = ["pilot_type", "is_demonstration", "programme"]
    search_fields = ["organization__name", "site_address"]
    list_select_related = ["organization", "programme", "site_region"]
    autocomplete_fields = ["organization", "site_region", "programme"]
    fields = [
        "programme",
        "organization",
        "pilot_type",
        "site_region",
        "site_address",
        "application",
        "is_demonstration",
        "summary_report",
    ]
    readonly_fields = ["application"]
    inlines = [PilotMilestoneInline, ShowcaseCaseInline]
    service = (
        "pilots.services.designate_pilot",
        "pilots.services.set_demonstration",
        "pilots.services.save_summary_report",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Who the pilot is and where was settled when it was designated or approved.
        return [
            *self.readonly_fields,
            "programme",
            "organization",
            "pilot_type",
            "site_region",
            "site_address",
        ]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        if formset.model is not PilotMilestone:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for milestone_form in formset.forms:
            if milestone_form.instance.pk and milestone_form.has_changed():
                data = milestone_form.cleaned_data
                done = services.complete_milestone(
                    PilotMilestone.objects.select_related("pilot", "milestone").get(
                        pk=milestone_form.instance.pk
                    ),
                    by=request.user,
                    completed_on=data.get("completed_on"),
                    evidence=data.get("evidence") or "",
                )
                formset.changed_objects.append((done, milestone_form.changed_data))

    def save_model(self, request, obj, form, change):
        if change:
            if "is_demonstration" in form.changed_data:
                services.set_demonstration(obj, by=request.user, value=form.cleaned_data["is_demonstration"])
            if "summary_report" in form.changed_data:
                services.save_summary_report(obj, by=request.user, text=form.cleaned_data["summary_report"])
            return
        # 000: a pilot added here is designated directly by the bureau.
        pilot = services.designate_pilot(
            form.cleaned_data["programme"],
            by=request.user,
            organization=form.cleaned_data["organization"],
            pilot_type=form.cleaned_data["pilot_type"],
            site_region=form.cleaned_data["site_region"],
            site_address=form.cleaned_data.get("site_address", ""),
        )
        obj.pk = pilot.pk
        obj._state.adding = False

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin
from reports.exporting import ExcelExportAdminMixin

from . import exports, services
from .models import (
    Application,
    Attachment,
    Milestone,
    Opinion,
    Phase,
    Pilot,
    PilotMilestone,
    Programme,
    ProgrammeQuota,
    ShowcaseCase,
)


class QuotaInline(admin.TabularInline):
    model = ProgrammeQuota
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
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
            "announced_at",
            "list_published_at",
        ]

    def clean(self):
        data = super().clean()
        user = self.request_user
        region = data.get("region")
        if region is not None and not user.scope.covers_region(region, edit=True):
            self.add_error("region", _("Choose a region within your own."))
        issuers = data.get("issuers")
        if issuers is not None and not user.is_superuser:
            own = set(user.scope.organization_ids(edit=True))
            if not any(issuer.pk in own for issuer in issuers):
                self.add_error("issuers", _("Your own bureau must be among the issuing organisations."))
        return data


@admin.register(Programme)
class ProgrammeAdmin(ScopedModelAdmin):
    form = ProgrammeAdminForm
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

    def _run(self, request, queryset, service, done):
        count = 0
        for programme in queryset:
            try:
                service(programme, by=request.user)
                count += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{programme}: {exc}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Announce the selected calls"), permissions=["change"])
    def announce(self, request, queryset):
        self._run(request, queryset, services.announce, _("%(count)d programmes announced."))

    @admin.action(description=_("Publish the pilot lists of the selected programmes"), permissions=["change"])
    def publish_list(self, request, queryset):
        self._run(request, queryset, services.publish_pilot_list, _("%(count)d pilot lists published."))


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "file", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the portal or the API, where their content is checked


class OpinionInline(admin.TabularInline):
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
    export_definition = exports.APPLICATIONS
    list_display = ["id", "organization", "pilot_type", "programme", "site_region", "status", "submitted_at"]
    list_filter = ["status", "pilot_type", "programme"]
    search_fields = ["organization__name", "project_lead", "site_address", "programme__title"]
    list_select_related = ["organization", "programme", "site_region"]
    readonly_fields = ["status", "version", "submitted_at", "decided_at"]
    autocomplete_fields = ["site_region", "organization", "programme"]
    inlines = [AttachmentInline, OpinionInline]
    show_full_result_count = False
    actions = ["recommend", "approve"]

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

    @admin.action(description=_("Approve the selected applications (bureau opinion)"), permissions=["change"])
    def approve(self, request, queryset):
        self._batch(request, queryset, "approve")


class ShowcaseCaseInline(admin.StackedInline):
    model = ShowcaseCase
    extra = 0
    fields = ["title", "text", "created_at"]
    readonly_fields = ["created_at"]


class PilotMilestoneInline(admin.TabularInline):
    model = PilotMilestone
    extra = 0
    fields = ["milestone", "status", "completed_on", "evidence"]
    readonly_fields = ["milestone"]


@admin.register(Pilot)
class PilotAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    export_definition = exports.PILOTS
    list_display = ["organization", "pilot_type", "programme", "site_region", "is_demonstration"]
    list_filter = ["pilot_type", "is_demonstration", "programme"]
    search_fields = ["organization__name", "site_address"]
    list_select_related = ["organization", "programme", "site_region"]
    autocomplete_fields = ["organization", "site_region", "programme"]
    readonly_fields = ["application"]
    inlines = [PilotMilestoneInline, ShowcaseCaseInline]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
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

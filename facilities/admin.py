from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from core.admin_actions import add_refusal, dry_run_refusal
from core.pdf import print_links
from regions.forms import RegionChoiceField
from regions.models import Region
from reports.exporting import ExcelExportAdminMixin
from reports.spreadsheets import ImportFailed

from . import exports, imports, services, targets
from .models import (
    Alteration,
    ApplicationStep,
    Campaign,
    CareRoom,
    Compound,
    EntrustmentAgreement,
    GuidanceTarget,
    Inspection,
    InspectionPhoto,
    UseApplication,
    Violation,
)


class CampaignForm(forms.ModelForm):
    """The county's bureau sets its campaign: ``save_campaign`` decides, tried and rolled back
    here, so a refusal shows beside the county with what was typed kept."""

    request_user = None

    class Meta:
        model = Campaign
        fields = list(services.CAMPAIGN_FIELDS)

    def clean(self):
        data = super().clean()
        if not self.errors:
            original = Campaign.objects.get(pk=self.instance.pk) if self.instance.pk else None
            fields = {name: data[name] for name in services.CAMPAIGN_FIELDS if name in data}
            refusal = dry_run_refusal(
                lambda: services.save_campaign(original, by=self.request_user, **fields)
            )
            if refusal is not None:
                add_refusal(self, refusal, "region")
        return data


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "title",
        "region",
        "document_number",
        "starts_on",
        "existing_deadline",
        "new_handover_months",
    ]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    service = "facilities.services.save_campaign"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # the rooms' deadlines follow from it

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        fields = {n: form.cleaned_data[n] for n in services.CAMPAIGN_FIELDS if n in form.cleaned_data}
        saved, changed = services.save_campaign(
            Campaign.objects.get(pk=obj.pk) if change else None, by=request.user, **fields
        )
        obj.pk = saved.pk
        self.message_user(request, _("Deadlines recomputed for %(count)d rooms.") % {"count": changed})


@admin.register(Compound)
class CompoundAdmin(ScopedModelAdmin):
    service = "facilities.services.save_compound"

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = [
        "name",
        "region",
        "households",
        "residents",
        "elderly_residents",
        "developer",
        "property_company",
    ]
    search_fields = ["name", "address", "developer", "region__name"]
    autocomplete_fields = ["region", "property_company"]
    list_select_related = ["region", "property_company"]

    def save_model(self, request, obj, form, change):
        fields = {n: form.cleaned_data[n] for n in services.COMPOUND_FIELDS if n in form.cleaned_data}
        saved = services.save_compound(
            Compound.objects.get(pk=obj.pk) if change else None, by=request.user, **fields
        )
        obj.pk = saved.pk


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("90", _("Due within 90 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return services.overdue_rooms(queryset, today)
        if self.value() == "90":
            return queryset.filter(
                deadline__gte=today, deadline__lte=today + timezone.timedelta(days=90)
            ).exclude(operating_state="operating")
        return queryset


@admin.register(CareRoom)
class CareRoomAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = "facilities.services.save_room"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.ROOMS
    list_display = [
        "compound",
        "location",
        "area",
        "handover_state",
        "handed_over_on",
        "operating_state",
        "operating_mode",
        "deadline",
        "days_left",
    ]
    list_filter = [OverdueFilter, "handover_state", "operating_state", "operating_mode"]
    search_fields = ["compound__name", "location", "handover_number"]
    list_select_related = ["compound__region"]
    autocomplete_fields = ["compound", "owner", "operator"]
    readonly_fields = ["deadline"]
    date_hierarchy = "handed_over_on"

    @admin.display(description=_("days left"))
    def days_left(self, room):
        if room.operating_state == "operating":
            return "—"
        return room.days_left()

    def save_model(self, request, obj, form, change):
        fields = {n: form.cleaned_data[n] for n in services.ROOM_FIELDS if n in form.cleaned_data}
        saved = services.save_room(
            CareRoom.objects.get(pk=obj.pk) if change else None, by=request.user, **fields
        )
        obj.pk = saved.pk


class ViolationInline(ScopedTabularInline):
    model = Violation
    fk_name = "found_in"
    extra = 0
    fields = ["kind", "description", "rectify_by", "action_taken", "state", "closed_in"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PhotoInline(ScopedTabularInline):
    model = InspectionPhoto
    extra = 0
    fields = ["photo", "caption"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["room", "inspected_on", "findings"]


@admin.register(Inspection)
class InspectionAdmin(ScopedModelAdmin):
    """Officers record an inspection here or in the portal (where photos and violations are
    added); a recorded inspection is not changed afterwards."""

    service = "facilities.services.record_inspection"

    def has_delete_permission(self, request, obj=None):
        return False

    form = InspectionForm
    list_display = ["inspected_on", "room", "inspector", "findings"]
    list_select_related = ["room__compound", "inspector"]
    search_fields = ["room__compound__name", "findings"]
    autocomplete_fields = ["room"]
    date_hierarchy = "inspected_on"
    inlines = [ViolationInline, PhotoInline]
    readonly_fields = ["print_view"]

    @admin.display(description=_("print view"))
    def print_view(self, obj):
        return print_links(obj, "facilities:inspection-print", "facilities:inspection-pdf")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # what it found is shown once recorded

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.record_inspection(
            by=request.user, room=data["room"], inspected_on=data["inspected_on"], findings=data["findings"]
        )
        obj.pk = saved.pk


@admin.register(Violation)
class ViolationAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = "facilities.services.close_violation"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.VIOLATIONS
    list_display = ["room", "kind", "rectify_by", "state", "found_in", "closed_in"]
    list_filter = ["state", "kind"]
    search_fields = ["room__compound__name", "description", "action_taken"]
    list_select_related = ["room__compound", "found_in", "closed_in"]
    actions = ["close_by_latest_inspection"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close the selected by each room's latest later inspection"))
    def close_by_latest_inspection(self, request, queryset):
        """Asks first (a page listing what will be closed and what cannot be, and why), then
        closes each violation by its room's latest inspection after the one that found it."""
        rows = []
        for violation in queryset.select_related("found_in", "room__compound__region"):
            later = (
                Inspection.objects.filter(
                    room=violation.room_id, inspected_on__gt=violation.found_in.inspected_on
                )
                .order_by("-inspected_on", "-id")
                .first()
            )
            if later is None:
                allowed, reason = False, _("No inspection of the room after the violation was found.")
            else:
                allowed, reason = services.VIOLATIONS.can(violation, request.user, "close")
            rows.append((violation, later, allowed, reason))
        if "confirmed" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "title": _("%(action)s: are you sure?")
                % {"action": _("Close the selected by each room's latest later inspection")},
                "opts": self.model._meta,
                "rows": [(violation, allowed, reason) for violation, _later, allowed, reason in rows],
                "any_allowed": any(allowed for *_rest, allowed, _reason in rows),
                "action": "close_by_latest_inspection",
                "consequence": _(
                    "Each violation below is closed as put right by its room's latest later "
                    "inspection. A closed violation cannot be reopened."
                ),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/confirm_workflow_action.html", context)
        done = 0
        for violation, later, _allowed, reason in rows:
            try:
                if later is None:
                    raise ValidationError(reason)
                services.close_violation(violation, by=request.user, inspection=later)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                reasons = "；".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(request, f"{violation}: {reasons}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d violations closed.") % {"count": done}, messages.SUCCESS)


class AlterationForm(forms.ModelForm):
    class Meta:
        model = Alteration
        fields = ["room", "kind", "description", "approval_number", "approved_by", "approved_on"]


@admin.register(Alteration)
class AlterationAdmin(ScopedModelAdmin):
    service = "facilities.services.record_alteration"

    def has_delete_permission(self, request, obj=None):
        return False

    form = AlterationForm
    list_display = ["room", "kind", "approval_number", "approved_by", "approved_on"]
    list_select_related = ["room__compound"]
    autocomplete_fields = ["room"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k != "room"}
        saved = services.record_alteration(by=request.user, room=form.cleaned_data["room"], **data)
        obj.pk = saved.pk


class StepInline(ScopedTabularInline):
    """The history in words (初步对接 → 已初步对接), as on the portal page, never the codes."""

    model = ApplicationStep
    extra = 0
    fields = ["at", "step", "from_state", "to_state", "actor", "organization", "text"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("action"))
    def step(self, obj):
        return services.USE_APPLICATIONS.step_label(obj.action)

    @admin.display(description=_("from"))
    def from_state(self, obj):
        return services.USE_APPLICATIONS.state_label(obj.from_status) if obj.from_status else "—"

    @admin.display(description=_("to"))
    def to_state(self, obj):
        return services.USE_APPLICATIONS.state_label(obj.to_status)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UseApplication)
class UseApplicationAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    """Steps are taken on the application's portal page (or the API), which shows each user
    only the steps they may take; here officers read and export."""

    service = "facilities.services.act_on_application"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.APPLICATIONS
    list_display = ["room", "town", "status", "operating_mode", "city_approval_number", "created_at"]
    list_filter = ["status", "operating_mode"]
    search_fields = ["room__compound__name", "town__name"]
    list_select_related = ["room__compound", "town"]
    inlines = [StepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExpiringFilter(admin.SimpleListFilter):
    title = _("ending")
    parameter_name = "ending"

    def lookups(self, request, model_admin):
        return [("soon", _("Within 90 days"))]

    def queryset(self, request, queryset):
        return services.expiring_agreements(queryset) if self.value() == "soon" else queryset


@admin.register(EntrustmentAgreement)
class AgreementAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = "facilities.services.act_on_application"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.AGREEMENTS
    list_display = ["number", "room", "bureau", "town", "signed_on", "starts_on", "ends_on"]
    list_filter = [ExpiringFilter]
    search_fields = ["number", "room__compound__name"]
    list_select_related = ["room__compound", "bureau", "town"]
    readonly_fields = ["print_view"]

    @admin.display(description=_("print view"))
    def print_view(self, obj):
        return print_links(obj, "facilities:agreement-print", "facilities:agreement-pdf")

    def has_add_permission(self, request):
        return False  # signed as a step of the use application

    def has_change_permission(self, request, obj=None):
        return False


class TargetImportForm(forms.Form):
    county = RegionChoiceField(
        label=capfirst(_("county")),
        queryset=Region.objects.filter(code__regex=r"^(\d{4}|\d{6})$"),
        to_field_name="code",
    )
    file = forms.FileField(label=capfirst(_("guidance table (.xlsx)")))


@admin.register(GuidanceTarget)
class GuidanceTargetAdmin(ScopedModelAdmin):
    service = "facilities.imports.import_targets"

    def has_delete_permission(self, request, obj=None):
        return False  # the table is imported whole

    list_display = [
        "town_name",
        "built",
        "handed_over",
        "not_handed_over",
        "subtotal",
        "targets_per_year",
        "remarks",
    ]

    @admin.display(description=_("town (street)"), ordering="town__code")
    def town_name(self, obj):
        return obj.town.name  # as the annex names it, without the division code

    @admin.display(description=_("target per year"))
    def targets_per_year(self, obj):
        return "；".join(f"{year}：{count}" for year, count in sorted(obj.per_year.items()))

    list_select_related = ["town", "county"]
    change_list_template = "admin/facilities/guidancetarget/change_list.html"
    readonly_fields = ["progress_print"]

    @admin.display(description=_("progress table (print)"))
    def progress_print(self, obj):
        """The county's table in 004 附件's layout, with the registry's counts beside it."""
        if obj is None or obj.pk is None:
            return "—"
        return print_links(
            obj,
            "facilities:progress-print",
            "facilities:progress-pdf",
            args=[],
            query=f"?county={obj.county.code}",
        )

    def has_add_permission(self, request):
        return False  # the table is imported whole

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="facilities_guidancetarget_import",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name="facilities_guidancetarget_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request):
        """The template of the import (004 附件's layout); ``?county=`` lists its towns (a
        county the user imports for)."""
        code = request.GET.get("county")
        county = get_object_or_404(targets.target_counties(request.user), code=code) if code else None
        return imports.target_template_response(county, by=request.user)

    def import_view(self, request):
        counties = targets.target_counties(request.user)
        if not counties.exists():  # refused on opening, not after an upload
            raise PermissionDenied(targets.IMPORTERS_ONLY)
        form = TargetImportForm(request.POST or None, request.FILES or None)
        form.fields["county"].queryset = counties
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                saved = imports.import_targets(
                    upload, county=form.cleaned_data["county"], by=request.user, filename=upload.name
                )
            except ImportFailed as exc:
                errors = exc.errors
            except (PermissionDenied, ValidationError) as exc:
                errors = getattr(exc, "messages", None) or [str(exc)]
            else:
                self.message_user(
                    request, _("%(count)d towns imported.") % {"count": len(saved)}, messages.SUCCESS
                )
                return redirect("admin:facilities_guidancetarget_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "title": _("Import the guidance table"),
        }
        return TemplateResponse(request, "admin/facilities/guidancetarget/import.html", context)

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from accounts.pii import without_secrets
from core.admin_paging import BoundedChangeListMixin
from reports.exporting import ExcelExportAdminMixin
from reports.spreadsheets import ImportFailed
from reports.spreadsheets.fields import join_names

from . import exports, imports, services
from .models import (
    Qualification,
    StaffMember,
    StationResource,
    TrainingRecord,
    TrainingSession,
    TrainingTarget,
)


class QualificationInline(ScopedTabularInline):
    service = ("staff.services.save_qualification", "staff.services.delete_qualification")
    model = Qualification
    extra = 0
    fields = ["name", "level", "certificate_number", "issued_on", "expires_on"]


@admin.register(StaffMember)
class StaffMemberAdmin(BoundedChangeListMixin, ExcelExportAdminMixin, ScopedModelAdmin):
    """Companies keep their lists in the portal; officers read them here (phones masked) and
    may change a person's status. No one types a phone number into the admin."""

    service = "staff.services.save_staff"

    def has_delete_permission(self, request, obj=None):
        return False  # people leave (status), they are not deleted

    export_definition = exports.STAFF
    list_display = [
        "name",
        "masked_phone",
        "employer",
        "region",
        "roles_display",
        "kind",
        "status",
        "joined_on",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["name", "employer__name"]
    # No exact search by identity number or phone here: the admin searches with GET, which would
    # put the number in the address bar and the access log. The portal's search is posted.
    search_help_text = _(
        "Search by name. Find someone by identity number or phone with the portal's search, which "
        "keeps the number out of addresses and logs."
    )
    list_select_related = ["employer", "region"]
    ordering = ["-id"]  # newest first: the primary key orders without sorting by the joined names
    fields = [
        "name",
        "masked_phone",
        "masked_id",
        "employer",
        "region",
        "stations",
        "roles",
        "kind",
        "status",
        "joined_on",
        "left_on",
        "user",
    ]
    readonly_fields = ["name", "masked_phone", "masked_id", "employer", "region", "stations", "user"]
    inlines = [QualificationInline]
    actions = ["suspend", "reinstate"]

    def has_add_permission(self, request):
        return False

    def _set_status(self, request, queryset, status):
        done = 0
        for member in queryset:
            try:
                services.save_staff(member, by=request.user, status=status)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                reasons = "；".join(getattr(exc, "messages", None) or [str(exc)])
                self.message_user(request, f"{member.name}: {reasons}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d people updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(
        description=_("Suspend the selected people (they can no longer serve)"), permissions=["change"]
    )
    def suspend(self, request, queryset):
        self._set_status(request, queryset, "suspended")

    @admin.action(description=_("Reinstate the selected people"), permissions=["change"])
    def reinstate(self, request, queryset):
        self._set_status(request, queryset, "active")

    def get_queryset(self, request):
        return without_secrets(super().get_queryset(request))  # the list shows the stored masks

    @admin.display(description=_("phone"))
    def masked_phone(self, member):
        return member.phone_masked

    @admin.display(description=_("identity number"))
    def masked_id(self, member):
        return member.id_number_masked

    @admin.display(description=_("roles"))
    def roles_display(self, member):
        return member.roles_display()

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.STAFF_FIELDS
        }
        services.save_staff(StaffMember.objects.get(pk=obj.pk), by=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if not inline_form.has_changed() and inline_form.instance.pk:
                continue
            data = inline_form.cleaned_data
            if not data:
                continue
            instance = inline_form.instance
            if data.get("DELETE") and instance.pk:
                services.delete_qualification(instance, by=request.user)
                continue
            services.save_qualification(
                instance if instance.pk else None,
                by=request.user,
                staff=form.instance,
                **{name: data.get(name) for name in services.QUALIFICATION_FIELDS},
            )


class TrainingRecordInline(ScopedTabularInline):
    service = ("staff.services.record_result", "staff.services.delete_record")
    model = TrainingRecord
    extra = 0
    fields = ["staff", "attended", "theory_score", "practical_score", "passed", "certificate_number"]
    readonly_fields = ["passed"]
    raw_id_fields = ["staff"]


class ScoreImportForm(forms.Form):
    file = forms.FileField(label=capfirst(_("score sheet (.xlsx)")))


@admin.register(TrainingSession)
class TrainingSessionAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = "staff.services.save_session"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.SESSIONS
    list_display = [
        "title",
        "kind",
        "organiser",
        "region",
        "starts_on",
        "hours",
        "capacity",
        "record_count",
        "passed_count",
    ]
    list_filter = ["kind"]
    search_fields = ["title", "place", "instructors"]
    list_select_related = ["organiser", "region"]
    autocomplete_fields = ["region"]
    date_hierarchy = "starts_on"
    inlines = [TrainingRecordInline]
    readonly_fields = ["import_link"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                record_total=Count("records", distinct=True),
                passed_total=Count("records", filter=Q(records__passed=True), distinct=True),
            )
        )

    @admin.display(description=_("enrolled"), ordering="record_total")
    def record_count(self, session):
        return session.record_total

    @admin.display(description=_("passed"), ordering="passed_total")
    def passed_count(self, session):
        return session.passed_total

    @admin.display(description=_("import scores"))
    def import_link(self, session):
        if not session.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:staff_trainingsession_import", args=[session.pk]),
            _("Import attendance and scores from Excel"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/import-scores/",
                self.admin_site.admin_view(self.import_view),
                name="staff_trainingsession_import",
            ),
            path(
                "<int:pk>/import-scores/template/",
                self.admin_site.admin_view(self.template_view),
                name="staff_trainingsession_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request, pk):
        """The score sheet template of the session (考核成绩登记表 with its 填写说明)."""
        session = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, session):
            raise PermissionDenied
        return imports.score_template_response(session)

    def import_view(self, request, pk):
        session = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, session):
            raise PermissionDenied
        form = ScoreImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = imports.import_scores(session, upload, by=request.user, filename=upload.name)
            except ImportFailed as exc:
                errors = exc.errors
            except (PermissionDenied, ValidationError) as exc:
                errors = getattr(exc, "messages", None) or [str(exc)]
            else:
                self.message_user(
                    request, _("%(count)d rows imported.") % {"count": result.rows}, messages.SUCCESS
                )
                return redirect("admin:staff_trainingsession_change", session.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "session": session,
            "form": form,
            "errors": errors,
            "title": _("Import attendance and scores"),
            "headers": join_names(f.header for f in imports.ScoreImport.fields),
        }
        return TemplateResponse(request, "admin/staff/trainingsession/import_scores.html", context)

    def save_model(self, request, obj, form, change):
        fields = {n: form.cleaned_data[n] for n in services.SESSION_FIELDS if n in form.cleaned_data}
        saved = services.save_session(
            TrainingSession.objects.get(pk=obj.pk) if change else None, by=request.user, **fields
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        # Records go through the service: capacity, scope and the derived result (passed).
        session = TrainingSession.objects.get(pk=form.instance.pk)
        saved = []
        for inline_form in formset.forms:
            data = inline_form.cleaned_data
            if not data or (inline_form.instance.pk and not inline_form.has_changed()):
                continue
            if data.get("DELETE"):
                services.delete_record(inline_form.instance, by=request.user)
                continue
            saved.append(
                services.record_result(
                    session,
                    data["staff"],
                    by=request.user,
                    attended=data.get("attended", False),
                    theory_score=data.get("theory_score"),
                    practical_score=data.get("practical_score"),
                    certificate_number=data.get("certificate_number") or "",
                )
            )
        services.announce_results(session, saved)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = "staff.services.record_result"

    def has_delete_permission(self, request, obj=None):
        return False  # removed on the session page, through the service

    export_definition = exports.RECORDS
    list_display = ["staff", "employer", "session", "attended", "theory_score", "practical_score", "passed"]
    list_filter = ["passed", "attended", "session__kind"]
    search_fields = ["staff__name", "session__title", "staff__employer__name"]
    list_select_related = ["staff__employer", "session"]
    show_full_result_count = False

    @admin.display(description=_("employer"))
    def employer(self, record):
        return record.staff.employer

    def has_add_permission(self, request):
        return False  # through the session page or the import

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TrainingTarget)
class TrainingTargetAdmin(ScopedModelAdmin):
    service = "staff.services.save_target"

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = ["region", "year", "person_times"]
    list_filter = ["year"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]

    def save_model(self, request, obj, form, change):
        services.save_target(obj, by=request.user)


@admin.register(StationResource)
class StationResourceAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    """Kept by the operators' information officers in the portal; read here."""

    service = "staff.services.save_resource"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.RESOURCES
    list_display = ["name", "kind", "station", "phone", "is_current", "updated_by", "updated_at"]
    list_filter = ["kind", "is_current"]
    search_fields = ["name", "station__name", "services"]
    list_select_related = ["station", "updated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

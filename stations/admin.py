from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from accounts.pii import without_secrets
from core.admin_actions import workflow_action
from core.admin_paging import BoundedChangeListMixin, RatingListFilter
from reports.exporting import ExcelExportAdminMixin

from . import exports, services
from .models import (
    PublicityEvent,
    Resident,
    ResidentLinkRequest,
    ServiceOrder,
    ServiceRecord,
    Station,
    StationExpenditure,
    StationPrice,
    Survey,
    SurveyResponse,
)


class PriceInline(ScopedTabularInline):
    """A station's posted prices are the service-item list of its published five lists: they
    are shown here and change only by publishing a new version of the lists (``checklists``)."""

    service = "checklists.services.STATION_LISTS"
    model = StationPrice
    extra = 0
    can_delete = False
    fields = ["category", "content", "price", "unit", "level", "provider", "source"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _status_step(step: str, description):
    """An admin action taking one step of the station workflow (closing has its own words)."""
    return workflow_action(
        services.STATIONS,
        step,
        description=description,
        consequence=_("Each station below changes status today; the change is recorded in the audit log."),
        done=_("%(count)d stations changed status."),
    )


@admin.register(Station)
class StationAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = ("stations.services.save_station", "stations.services.change_station_status")

    def has_delete_permission(self, request, obj=None):
        return False  # a station is closed (status), not deleted

    export_definition = exports.STATIONS
    list_display = ["name", "operator", "region", "floor", "status", "opened_on"]
    list_filter = ["status", "floor"]
    search_fields = ["name", "address", "operator__name", "region__name"]
    autocomplete_fields = ["operator", "region", "pilot"]
    list_select_related = ["operator", "region"]
    inlines = [PriceInline]
    # The status moves only by the workflow's steps: the actions below, which ask first.
    readonly_fields = ["status", "status_changed_on", "opened_on", "closed_on"]
    actions = ["renovate", "open", "suspend", "resume", "close"]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in services.STATION_FIELDS if name in form.cleaned_data
        }
        # The stored row, not the instance the form already changed: the service decides.
        saved = services.save_station(
            Station.objects.get(pk=obj.pk) if change else None, by=request.user, **fields
        )
        obj.pk = saved.pk

    renovate = _status_step("renovate", _("Start renovation of the selected stations"))
    open = _status_step("open", _("Open the selected stations"))
    suspend = _status_step("suspend", _("Suspend the selected stations"))
    resume = _status_step("resume", _("Resume the selected stations"))
    close = workflow_action(
        services.STATIONS,
        "close",
        description=_("Close the selected stations"),
        consequence=_("Each station below is closed for good: a closed station cannot be reopened."),
        done=_("%(count)d stations closed."),
    )


@admin.register(Resident)
class ResidentAdmin(BoundedChangeListMixin, ExcelExportAdminMixin, ScopedModelAdmin):
    """Identity numbers and phones appear masked (the masks stored with the row: nothing is
    decrypted to list them); residents are registered in the portal or the API, where the
    identity number is checked. Newest first (the primary key orders without a sort)."""

    service = "stations.services.update_resident"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.RESIDENTS
    list_display = [
        "name",
        "masked_id",
        "sex",
        "age_display",
        "community",
        "living_situation",
        "masked_phone",
    ]
    list_filter = ["living_situation", "sex"]
    search_fields = ["name"]
    # No exact search by identity number or phone here: the admin searches with GET, which would
    # put the number in the address bar and the access log. The portal's search is posted.
    search_help_text = _(
        "Search by name. Find someone by identity number or phone with the portal's search, which "
        "keeps the number out of addresses and logs."
    )
    list_select_related = ["community"]
    ordering = ["-id"]
    fields = [
        "name",
        "masked_id",
        "birth_year",
        "sex",
        "masked_phone",
        "address",
        "community",
        "living_situation",
        "basic_care",
        "emergency_contact",
        "consent_on",
        "consent_recorded_by",
        "care_visit_interval_days",
    ]
    readonly_fields = ["masked_id", "birth_year", "sex", "masked_phone", "consent_recorded_by"]
    autocomplete_fields = ["community"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return without_secrets(super().get_queryset(request))

    @admin.display(description=_("identity number"))
    def masked_id(self, resident):
        return resident.id_number_masked

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return resident.phone_masked

    @admin.display(description=_("birth year"))
    def birth_year(self, resident):
        return resident.birth_year  # never the date: it is the hidden part of the masked number

    @admin.display(description=_("age reached this year"))
    def age_display(self, resident):
        return resident.age_this_year

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.RESIDENT_FIELDS
        }
        services.update_resident(Resident.objects.get(pk=obj.pk), by=request.user, **fields)


@admin.register(ServiceOrder)
class ServiceOrderAdmin(BoundedChangeListMixin, ScopedModelAdmin):
    service = "stations.services.transition_order"

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = [
        "id",
        "station",
        "resident",
        "category",
        "channel",
        "is_emergency",
        "status",
        "assigned_to",
        "created_at",
    ]
    list_filter = ["status", "category", "channel", "is_emergency"]
    list_select_related = ["station", "resident", "assigned_to"]
    raw_id_fields = ["resident", "station", "assigned_to"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # orders are taken in the portal or through the API

    def get_queryset(self, request):
        return without_secrets(super().get_queryset(request), "resident", "assigned_to")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceRecord)
class ServiceRecordAdmin(BoundedChangeListMixin, ExcelExportAdminMixin, ScopedModelAdmin):
    service = "stations.services.log_service"

    def has_delete_permission(self, request, obj=None):
        return False

    export_definition = exports.SERVICE_RECORDS
    list_display = [
        "id",
        "station",
        "resident",
        "category",
        "started_at",
        "duration_minutes",
        "fee",
        "staff",
        "rating",
    ]
    list_filter = ["category", "is_emergency", RatingListFilter]
    list_select_related = ["station", "resident", "staff"]
    raw_id_fields = ["order", "resident", "station", "staff"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # the resident reads as her name and stored mask; no one's identity number is decrypted
        return without_secrets(super().get_queryset(request), "resident", "staff")

    def has_change_permission(self, request, obj=None):
        return False


class PublicityEventForm(forms.ModelForm):
    """Shows what ``record_publicity`` refuses (who ran the event, the photo's content) beside the
    fields; the service checks again when saving."""

    request_user = None

    class Meta:
        model = PublicityEvent
        fields = ["station", "held_on", "form", "topic", "participants", "officers", "photo"]

    def clean(self):
        data = super().clean()
        if data.get("station") is None or self.request_user is None:
            return data
        try:
            services.check_publicity(
                by=self.request_user,
                station=data["station"],
                officers=data.get("officers") or (),
                photo=data.get("photo") or None,
            )
        except PermissionDenied as exc:
            self.add_error("station", str(exc))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


@admin.register(PublicityEvent)
class PublicityEventAdmin(ScopedModelAdmin):
    """Events are recorded through ``services.record_publicity``; a recorded event is read here."""

    service = "stations.services.record_publicity"
    form = PublicityEventForm
    list_display = ["held_on", "station", "form", "topic", "participants"]
    list_filter = ["form"]
    search_fields = ["topic", "station__name"]
    list_select_related = ["station"]
    autocomplete_fields = ["station"]
    date_hierarchy = "held_on"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        event = services.record_publicity(
            by=request.user,
            station=data["station"],
            officers=data.get("officers") or (),
            photo=data.get("photo") or None,
            **{name: data[name] for name in ("held_on", "form", "topic", "participants")},
        )
        obj.pk = event.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the officers were set by the service


class SurveyResponseInline(ScopedTabularInline):
    model = SurveyResponse
    extra = 0
    fields = ["station", "scores", "average", "comment", "submitted_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ScopedModelAdmin):
    service = None  # surveys are set up here; responses come through add_survey_response
    list_display = ["title", "region", "programme", "station", "period_start", "period_end"]
    autocomplete_fields = ["region", "station", "programme"]
    inlines = [SurveyResponseInline]


@admin.register(ResidentLinkRequest)
class ResidentLinkRequestAdmin(ScopedModelAdmin):
    """The bureau's read-only view of the requests about its region's residents; refusing goes
    through the service. Consent is recorded in the portal, where the signed form is uploaded."""

    list_display = [
        "created_at",
        "station",
        "organization",
        "name_given",
        "resident",
        "state",
        "consent_on",
        "consent_recorded_by",
        "decided_at",
    ]
    list_filter = ["state"]
    list_select_related = ["station", "organization", "resident", "consent_recorded_by"]
    search_fields = ["name_given", "station__name", "organization__name"]
    # The signed form is read through the portal's scoped download, never a media URL.
    readonly_fields = [f.name for f in ResidentLinkRequest._meta.fields if f.name != "consent_form"]
    readonly_fields.append("signed_form")
    exclude = ["consent_form"]
    actions = ["refuse"]

    # Government users reach the admin; this list is theirs whatever their role group holds.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("signed consent form"))
    def signed_form(self, link):
        if not link.consent_form:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("stations:link-consent-form", args=[link.pk]), gettext("Download")
        )

    @admin.action(description=_("Refuse the selected pending requests"))
    def refuse(self, request, queryset):
        done = 0
        for link in queryset.filter(state="pending"):
            try:
                services.act_on_link_request(
                    link, "refuse", by=request.user, reason=gettext("Refused by the bureau.")
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{link}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request refused.", "%(count)d requests refused.", done) % {"count": done},
                messages.SUCCESS,
            )


@admin.register(StationExpenditure)
class StationExpenditureAdmin(ScopedModelAdmin):
    """002, 五: a station's monthly elderly-care expenditure, entered or corrected through
    ``services.record_expenditure`` (one row per station and month) and removed through
    ``services.remove_expenditure``."""

    service = ("stations.services.record_expenditure", "stations.services.remove_expenditure")
    list_display = ["month", "station", "amount", "note", "updated_at"]
    search_fields = ["station__name", "note"]
    list_select_related = ["station"]
    autocomplete_fields = ["station"]
    date_hierarchy = "month"
    fields = ["station", "month", "amount", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["station", "month"] if obj is not None else []

    def delete_model(self, request, obj):
        services.remove_expenditure(by=request.user, expenditure=obj)

    def delete_queryset(self, request, queryset):
        for row in queryset.select_related("station"):
            services.remove_expenditure(by=request.user, expenditure=row)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        station = obj.station if change else data["station"]
        month = obj.month if change else data["month"]
        try:
            saved = services.record_expenditure(
                by=request.user,
                station=station,
                month=month,
                amount=data["amount"],
                note=data.get("note", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return
        obj.pk = saved.pk
        obj._state.adding = False

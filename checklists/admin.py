"""The five lists in the admin. A version's own fields are read-only; its items are added,
changed and removed through the services (``add_item``/``change_item``/``remove_item``, one
inline per list, open while the version is a draft or returned); its state moves only by the
workflow's steps (the actions, which ask first). Supervision checks are read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from accounts.scoping import is_editable
from core.admin_actions import add_refusal, workflow_action

from . import services
from .models import (
    CheckFinding,
    ChecklistCheck,
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    ListKind,
    kind_fields,
)

ITEM_SERVICES = (
    "checklists.services.add_item",
    "checklists.services.change_item",
    "checklists.services.remove_item",
)


def item_change(form, kind: str):
    """What an inline row asks for: ``(stored item, "add" | "change" | "remove" | None, values)``.
    The stored row is returned, never the instance the form has already changed."""
    data = form.cleaned_data
    if not data:
        return None, None, {}  # an empty extra row
    stored = ChecklistItem.objects.get(pk=form.instance.pk) if form.instance.pk else None
    columns = kind_fields(kind)
    if data.get("DELETE"):
        return stored, ("remove" if stored is not None else None), {}
    if stored is not None:
        changed = {name: data.get(name) for name in form.changed_data if name in columns}
        return stored, ("change" if changed else None), changed
    return None, "add", {name: data.get(name) for name in columns}


def write_item(form, version: ChecklistVersion, kind: str, by):
    """Write one row as the admin's save does (``ChecklistVersionAdmin.save_formset``)."""
    stored, action, values = item_change(form, kind)
    if action == "remove":
        services.remove_item(stored, by=by)
    elif action == "change":
        services.change_item(stored, by=by, **values)
    elif action == "add":
        services.add_item(version, by=by, kind=kind, **values)


class _Rollback(Exception):
    pass


class ItemFormSet(forms.BaseInlineFormSet):
    """Shows what the services refuse beside the row and field concerned, by writing every row
    in order and rolling it all back (so two new rows that clash are caught too); the save
    writes them again, for good."""

    request_user = None
    kind = None

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        version = ChecklistVersion.objects.get(pk=self.instance.pk)
        try:
            with transaction.atomic():
                for form in self.forms:
                    try:
                        with transaction.atomic():
                            write_item(form, version, self.kind, self.request_user)
                    except PermissionDenied as exc:
                        add_refusal(form, ValidationError(str(exc)))
                    except ValidationError as exc:
                        add_refusal(form, exc)
                raise _Rollback
        except _Rollback:
            pass


class ItemInline(ScopedTabularInline):
    """The items of one of the five lists, with that list's columns."""

    service = ITEM_SERVICES
    model = ChecklistItem
    formset = ItemFormSet
    extra = 0
    kind: str = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def get_fields(self, request, obj=None):
        return list(kind_fields(self.kind))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user, formset.kind = request.user, self.kind
        return formset

    def _open(self, request, obj) -> bool:
        """Only a draft (or returned) version the user may change has rows to write (the rule
        itself is the services'); asked once per request for the five inlines."""
        if obj is None:
            return True
        if not obj.is_editable_state:
            return False
        answers = request.__dict__.setdefault("_checklist_versions_editable", {})
        if obj.pk not in answers:
            answers[obj.pk] = is_editable(obj, request.user)
        return answers[obj.pk]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._open(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._open(request, obj)


def _inline(kind: ListKind):
    return type(
        f"{kind.name.title()}Inline",
        (ItemInline,),
        {"kind": kind.value, "verbose_name": kind.label, "verbose_name_plural": kind.label},
    )


ServicesInline = _inline(ListKind.SERVICES)
FacilitiesInline = _inline(ListKind.FACILITIES)
PoliciesInline = _inline(ListKind.POLICIES)
ResourcesInline = _inline(ListKind.RESOURCES)
DutiesInline = _inline(ListKind.DUTIES)


class TemplateFilter(admin.SimpleListFilter):
    title = _("kind of version")
    parameter_name = "is_template"

    def lookups(self, request, model_admin):
        return [("1", _("District samples")), ("0", _("Station lists"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(station__isnull=self.value() == "1")
        return queryset


def _step(workflow, step: str, description, consequence, done):
    return workflow_action(workflow, step, description=description, consequence=consequence, done=done)


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(ScopedModelAdmin):
    service = (*ITEM_SERVICES, "checklists.services.perform")
    list_display = [
        "__str__",
        "station",
        "region",
        "number",
        "state",
        "published_at",
        "resources_overdue",
    ]
    list_filter = ["state", TemplateFilter]
    search_fields = ["title", "station__name", "region__name"]
    list_select_related = ["station", "region"]
    show_full_result_count = False
    fields = [
        "station",
        "region",
        "issuer",
        "template",
        "previous",
        "number",
        "title",
        "note",
        "state",
        "created_at",
        "submitted_at",
        "approved_at",
        "approved_by",
        "approving_office",
        "return_reason",
        "published_at",
        "published_by",
        "superseded_at",
        "resources_reviewed_on",
    ]
    # Versions are started (and their notes written) in the portal or the API; here the items
    # change through the services and the state by the actions below.
    readonly_fields = fields
    inlines = [ServicesInline, FacilitiesInline, PoliciesInline, ResourcesInline, DutiesInline]
    actions = ["submit", "approve", "publish", "publish_template"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # every version ever posted is kept

    @admin.display(description=_("resource list review overdue"), boolean=True)
    def resources_overdue(self, version):
        return services.resources_review_overdue(version)

    def save_model(self, request, obj, form, change):
        """Nothing of the version itself changes here (its fields are read-only)."""

    def save_formset(self, request, form, formset, change):
        version = ChecklistVersion.objects.get(pk=form.instance.pk)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item_form in formset.forms:
            stored, action, values = item_change(item_form, formset.kind)
            if action == "remove":
                services.remove_item(stored, by=request.user)
                formset.deleted_objects.append(stored)
            elif action == "change":
                saved = services.change_item(stored, by=request.user, **values)
                formset.changed_objects.append((saved, list(values)))
            elif action == "add":
                saved = services.add_item(version, by=request.user, kind=formset.kind, **values)
                formset.new_objects.append(saved)

    submit = _step(
        services.STATION_LISTS,
        "submit",
        _("Submit the selected lists for approval"),
        _(
            "Each station's lists below go to its street office for approval; "
            "their items then stay as they are."
        ),
        _("%(count)d versions submitted."),
    )
    approve = _step(
        services.STATION_LISTS,
        "approve",
        _("Approve the selected lists"),
        services.STATION_LISTS.step("approve", "submitted").confirm,
        _("%(count)d versions approved."),
    )
    publish = _step(
        services.STATION_LISTS,
        "publish",
        _("Publish the selected lists at their stations"),
        services.STATION_LISTS.step("publish", "approved").confirm,
        _("%(count)d versions published."),
    )
    publish_template = _step(
        services.TEMPLATES,
        "publish_template",
        _("Publish the selected district samples"),
        services.TEMPLATES.step("publish_template", "draft").confirm,
        _("%(count)d samples published."),
    )


class FindingInline(admin.TabularInline):
    model = CheckFinding
    fk_name = "check_record"  # not ``closed_by``, the later check that closed the finding
    extra = 0
    can_delete = False
    fields = ["item", "result", "note", "photo_link", "closed_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "closed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def photo_link(self, finding):
        if not finding.photo:
            return "—"
        url = reverse("api:checklist-check-photo", args=[finding.check_record_id])
        return format_html('<a href="{}?finding={}">{}</a>', url, finding.pk, _("view"))


@admin.register(ChecklistCheck)
class ChecklistCheckAdmin(ScopedModelAdmin):
    """Checks are recorded in the portal or the API (``services.record_check``); read here."""

    service = "checklists.services.record_check"
    list_display = ["station", "version_number", "checked_on", "checked_by", "office", "items", "not_done"]
    list_filter = ["checked_on"]
    search_fields = ["station__name", "summary"]
    list_select_related = ["station", "version", "checked_by", "office"]
    show_full_result_count = False
    date_hierarchy = "checked_on"
    fields = ["station", "version", "checked_on", "checked_by", "office", "summary", "created_at"]
    readonly_fields = fields
    inlines = [FindingInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                finding_total=Count("findings"),
                not_done_total=Count("findings", filter=Q(findings__result=CheckResult.NOT_DONE)),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("version"), ordering="version__number")
    def version_number(self, check):
        return check.version.number

    @admin.display(description=_("items checked"), ordering="finding_total")
    def items(self, check):
        return check.finding_total

    @admin.display(description=_("not carried out"), ordering="not_done_total")
    def not_done(self, check):
        return check.not_done_total

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from reports.exporting import ExcelExportAdminMixin

from . import audit_display, exports, services
from .admin_scoping import ScopedAdminMixin, ScopedModelAdmin, ScopedTabularInline
from .models import ApiToken, AuditEntry, LoginFailure, Membership, Organization, User


class MembershipInline(ScopedTabularInline):
    service = None  # roles are granted here: no service owns memberships
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "is_active"]


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    service = None  # accounts are created and changed in Django's user forms
    list_display = ["username", "name", "email", "is_active", "is_staff", "last_login"]
    list_filter = [
        "is_active",
        "is_staff",
        "is_superuser",
        "memberships__role",
        "memberships__organization__kind",
    ]
    search_fields = ["username", "name", "email"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Login"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["unlock_accounts"]

    @admin.action(description=_("Unlock the selected accounts"), permissions=["change"])
    def unlock_accounts(self, request, queryset):
        users = list(queryset)
        for user in users:
            services.unlock(user, by=request.user)
        self.message_user(
            request, _("%(count)d accounts unlocked.") % {"count": len(users)}, messages.SUCCESS
        )


class OrganizationAdminForm(forms.ModelForm):
    """Shows the service's refusal of a bureau-confirmed field on the form rather than as a
    403 page; the service checks again when saving."""

    request_user = None

    def clean(self):
        data = super().clean()
        if self.request_user is None:
            return data
        try:
            if self.instance.pk is None:
                services.check_new_organization(
                    by=self.request_user, kind=data.get("kind"), region=data.get("region")
                )
            else:
                original = Organization.objects.get(pk=self.instance.pk)
                changed = {name: data[name] for name in self.changed_data if name in data}
                services.check_confirmed_changes(
                    original, by=self.request_user, changes=services.confirmed_changes(original, changed)
                )
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(Organization)
class OrganizationAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = ("accounts.services.create_organization", "accounts.services.update_organization")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivated, never deleted: pilots and records point at it

    form = OrganizationAdminForm
    export_definition = exports.ORGANIZATIONS
    list_display = ["name", "kind", "region", "credit_code", "has_property_licence", "is_active"]
    list_filter = ["kind", "has_property_licence", "is_active", "region__level"]
    search_fields = ["name", "credit_code", "address", "region__name", "region__code"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    fields = [
        "kind",
        "name",
        "credit_code",
        "region",
        "address",
        "contact_person",
        "contact_phone",
        "hotline",
        "elderly_care_since",
        "has_property_licence",
        "is_active",
        "licence_state",
        "licence_scan",
        "licence_confirmed_at",
        "licence_confirmed_by",
    ]
    readonly_fields = ["licence_state", "licence_scan", "licence_confirmed_at", "licence_confirmed_by"]
    actions = ["confirm_licences"]

    @admin.display(description=_("business licence"))
    def licence_state(self, organization):
        return organization.get_licence_state_display()

    @admin.action(description=_("Confirm the business licence of the selected units"), permissions=["change"])
    def confirm_licences(self, request, queryset):
        confirmed = 0
        for organization in queryset.select_related("region"):
            allowed, reason = services.can_confirm_licence(organization, request.user)
            if not allowed:
                self.message_user(request, f"{organization.name}：{reason}", messages.WARNING)
                continue
            services.confirm_licence(organization, by=request.user)
            confirmed += 1
        if confirmed:
            self.message_user(
                request, _("%(count)d licences confirmed.") % {"count": confirmed}, messages.SUCCESS
            )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # Through the services, so the admin enforces the same rules as the API.
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in self.fields}
        if change:
            original = Organization.objects.get(pk=obj.pk)
            saved = services.update_organization(original, by=request.user, **fields)
        else:
            saved = services.create_organization(
                by=request.user,
                **{name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data},
            )
        obj.pk = saved.pk


@admin.register(Membership)
class MembershipAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    service = None  # roles are granted here: no service owns memberships
    export_definition = exports.MEMBERSHIPS
    list_display = ["user", "organization", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "organization__kind"]
    search_fields = ["user__username", "user__name", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins by (name, address) and by address: see who is locked, lift a lock."""

    list_display = ["username", "address", "failures", "window_started_at", "last_failure_at", "locked_until"]
    list_filter = [("locked_until", admin.EmptyFieldListFilter)]
    search_fields = ["username", "address"]
    readonly_fields = [f.name for f in LoginFailure._meta.fields]
    actions = ["lift_locks"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # lifted through the action, which audits it

    @admin.action(description=_("Lift the selected locks"), permissions=["change"])
    def lift_locks(self, request, queryset):
        count = services.lift_login_locks(queryset, by=request.user)
        self.message_user(request, _("%(count)d locks lifted.") % {"count": count}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    service = "accounts.services.revoke_token"

    def has_delete_permission(self, request, obj=None):
        return False  # revoked through the action, which audits it

    list_display = ["name", "user", "key_prefix", "read_only", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "key_prefix"]
    readonly_fields = [
        "user",
        "name",
        "key_prefix",
        "read_only",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_at",
    ]
    list_select_related = ["user"]
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # issued in the portal, the API or `manage.py issue_token`: the secret is shown once

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        tokens = list(queryset)
        for token in tokens:
            services.revoke_token(token, by=request.user)
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(tokens)}, messages.SUCCESS)


class AuditActionFilter(admin.SimpleListFilter):
    """The actions by their labels (流转：批准, 新建), not their stored names."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        names = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        labelled = {name: audit_display.action_label(AuditEntry(action=name)) for name in names}
        return sorted(labelled.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ExcelExportAdminMixin, admin.ModelAdmin):
    export_definition = exports.AUDIT_ENTRIES
    list_display = [
        "at",
        "actor_repr",
        "channel",
        "action_label",
        "content_type",
        "object_repr",
        "changes_summary",
    ]
    list_filter = ["channel", AuditActionFilter, "content_type"]
    search_fields = ["actor_repr", "object_repr", "object_id", "action"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    show_full_result_count = False  # the log grows without end: no COUNT(*) of it per page
    fields = [
        "at",
        "actor",
        "actor_repr",
        "channel",
        "action_label",
        "content_type",
        "object_id",
        "object_repr",
        "changes_table",
        "note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry):
        return audit_display.action_label(entry)

    @admin.display(description=_("changes"))
    def changes_summary(self, entry):
        return audit_display.changes_text(entry, limit=6)

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        rows = audit_display.change_rows(entry, names=True)
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

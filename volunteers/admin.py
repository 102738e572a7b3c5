from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from reports.exporting import ExcelExportAdminMixin

from . import exports, services
from .models import PointsEntry, PointsRule, Reward, VolunteerActivity, VolunteerHours, VolunteerTeam


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(ScopedModelAdmin):
    list_display = ["name", "organization", "station", "community", "leader", "founded_on"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization", "station", "community", "leader"]
    autocomplete_fields = ["community"]
    filter_horizontal = ["members"]

    def has_add_permission(self, request):
        return False  # teams are formed by their organisation in the portal or the API

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a team is disbanded by its organisation, its history kept


class HoursInline(ScopedTabularInline):
    model = VolunteerHours
    extra = 0
    fields = ["volunteer", "hours", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VolunteerActivity)
class VolunteerActivityAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    export_definition = exports.ACTIVITIES
    list_display = ["held_on", "team", "category", "title"]
    list_filter = ["category"]
    search_fields = ["title", "team__name"]
    list_select_related = ["team"]
    date_hierarchy = "held_on"
    inlines = [HoursInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the hours earned points in the ledger: activities are kept


@admin.register(PointsRule)
class PointsRuleAdmin(ScopedModelAdmin):
    service = "volunteers.services.save_points_rule"
    list_display = ["organization", "effective_from", "points_per_hour", "max_hours_per_activity"]
    list_select_related = ["organization"]
    fields = list(services.RULE_FIELDS)

    def save_model(self, request, obj, form, change):
        services.save_points_rule(
            obj if change else None,
            by=request.user,
            **{name: form.cleaned_data[name] for name in services.RULE_FIELDS},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # points already earned were counted by the rule: a new date replaces it


@admin.register(Reward)
class RewardAdmin(ScopedModelAdmin):
    """Goods are set in the portal or the API (``save_reward``); read here."""

    list_display = ["name", "organization", "points", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ExcelExportAdminMixin, ScopedModelAdmin):
    """The ledger is append-only: read and export here; corrections are reversing entries made
    in the portal or the API."""

    export_definition = exports.LEDGER
    list_display = ["id", "volunteer", "kind", "points", "balance_after", "reward", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["account__volunteer__name", "note"]
    list_select_related = ["account__volunteer", "reward"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("volunteer"))
    def volunteer(self, entry):
        return entry.account.volunteer

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

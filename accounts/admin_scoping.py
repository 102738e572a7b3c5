"""The admin half of the one scoping path: every scoped ModelAdmin mixes this in."""

from django.contrib import admin

from accounts.scoping import choices_method, is_editable
from regions.forms import RegionChoiceField
from regions.models import Region


class ScopedChoicesAdminMixin:
    """Related-field choices of admin forms (model admins and inlines) narrowed through the
    scope: one rule, ``choices_method``, shared with the API's serializers."""

    def _scoped_choices(self, db_field, request, kwargs):
        # A record may point at what the user may change (an organisation), or for people, at
        # anyone the user can see; divisions are reference data open to all (choices_method).
        related = db_field.remote_field.model
        method = choices_method(related)
        if method is not None:
            kwargs.setdefault("queryset", getattr(related._default_manager, method)(request.user))
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        if (
            db_field.remote_field.model is Region
            and db_field.name not in self.get_autocomplete_fields(request)
            and db_field.name not in self.raw_id_fields
        ):
            kwargs.setdefault("form_class", RegionChoiceField)  # grouped by city and district
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdminMixin(ScopedChoicesAdminMixin):
    list_select_related = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _editable(self, request, obj) -> bool:
        return is_editable(obj, request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedTabularInline(ScopedChoicesAdminMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedChoicesAdminMixin, admin.StackedInline):
    pass

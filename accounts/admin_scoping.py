"""The admin half of the one scoping path: every scoped ModelAdmin mixes this in."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from regions.models import Region


class ScopedAdminMixin:
    list_select_related = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _editable(self, request, obj) -> bool:
        return self.model._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._editable(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A record may point at what the user may change (an organisation), or for people, at
        # anyone the user can see; divisions are reference data open to all.
        related = db_field.remote_field.model
        manager = related._default_manager
        if related is not Region and hasattr(manager.all(), "editable_by"):
            choices = (
                manager.visible_to(request.user)
                if related is get_user_model()
                else manager.editable_by(request.user)
            )
            kwargs.setdefault("queryset", choices)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if hasattr(related._default_manager.all(), "editable_by"):
            kwargs.setdefault("queryset", related._default_manager.editable_by(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass

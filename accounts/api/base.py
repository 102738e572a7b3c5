"""The base of every scoped API viewset: lists and reads go through ``visible_to``, changes
through ``editable_by``. An object the user cannot see answers 404; one the user can see but
not change answers 403."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS


class ScopedViewSetMixin:
    queryset = None  # declared with its select_related/prefetch_related by each viewset

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS and not self.is_editable(obj):
            raise exceptions.PermissionDenied(_("You may view this record but not change it."))
        return obj

    def is_editable(self, obj) -> bool:
        return type(obj).objects.editable_by(self.request.user).filter(pk=obj.pk).exists()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass

"""The bases of the API's half of the scoping path.

Viewsets: lists and reads go through ``visible_to``, changes through ``editable_by``. An object
the user cannot see answers 404; one the user can see but not change answers 403.

Serializers: every related field offers only what the requesting user may pick, through the
same two methods (:class:`ScopedChoicesMixin`; :class:`ScopedModelSerializer` for models).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.relations import RelatedField

from accounts.scoping import choices_method, is_editable


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
        return is_editable(obj, self.request.user)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


MODES = {"edit": "editable_by", "view": "visible_to"}


class ScopedChoices(models.Manager):
    """A related field's choices, narrowed for ``user`` only when they are used (to check a
    submitted id or to list choices in a form): reading a list builds none of them."""

    def __init__(self, choices, user, method: str):
        super().__init__()
        self.model = choices.model
        self._choices, self._user, self._method = choices, user, method

    def get_queryset(self):
        choices = self._choices.all()
        if self._user is None:
            return choices.none()  # no request: nothing to pick from (default deny)
        return getattr(choices, self._method)(self._user)


class ScopedChoicesMixin:
    """Related fields offer only what the requesting user may pick, through the scoping path.
    By default every writable related field to a scoped model is narrowed as
    :func:`choices_method` says; ``scoped_choices = {"field": "edit" | "view" | "<queryset
    method taking the user>"}`` chooses otherwise for a field."""

    scoped_choices: dict[str, str] = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, field in fields.items():
            target = getattr(field, "child_relation", field)
            if field.read_only or not isinstance(target, RelatedField) or target.queryset is None:
                continue
            choices = target.queryset
            method = self.scoped_choices.get(name)
            method = MODES.get(method, method) or choices_method(choices.model)
            if method is not None and not isinstance(choices, ScopedChoices):
                target.queryset = ScopedChoices(choices, user, method)
        return fields


class ScopedModelSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    """The base of every serializer of a scoped model."""

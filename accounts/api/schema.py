"""The OpenAPI schema as the API answers. It is a contract checked by tests/test_schemathesis.py:
every answer must match it."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API token issued in the portal, the admin or `manage.py issue_token`.",
        }


# Translated when the schema is built (the hook below), in the language of the request.
ERROR_STATUS_CODES = {
    "400": gettext_noop("The request is not valid: `fields` names each offending field."),
    "401": gettext_noop("No valid credentials were given."),
    "403": gettext_noop("The user (or the token) may not do this."),
    "404": gettext_noop("No such object, or one the user may not see."),
}


def error_schema():
    """The one error format of the API, as config.api.exception_handler writes it."""
    return {
        "type": "object",
        "description": _("The one error format of the API."),
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "example": "invalid"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "description": _("For validation errors: the messages of each offending field."),
                        "additionalProperties": True,
                    },
                    "rows": {
                        "type": "array",
                        "description": _("For a refused spreadsheet import: every row's error."),
                        "items": {"type": "object", "additionalProperties": True},
                    },
                },
            }
        },
    }


def _source_may_be_null(field) -> bool:
    """Whether a read-only field's value can be ``null``: its default is ``None``, or its source
    path crosses a nullable model field (``assigned_to``, ``parent``, ``reward.name``)."""
    if field.default is None:
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for attr in getattr(field, "source_attrs", None) or []:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:  # a property or a method: nothing to tell from the model
            return False
        if getattr(model_field, "null", False):
            return True
        model = model_field.related_model
    return False


class ProjectAutoSchema(AutoSchema):
    """The schema as the API answers:

    * only the standard ``list`` action pages its answer; collection actions (``expiring``,
      ``nearby``, ``overdue_visits``, ``revenue``…) return bare arrays;
    * a read-only field whose source can be null is nullable;
    * a read-only field declared ``required=False`` (``warnings``, ``distance_m``) is only
      sometimes present, so it is not listed as required.
    """

    def _get_paginator(self):
        if getattr(self.view, "action", None) not in (None, "list"):
            return None
        return super()._get_paginator()

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if field.read_only and not meta.get("nullable") and _source_may_be_null(field):
            meta["nullable"] = True
        return meta

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        optional = {
            name
            for name, field in serializer.fields.items()
            if field.read_only and getattr(field, "_kwargs", {}).get("required") is False
        }
        if optional and "required" in result:
            result["required"] = [name for name in result["required"] if name not in optional]
            if not result["required"]:
                del result["required"]
        return result


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the project's error format as a component, declared for 400, 401, 403
    and 404 on every operation that does not declare its own."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = error_schema()
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUS_CODES.items():
                responses.setdefault(
                    code,
                    {"description": _(description), "content": {"application/json": {"schema": reference}}},
                )
    return result

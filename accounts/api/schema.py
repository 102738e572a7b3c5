"""The OpenAPI schema as the API answers. It is a contract checked by tests/test_schemathesis.py:
every answer must match it."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc


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


# The summary of a standard action, translated when the schema is built; %(name)s and
# %(names)s are the model's verbose names.
ACTION_SUMMARIES = {
    "list": gettext_noop("List %(names)s"),
    "retrieve": gettext_noop("Read one %(name)s"),
    "create": gettext_noop("Create one %(name)s"),
    "update": gettext_noop("Replace one %(name)s"),
    "partial_update": gettext_noop("Change one %(name)s"),
    "destroy": gettext_noop("Delete one %(name)s"),
    "export": gettext_noop("Export the filtered %(names)s to Excel"),
}


# The summary of an action named by its route (basename, action) where its docstring does not
# start with one.
ACTION_SUMMARIES_BY_NAME = {
    ("application", "approve"): gettext_noop("Approve an application (bureau)"),
    ("application", "not_recommend"): gettext_noop("Do not recommend an application (street office)"),
    ("application", "recommend"): gettext_noop("Recommend an application (street office)"),
    ("application", "reject"): gettext_noop("Reject an application (bureau)"),
    ("application", "return_"): gettext_noop("Return an application for changes"),
    ("application", "submit"): gettext_noop("Submit an application"),
    ("entrustment-agreement", "expiring"): gettext_noop("Agreements ending within 90 days"),
    ("evaluation-finding", "comment"): gettext_noop("Comment on a finding"),
    ("evaluation-run", "run"): gettext_noop("Evaluate a month now"),
    ("export-job", "download"): gettext_noop("Download the workbook of a finished export"),
    ("guidance-target", "import_table"): gettext_noop("Import the guidance table (all or nothing)"),
    ("guidance-target", "progress"): gettext_noop("Guidance targets against progress in a county"),
    ("guidance-target", "progress_export"): gettext_noop("Guidance targets against progress as a workbook"),
    ("order", "assign"): gettext_noop("Assign an order to a staff member"),
    ("order", "cancel"): gettext_noop("Cancel an order"),
    ("order", "complete"): gettext_noop("Complete an order (writes the service record)"),
    ("pilot-milestone", "complete"): gettext_noop("Complete a milestone with its evidence"),
    ("points-entry", "reverse"): gettext_noop("Reverse a points entry"),
    ("points-entry", "spend"): gettext_noop("Spend points on a reward"),
    ("points-entry", "statement"): gettext_noop("A volunteer's points statement for a period"),
    ("qualification", "expiring"): gettext_noop("Qualifications expiring within the warning period"),
    ("resident-link-request", "refuse"): gettext_noop("Refuse a link request"),
    ("resident-link-request", "withdraw"): gettext_noop("Withdraw a link request"),
    ("room-application", "act"): gettext_noop("Take the next step of a use application"),
    ("room-inspection", "photos"): gettext_noop("Upload photos of an inspection"),
    ("room-violation", "close"): gettext_noop("Close a violation"),
    ("room-violation", "rectify"): gettext_noop("Record a violation's rectification"),
    ("service-record", "rate"): gettext_noop("Record the resident's rating of a service"),
    ("station", "change_status"): gettext_noop("Change a station's status"),
    ("station", "nearby"): gettext_noop("Operating stations near a point, nearest first"),
    ("station", "revenue"): gettext_noop("Elderly-care revenue per station per month"),
    ("station", "revenue_export"): gettext_noop("Revenue per station per month as a workbook"),
    ("token", "revoke"): gettext_noop("Revoke a token"),
    ("training-session", "import_scores"): gettext_noop("Import a session's scores (all or nothing)"),
    ("training-session", "progress"): gettext_noop("Training against the yearly target in a district"),
    ("staff", "duties"): gettext_noop("What each person and station did in a month"),
    ("me", None): gettext_noop("The signed-in user, organisations, roles and regions"),
}


def _first_sentence(text: str) -> str:
    line = " ".join(text.strip().split("\n\n")[0].split())
    sentence = line.split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= 100 else sentence[:97].rstrip() + "…"


class ProjectAutoSchema(AutoSchema):
    """The schema as the API answers:

    * only the standard ``list`` action pages its answer; collection actions (``expiring``,
      ``nearby``, ``overdue_visits``, ``revenue``…) return bare arrays;
    * a read-only field whose source can be null is nullable;
    * a read-only field declared ``required=False`` (``warnings``, ``distance_m``) is only
      sometimes present, so it is not listed as required;
    * every operation has a summary: the standard actions' from the model's names (in the
      language of the request), another action's from the first sentence of its docstring.
    """

    def get_summary(self):
        action = getattr(self.view, "action", None)
        queryset = getattr(self.view, "queryset", None)
        if action in ACTION_SUMMARIES and queryset is not None:
            meta = queryset.model._meta
            return capfirst(
                _(ACTION_SUMMARIES[action]) % {"name": meta.verbose_name, "names": meta.verbose_name_plural}
            )
        named = ACTION_SUMMARIES_BY_NAME.get((getattr(self.view, "basename", None), action))
        if named is None and action is None and self.path.rstrip("/").endswith("/me"):
            named = ACTION_SUMMARIES_BY_NAME[("me", None)]
        if named is not None:
            return _(named)
        described = get_doc(getattr(self.view, action or self.method.lower(), None))
        if described:
            return _first_sentence(described)
        name = (action or self.method.lower()).replace("_", " ").strip()
        if queryset is not None:
            return f"{capfirst(name)}: {queryset.model._meta.verbose_name}"
        return capfirst(name)

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


# ``staff`` across the API is a staff member's id; the filters and fields refuse other forms so.
STAFF_ID_MESSAGE = gettext_noop(
    "Give the id of a staff member (from /api/v1/staff/), not a login name or a user id."
)


def _error_example(code, message, **extra):
    return {"value": {"error": {"code": code, "message": message, **extra}}}


def error_examples(status_code: str) -> dict:
    """An example answer for each documented error status, in the request's language."""
    if status_code == "400":
        return {
            "invalid": {
                "summary": _("A field refused"),
                **_error_example(
                    "invalid",
                    _("The submitted data is not valid."),
                    fields={"staff": [_(STAFF_ID_MESSAGE)]},
                ),
            },
            "unknown_parameter": {
                "summary": _("An unknown query parameter"),
                **_error_example(
                    "invalid",
                    _("The submitted data is not valid."),
                    fields={
                        "staus": [
                            _("Unknown parameter “%(name)s”. This list accepts: %(allowed)s.")
                            % {"name": "staus", "allowed": "page, page_size, staff, status"}
                        ]
                    },
                ),
            },
            "parse_error": {
                "summary": _("A body that is not JSON"),
                **_error_example(
                    "parse_error",
                    _(
                        "The request body is not valid JSON: line %(line)d, column %(column)d. Send a "
                        "JSON object with Content-Type: application/json."
                    )
                    % {"line": 1, "column": 2},
                ),
            },
        }
    messages = {
        "401": ("not_authenticated", _("Authentication credentials were not provided.")),
        "403": ("permission_denied", _("You may view this record but not change it.")),
        "404": ("not_found", _("Not found.")),
    }
    code, message = messages[status_code]
    return {code: {"summary": message, **_error_example(code, message)}}


# Request and answer examples of the operations integrators use most (by operationId).
OPERATION_EXAMPLES = {
    "orders_create": {
        "request": {
            "resident": 12,
            "station": 3,
            "category": "meals",
            "requested_at": "2026-05-06T11:00:00+08:00",
            "is_emergency": False,
            "note": "少盐",
        },
        "response": (
            "201",
            {
                "id": 501,
                "resident": 12,
                "resident_name": "王*英",
                "station": 3,
                "category": "meals",
                "status": "open",
                "staff": None,
                "staff_name": None,
            },
        ),
    },
    "orders_assign_create": {
        "request": {"staff": 7},
        "response": ("200", {"id": 501, "status": "assigned", "staff": 7, "staff_name": "张服务"}),
    },
    "orders_complete_create": {
        "request": {
            "started_at": "2026-05-06T11:05:00+08:00",
            "ended_at": "2026-05-06T11:35:00+08:00",
            "quantity": "1",
            "notes": "送餐到家",
        },
        "response": ("200", {"id": 501, "status": "completed", "staff": 7, "staff_name": "张服务"}),
    },
    "orders_cancel_create": {"request": {"reason": "老人住院"}},
    "service_records_create": {
        "request": {
            "resident": 12,
            "station": 3,
            "category": "cleaning",
            "staff": 7,
            "started_at": "2026-05-06T09:00:00+08:00",
            "ended_at": "2026-05-06T10:00:00+08:00",
        },
        "response": (
            "201",
            {
                "id": 90001,
                "resident": 12,
                "station": 3,
                "category": "cleaning",
                "staff": 7,
                "staff_name": "张服务",
                "duration_minutes": 60,
            },
        ),
    },
    "service_records_rate_create": {"request": {"rating": 5}},
    "residents_search_create": {"request": {"id_number": "310105194501011234"}},
    "stations_nearby_list": {
        "response": (
            "200",
            [{"id": 3, "name": "华阳路街道为老服务站", "status": "operating", "distance_m": 420}],
        ),
    },
}


def _add_examples(operation):
    examples = OPERATION_EXAMPLES.get(operation.get("operationId"), {})
    if "request" in examples:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            media["examples"] = {"example": {"value": examples["request"]}}
    if "response" in examples:
        status_code, body = examples["response"]
        content = operation["responses"].get(status_code, {}).get("content", {})
        if "application/json" in content:
            content["application/json"]["examples"] = {"example": {"value": body}}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the project's error format as a component, declared with examples
    for 400, 401, 403 and 404 on every operation; the examples of the main operations."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = error_schema()
    reference = {"$ref": "#/components/schemas/Error"}
    # each error example once, in components, referred to by every operation
    shared = result["components"].setdefault("examples", {})
    examples = {}
    for code in ERROR_STATUS_CODES:
        examples[code] = {}
        for name, example in error_examples(code).items():
            shared[f"Error{code}_{name}"] = example
            examples[code][name] = {"$ref": f"#/components/examples/Error{code}_{name}"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUS_CODES.items():
                responses.setdefault(
                    code,
                    {"description": _(description), "content": {"application/json": {"schema": reference}}},
                )
                content = (
                    responses[code]
                    .setdefault("content", {})
                    .setdefault("application/json", {"schema": reference})
                )
                content.setdefault("examples", examples[code])
            _add_examples(operation)
    return result

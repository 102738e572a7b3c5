"""The API's body parsers (``DEFAULT_PARSER_CLASSES``). A module of its own: DRF imports it
while its views module is still loading, so it may import nothing but parsers and exceptions."""

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, its refusal in the user's language and saying where the body
    stops being JSON (DRF's own message is English only)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _(
                    "The request body is not valid JSON: line %(line)d, column %(column)d. Send a "
                    "JSON object with Content-Type: application/json."
                ) % {"line": cause.lineno, "column": cause.colno}
            else:
                message = _("The request body is not valid JSON text in UTF-8.")
            raise exceptions.ParseError(message) from exc

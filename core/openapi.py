"""The published OpenAPI schema (``/api/v1/schema/``), built once per process rather than on
every request: generating it walks every viewset and serializer, well over a second. The code
cannot change under a running process, so a process keeps what it built (by language, format
and settings); a deploy starts new processes, which build it again on their first request."""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

# The schema of this process's code, by language, format and settings: built on the first
# request after a deploy (or a restart) and kept for the life of the process.
_SCHEMAS: dict[tuple, tuple[bytes, str, dict]] = {}


def schema_cache_key(request, renderer) -> tuple:
    """What the published schema depends on besides the code: its language, its format and
    the settings it is built from (a test's override builds its own)."""
    # only the languages the portal has: any other ?lang= must not grow the cache
    asked = request.GET.get("lang")
    language = asked if asked in dict(settings.LANGUAGES) else get_language()
    spectacular = repr(sorted((key, repr(value)) for key, value in settings.SPECTACULAR_SETTINGS.items()))
    return (
        settings.SPECTACULAR_SETTINGS.get("VERSION"),
        hashlib.sha256(spectacular.encode()).hexdigest(),
        language,
        renderer.media_type,
        request.version,
    )


class CachedSchemaView(SpectacularAPIView):
    """``/api/v1/schema/``, generated once per process and language rather than on every
    request (generating it walks every viewset and serializer: over a second)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.cache_key = schema_cache_key(request, request.accepted_renderer)
        cached = _SCHEMAS.get(self.cache_key)
        if cached is not None:
            content, content_type, headers = cached
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers.items():
                response[name] = value
            return response
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "cache_key", None)
        if key is not None and key not in _SCHEMAS and response.status_code == 200:
            response.render()
            headers = {"Content-Disposition": response["Content-Disposition"]}
            _SCHEMAS[key] = (response.content, response["Content-Type"], headers)
        return response


def clear_schema_cache():
    _SCHEMAS.clear()

import time

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .audit import Channel, audit_context
from .uploads import files_kept_only_if_used


def channel_for_path(path: str) -> str:
    if path.startswith("/admin/"):
        return Channel.ADMIN
    if path.startswith("/api/"):
        return Channel.API
    return Channel.PORTAL


class AuditContextMiddleware:
    """Attributes audit entries written during a request to its user and channel. The user is
    read from the request when an entry is written, after DRF's token authentication ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request=request, channel=channel_for_path(request.path_info)):
            return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Chinese unless the user picked another language with the switch (cookie).
    A browser's Accept-Language is ignored for pages — an officer's English-language browser still
    gets the Chinese portal — but honoured by the API, whose clients set it on purpose."""

    def process_request(self, request):
        if request.path_info.startswith("/api/") and not request.path_info.startswith("/api/v1/docs"):
            return super().process_request(request)
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not code or not translation.check_for_language(code) or code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


def too_large_response(request, limit: int):
    """413 in the API's error format for /api/, as a portal page elsewhere. The message states
    the largest file people may upload (the request cap adds a margin for the form around it)."""

    largest = min(limit, max(settings.UPLOAD_MAX_BYTES, settings.SPREADSHEET_MAX_UPLOAD_BYTES))
    message = _("The upload is too large: a file may have at most %(limit)s MB.") % {
        "limit": f"{largest / 2**20:g}"
    }
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": {"code": "request_too_large", "message": message}}, status=413)
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return render(request, "accounts/upload_refused.html", {"message": message, "back": back}, status=413)


class UploadGuardMiddleware:
    """Refuses a request whose declared body is larger than ``REQUEST_MAX_BYTES`` before any
    of it is read (Django would otherwise receive a 300 MB upload in full before the form
    refused it). Django reads no more than Content-Length, so the declared length bounds the
    read; an upload streamed past the cap is stopped by ``accounts.uploads.CappedUploadHandler``,
    which marks the request so that its answer becomes this 413 too. A request that fails
    (4xx/5xx) after writing an uploaded file leaves no file behind that no row refers to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large_response(request, limit)
        response = None
        with files_kept_only_if_used(lambda: response is None or response.status_code >= 400):
            response = self.get_response(request)
        refused = getattr(request, "upload_refused_at", None)
        if refused is not None:
            return too_large_response(request, refused)
        return response


class SessionRefreshMiddleware:
    """Idle sessions expire ``SESSION_COOKIE_AGE`` after the last request, without writing the
    session on every request (an API read would otherwise cost a session UPDATE and a commit):
    a session is saved when it changed, or when it was last saved more than
    ``SESSION_REFRESH_SECONDS`` ago, which moves its expiry on. The idle timeout therefore holds
    to within that many seconds. Sits below SessionMiddleware, which does the saving."""

    STAMP = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no session cookie: nothing is loaded, nothing to save
        now = int(time.time())
        if session.modified or now - session.get(self.STAMP, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.STAMP] = now
        return response

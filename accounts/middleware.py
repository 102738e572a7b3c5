from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .audit import Channel, audit_context


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

"""Content-Security-Policy and Permissions-Policy on every response.

Django 5.2 has no CSP support of its own (it arrives in 6.0, which needs Python 3.12), so this
middleware sends the two policies written in settings (``CONTENT_SECURITY_POLICY``,
``PERMISSIONS_POLICY``). The portal, the admin and the API docs load scripts and styles only
from files under /static/, never inline, so the policy can forbid inline code: a stored
script that slipped past escaping would not run. A response that already carries a policy
keeps its own.
"""

from django.conf import settings


def _content_security_policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


def _permissions_policy(features: dict[str, list[str]]) -> str:
    return ", ".join(f"{name}=({' '.join(allowed)})" for name, allowed in features.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": _content_security_policy(settings.CONTENT_SECURITY_POLICY),
            "Permissions-Policy": _permissions_policy(settings.PERMISSIONS_POLICY),
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and name not in response:
                response[name] = value
        return response

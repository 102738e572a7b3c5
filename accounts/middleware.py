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

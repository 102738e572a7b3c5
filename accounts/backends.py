from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from . import services


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing a (username, client address) pair that is locked after
    repeated failures, or an address that is throttled, whatever form or view calls
    ``authenticate``. Failures are counted by the ``user_login_failed`` receiver."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        allowed, _reason = services.login_allowed(username, services.client_address(request))
        if not allowed:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

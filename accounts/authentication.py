from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import services
from .models import ApiToken, hash_token_secret


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <secret>`` with a token issued by ``issue_token`` or the API."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: give “Bearer <token>”."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token contains invalid characters.")) from exc
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token_secret(secret)).first()
        if token is None:
            # A guessed token counts against the client address like a wrong password, and a
            # throttled address is refused (429). A real token is 256 bits and cannot be guessed,
            # so it is honoured even from a throttled address (colleagues behind the same NAT).
            address = services.client_address(request)
            until, reason = services.address_lock(address)
            if until is not None:
                raise exceptions.Throttled(wait=(until - timezone.now()).total_seconds(), detail=reason)
            services.record_login_failure("", address)
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."))
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(
                _("The token expired on %(date)s; ask for a new one.")
                % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        # Record use at most once a minute, so reads do not turn into a write each.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services


class LockoutMixin:
    """Refuse a locked account before the password is even checked, with a message saying so."""

    def clean(self):
        username = self.cleaned_data.get("username")
        allowed, reason = services.login_allowed(username)
        if not allowed:
            raise ValidationError(reason, code="locked")
        try:
            return super().clean()
        except ValidationError:
            # The wrong password that reached the limit locks the account: say so at once.
            allowed, reason = services.login_allowed(username)
            if not allowed:
                raise ValidationError(reason, code="locked") from None
            raise


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    pass


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=100, help_text=_("What the token is for, e.g. 呼叫中心对接")
    )
    read_only = forms.BooleanField(label=_("read-only"), required=False)
    expires_days = forms.IntegerField(
        label=_("valid for (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that does not expire."),
    )


class OrganizationContactForm(forms.ModelForm):
    """What an organisation's own members may keep current in the portal. Kind, region, credit
    code and licence are confirmed by the bureau in the admin."""

    class Meta:
        from .models import Organization

        model = Organization
        fields = ["address", "contact_person", "contact_phone"]

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import PhoneField
from regions.forms import RegionChoiceField
from regions.models import Level, Region

from . import services
from .models import Organization, OrganizationKind
from .services import SELF_REGISTERING_KINDS


class LockoutMixin:
    """Refuse a locked (username, address) pair or a throttled address before the password is
    even checked, with a message that is the same whether the name exists or not."""

    def clean(self):
        username = self.cleaned_data.get("username")
        address = services.client_address(self.request)
        allowed, reason = services.login_allowed(username, address)
        if not allowed:
            raise ValidationError(reason, code="locked")
        try:
            return super().clean()
        except ValidationError:
            # The failure that reached the limit locks the pair: say so at once.
            allowed, reason = services.login_allowed(username, address)
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
        help_text=_("Leave empty for the longest lifetime allowed."),
    )


class OrganizationContactForm(forms.ModelForm):
    """What an organisation's own members may keep current in the portal. Kind, region, credit
    code and licence are confirmed by the bureau in the admin."""

    class Meta:
        model = Organization
        fields = ["address", "contact_person", "contact_phone", "hotline", "elderly_care_since"]
        widgets = {"elderly_care_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"contact_phone": PhoneField, "hotline": PhoneField}


class LicenceScanForm(forms.Form):
    scan = forms.FileField(
        label=_("business licence scan"),
        help_text=_(
            "A PDF, PNG or JPEG of the business licence (营业执照), showing the name and credit code."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class RegistrationForm(forms.Form):
    """A company (or committee, social organisation...) registers with its first user."""

    kind = forms.ChoiceField(label=_("kind"))
    organization_name = forms.CharField(label=_("unit name"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18, required=False)
    region = RegionChoiceField(label=_("street / town"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("contact person"), max_length=50)
    contact_phone = PhoneField(label=_("contact phone"), max_length=30)
    username = forms.RegexField(label=_("username"), regex=r"^[\w.@+-]{3,150}$", max_length=150)
    name = forms.CharField(label=_("full name"), max_length=50)
    email = forms.EmailField(label=_("e-mail"), required=False)
    password1 = forms.CharField(label=_("password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("password again"), widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k, v) for k, v in OrganizationKind.choices if k in SELF_REGISTERING_KINDS
        ]
        self.fields["region"].queryset = Region.objects.filter(level__gte=Level.STREET)

    def organization_data(self) -> dict:
        """The unit's fields as the registration service takes them (those the form accepted)."""
        names = {"organization_name": "name"}
        fields = (
            "kind",
            "organization_name",
            "credit_code",
            "region",
            "address",
            "contact_person",
            "contact_phone",
        )
        return {names.get(f, f): self.cleaned_data[f] for f in fields if f in self.cleaned_data}

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        # Every rule of the service at once, beside its field, for what the form accepted.
        errors = services.registration_errors(
            organization=self.organization_data(),
            username=data.get("username"),
            password=data.get("password1"),
            name=data.get("name", ""),
            email=data.get("email", ""),
        )
        for field, messages in errors.items():
            target = "password1" if field == "password" else field
            target = target if target in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, messages)
        return data

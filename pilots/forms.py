from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from regions.models import Region

from .models import Application, PilotType


class ApplicationForm(forms.ModelForm):
    """The form of 001's 附件2; the rules are checked by the services on save and on submit."""

    site_region = forms.ModelChoiceField(
        label=_("site (street or community)"),
        queryset=Region.objects.none(),
        help_text=_("The street/town or community where the project is carried out."),
    )

    class Meta:
        model = Application
        fields = [
            "pilot_type",
            "site_region",
            "site_address",
            "unit_introduction",
            "project_lead",
            "phone",
            "background",
            "goals",
            "execution_plan",
            "guarantee_premises",
            "guarantee_resources",
            "guarantee_staff",
            "guarantee_funds",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "unit_introduction",
                "background",
                "goals",
                "execution_plan",
                "guarantee_premises",
                "guarantee_resources",
                "guarantee_staff",
                "guarantee_funds",
            )
        }

    def __init__(self, *args, programme=None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_region"].queryset = Region.objects.subtree(programme.region.code).filter(
            level__gte=4
        )
        offered = set(programme.quotas.values_list("pilot_type", flat=True))
        self.fields["pilot_type"].choices = [(v, label) for v, label in PilotType.choices if v in offered]
        if self.instance.pk:
            self.fields["pilot_type"].disabled = True
        elif organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("applicant unit"),
                queryset=organizations,
                initial=organizations.first(),
            )
            self.order_fields(["organization", *self.Meta.fields])


class OpinionForm(forms.Form):
    text = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    scan = forms.FileField(label=_("scan of the sealed form"), required=False)
    quota_override_reason = forms.CharField(
        label=_("reason for exceeding the quota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("PDF, JPG/PNG, Word or Excel; checked by content."))
    name = forms.CharField(label=_("name"), required=False, max_length=200)


def applicant_organizations(user):
    return Organization.objects.editable_by(user).exclude(
        kind__in=["civil_affairs", "housing", "street_office"]
    )

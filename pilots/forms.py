from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from regions.forms import RegionChoiceField
from regions.models import Region

from .models import Application, PilotType

# The application form of 001's 附件2, filled in steps; each step saves the draft.
STEPS = [
    (_("Unit, type and site"), ["pilot_type", "site_region", "site_address", "project_lead", "phone"]),
    (_("Unit introduction and background"), ["unit_introduction", "background"]),
    (_("Goals and execution plan"), ["goals", "execution_plan"]),
    (_("Guarantees"), ["guarantee_premises", "guarantee_resources", "guarantee_staff", "guarantee_funds"]),
]
TEXT_AREAS = (
    "unit_introduction",
    "background",
    "goals",
    "execution_plan",
    "guarantee_premises",
    "guarantee_resources",
    "guarantee_staff",
    "guarantee_funds",
)


class ApplicationForm(forms.ModelForm):
    """One step of the application form. The rules (eligibility, who may edit) are the
    services'; a draft may be incomplete until it is submitted."""

    site_region = RegionChoiceField(
        label=_("site (street or community)"),
        queryset=Region.objects.none(),
        help_text=_("The street/town or community where the project is carried out."),
    )

    class Meta:
        model = Application
        fields = [name for _title, names in STEPS for name in names]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in TEXT_AREAS}

    def __init__(self, *args, programme, step=1, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(STEPS[step - 1][1])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "site_region" in self.fields:
            self.fields["site_region"].queryset = Region.objects.subtree(programme.region.code).filter(
                level__gte=4
            )
        if "pilot_type" in self.fields:
            offered = set(programme.quotas.values_list("pilot_type", flat=True))
            self.fields["pilot_type"].choices = [(v, label) for v, label in PilotType.choices if v in offered]
            if self.instance.pk:
                self.fields["pilot_type"].disabled = True
        if not self.instance.pk and organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("applicant unit"), queryset=organizations, initial=organizations.first()
            )
            self.order_fields(["organization", *STEPS[0][1]])
        for name, field in self.fields.items():
            if name in TEXT_AREAS or name in ("site_address", "project_lead", "phone"):
                field.required = False  # a draft may be saved unfinished; submission checks it


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


class MilestoneCompletionForm(forms.Form):
    completed_on = forms.DateField(
        label=_("completed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 2}))


class ShowcaseCaseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=_("photo"), required=False, help_text=_("JPG or PNG."))


class SummaryReportForm(forms.Form):
    summary_report = forms.CharField(
        label=_("summary report"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

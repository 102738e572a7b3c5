from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.forms import MultipleFileField
from regions.forms import RegionChoiceField
from regions.models import Region

from .models import Application, PilotType
from .services import REASONED

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
    """The reviewer's card: the opinion, the scan of the sealed form and, when approving beyond
    the quota, the reason. ``action`` keeps only what that step takes; the rules are the
    services' (a reason for a return or a refusal, the quota)."""

    text = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    scan = forms.FileField(
        label=_("scan of the sealed form"),
        required=False,
        help_text=_("PDF, JPG/PNG, Word or Excel; checked by content."),
    )
    quota_override_reason = forms.CharField(
        label=_("reason for exceeding the quota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        if action == "withdraw":
            del self.fields["scan"], self.fields["quota_override_reason"]
            self.fields["text"].label = _("reason for withdrawing (optional)")
        elif action is not None and action != "approve":
            del self.fields["quota_override_reason"]
        if action in REASONED:
            self.fields["text"].help_text = _("Required: the unit reads it as the reason.")


class PilotListWithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawing the pilot list"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public page and sent to the pilot units and the applicants."),
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
        label=_("completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today if left empty."),
    )
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    files = MultipleFileField(
        label=_("evidence files"),
        required=False,
        help_text=_("Photos, scans or documents (PDF, JPG/PNG, Word, Excel); checked by content."),
    )


class ShowcaseCaseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=_("photo"), required=False, help_text=_("JPG or PNG."))


class SummaryReportForm(forms.Form):
    summary_report = forms.CharField(
        label=_("summary report"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

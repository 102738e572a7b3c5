import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import MultipleFileField, MultipleFileInput
from regions.forms import RegionChoiceField
from regions.models import Region

from .api.filters import CareRoomFilter
from .models import Compound, HandoverState, OperatingMode, OperatingState, ViolationKind
from .services import APPLICATION_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectionForm(forms.Form):
    """What an inspector writes down (the first of two steps; the photos come with the second,
    the confirmation, so a refused form never loses a photo taken)."""

    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("violation found"),
        choices=[("", pgettext_lazy("violation", "none")), *ViolationKind.choices],
        required=False,
    )
    description = forms.CharField(label=_("description of the violation"), required=False, max_length=500)
    rectify_by = forms.DateField(label=_("rectify by"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("rectify_by"):
            self.add_error("rectify_by", _("A violation needs a rectification deadline."))
        if data.get("rectify_by") and not data.get("kind"):
            self.add_error("kind", _("Choose the violation the deadline is for."))
        return data

    def violations(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("kind"):
            return []
        return [{"kind": data["kind"], "description": data["description"], "rectify_by": data["rectify_by"]}]


# A phone opens its camera for this input; the service checks each photo by its content.
CAMERA = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})


class PhotosForm(forms.Form):
    photos = MultipleFileField(
        label=_("photos"),
        required=False,
        widget=CAMERA,
        help_text=_("Take them with the phone's camera or choose files: JPEG or PNG, several at once."),
    )


class RectifyForm(forms.Form):
    action_taken = forms.CharField(label=_("action taken"), max_length=1000)


class StepForm(forms.Form):
    """A step of the use procedure: what was said; subclasses add the step's own inputs. The
    service checks the rules (an opinion the bureau must write, the approval's number)."""

    text = forms.CharField(label=_("what was said"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action="", **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")  # several steps' forms on one page
        super().__init__(*args, **kwargs)
        self.action = action

    def details(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ApplyForm(StepForm):
    residents = forms.IntegerField(label=_("residents"), min_value=0, required=False)
    elderly_residents = forms.IntegerField(label=_("elderly residents (60+)"), min_value=0, required=False)
    room_area = forms.DecimalField(label=_("room area (m²)"), min_value=0, required=False)
    operating_mode = forms.ChoiceField(
        label=_("operating mode"), choices=[("", _("choose…")), *OperatingMode.choices]
    )
    services = forms.CharField(
        label=pgettext_lazy("service content", "services offered"), widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = [*APPLICATION_FIELDS, "text"]


class ApproveForm(StepForm):
    city_approval_number = forms.CharField(label=_("city approval number"), max_length=100)
    city_approved_on = forms.DateField(label=_("city approved on"), widget=DATE)
    field_order = ["city_approval_number", "city_approved_on", "text"]


class SignForm(StepForm):
    number = forms.CharField(label=_("agreement number"), max_length=100)
    signed_on = forms.DateField(label=_("signed on"), required=False, widget=DATE)
    starts_on = forms.DateField(label=_("starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(
        label=_("ends on"),
        required=False,
        widget=DATE,
        help_text=_("Default: three years from the start."),
    )
    field_order = ["number", "signed_on", "starts_on", "ends_on", "text"]


STEP_FORMS = {"apply": ApplyForm, "approve": ApproveForm, "sign": SignForm}


def step_form(action: str, application, data=None) -> StepForm:
    """The form of ``action``; the application form starts from the compound's figures."""
    initial = {}
    if action == "apply":
        initial = {
            "residents": application.room.compound.residents,
            "elderly_residents": application.room.compound.elderly_residents,
            "room_area": application.room.area,
        }
    return STEP_FORMS.get(action, StepForm)(data, action=action, initial=initial)


class CountyForm(forms.Form):
    """The county of the progress table: those the user has targets for, the one shown selected."""

    county = RegionChoiceField(
        label=_("county"),
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=_("choose…"),
    )

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties if counties is not None else Region.objects.none()


ANY = _("any")
YES_NO_ANY = [("", ANY), ("true", pgettext_lazy("answer", "yes")), ("false", pgettext_lazy("answer", "no"))]


class RegistryFilter(CareRoomFilter):
    """The registry page's filters: each empty choice reads 不限 (any), yes/no reads 不限/是/否, and
    the compound is picked by its name among the user's compounds, not typed as an id."""

    compound = django_filters.ModelChoiceFilter(
        field_name="compound",
        label=_("compound"),
        queryset=lambda request: Compound.objects.visible_to(request.user).order_by("name"),
        empty_label=ANY,
    )
    handover_state = django_filters.ChoiceFilter(
        label=_("handover"), choices=HandoverState.choices, empty_label=ANY
    )
    operating_state = django_filters.ChoiceFilter(
        label=_("operation"), choices=OperatingState.choices, empty_label=ANY
    )
    operating_mode = django_filters.ChoiceFilter(
        label=_("operating mode"), choices=OperatingMode.choices, empty_label=ANY
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("past the deadline and not operating"),
        widget=forms.Select(choices=YES_NO_ANY),
    )
    due_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label=_("must operate by (on or before)"), widget=DATE
    )

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regions.forms import RegionChoiceField
from regions.models import Region

from .models import OperatingMode, ViolationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label=_("violation found"), choices=[("", "—"), *ViolationKind.choices], required=False
    )
    description = forms.CharField(label=_("description"), required=False, max_length=500)
    rectify_by = forms.DateField(label=_("rectify by"), required=False, widget=DATE)
    photos = MultipleFileField(label=_("photos"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("rectify_by"):
            self.add_error("rectify_by", _("A violation needs a rectification deadline."))
        return data


class RectifyForm(forms.Form):
    action_taken = forms.CharField(label=_("action taken"), max_length=1000)


class ApplyForm(forms.Form):
    residents = forms.IntegerField(label=_("residents"), min_value=0, required=False)
    elderly_residents = forms.IntegerField(label=_("elderly residents (60+)"), min_value=0, required=False)
    room_area = forms.DecimalField(label=_("room area (m²)"), min_value=0, required=False)
    operating_mode = forms.ChoiceField(label=_("operating mode"), choices=OperatingMode.choices)
    services = forms.CharField(
        label=pgettext_lazy("use application", "services"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CountyForm(forms.Form):
    county = RegionChoiceField(
        label=_("county"),
        queryset=Region.objects.filter(code__regex=r"^(\d{4}|\d{6})$"),
        to_field_name="code",
    )

"""Forms of the company's own pages: a station's particulars (with its hours per weekday and its
position), its photos, and a resident's contact details and consent."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from regions.models import Level, Region

from .hours import WEEKDAYS, day_name, parse_periods
from .models import Floor, ServiceCategory

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _time_field(label):
    return forms.TimeField(label=label, required=False, widget=TIME, input_formats=["%H:%M", "%H:%M:%S"])


class StationForm(forms.Form):
    """A station's particulars. The hours are asked day by day (an opening and a closing time,
    and a second period for a day with a midday break); a day left empty is closed."""

    operator = forms.ModelChoiceField(label=_("operator"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("name"), max_length=100)
    region = RegionChoiceField(
        label=_("street or community"), queryset=Region.objects.none(), empty_label=_("— choose —")
    )
    address = forms.CharField(label=_("address"), max_length=200)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    floor = forms.ChoiceField(label=_("premises floor"), choices=Floor.choices)
    area = forms.DecimalField(
        label=_("area (m²)"), max_digits=8, decimal_places=1, min_value=0, required=False
    )
    capacity = forms.IntegerField(label=_("capacity"), min_value=0, required=False)
    services = forms.MultipleChoiceField(
        label=_("services offered"),
        choices=ServiceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours_note = forms.CharField(
        label=_("opening hours note"),
        max_length=200,
        required=False,
        help_text=_("e.g. closed on public holidays; emergency help round the clock."),
    )
    latitude = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )

    def __init__(self, *args, operators=(), station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        if station is not None and station.pk:
            del self.fields["operator"]
            district = station.region.code[:6]
        else:
            operator = self.fields["operator"]
            operator.queryset = Organization.objects.filter(pk__in=[o.pk for o in operators])
            if len(operators) == 1:
                operator.initial = operators[0].pk
                operator.widget = forms.HiddenInput()
            districts = {o.region.code[:6] for o in operators if o.region_id}
            district = sorted(districts)[0] if len(districts) == 1 else None
        regions = Region.objects.filter(level__gte=Level.STREET)
        if district:
            regions = regions.filter(code__startswith=district)
        elif operators:
            regions = regions.filter(code__regex=r"^(" + "|".join(sorted(districts)) + ")")
        self.fields["region"].queryset = regions.order_by("code")
        for day in WEEKDAYS:
            self.fields[f"{day}_opens"] = _time_field(_("opens"))
            self.fields[f"{day}_closes"] = _time_field(_("closes"))
            self.fields[f"{day}_opens2"] = _time_field(_("reopens"))
            self.fields[f"{day}_closes2"] = _time_field(_("closes"))

    @staticmethod
    def initial_for(station) -> dict:
        """The form's values for a stored station: its fields and its hours day by day."""
        initial = {
            name: getattr(station, name)
            for name in ("name", "address", "phone", "floor", "area", "capacity", "services", "hours_note")
        }
        initial |= {
            "region": station.region_id,
            "latitude": station.latitude,
            "longitude": station.longitude,
        }
        for day in WEEKDAYS:
            try:
                periods = parse_periods((station.opening_hours or {}).get(day, ""))
            except ValueError:
                periods = []
            for (start, end), suffix in zip(periods[:2], ("", "2"), strict=False):
                initial[f"{day}_opens{suffix}"] = start
                initial[f"{day}_closes{suffix}"] = None if end == dt.time.max else end
        return initial

    HOUR_PARTS = ("opens", "closes", "opens2", "closes2")

    def hour_rows(self):
        """(day label, the four fields, whether the day has an error) per weekday."""
        rows = []
        for day in WEEKDAYS:
            fields = [self[f"{day}_{part}"] for part in self.HOUR_PARTS]
            rows.append((day_name(day), fields, any(field.errors for field in fields)))
        return rows

    def hour_errors(self):
        """The hours' errors above the table: a time that cannot be read names its day."""
        errors = []
        for day in WEEKDAYS:
            for part in self.HOUR_PARTS:
                for error in self.errors.get(f"{day}_{part}", []):
                    errors.append(error if part == "opens" else f"{day_name(day)}：{error}")
        return errors

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            periods = []
            for suffix in ("", "2"):
                start, end = data.get(f"{day}_opens{suffix}"), data.get(f"{day}_closes{suffix}")
                if start is None and end is None:
                    continue
                label = day_name(day)
                if start is None or end is None:
                    self.add_error(
                        f"{day}_opens",
                        _("%(day)s: give both the opening and the closing time, or neither.")
                        % {"day": label},
                    )
                    break
                if end <= start:
                    self.add_error(
                        f"{day}_opens",
                        _("%(day)s: the closing time %(end)s is not after the opening time %(start)s.")
                        % {"day": label, "end": end.strftime("%H:%M"), "start": start.strftime("%H:%M")},
                    )
                    break
                if periods and start < periods[-1][1]:
                    self.add_error(
                        f"{day}_opens",
                        _("%(day)s: the second period must begin after the first one ends.") % {"day": label},
                    )
                    break
                periods.append((start, end))
            if periods:
                hours[day] = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in periods)
        data["opening_hours"] = hours
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        return data

    def station_fields(self) -> dict:
        """What the service is given (``stations.services.save_station``)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "name",
                "region",
                "address",
                "phone",
                "floor",
                "area",
                "capacity",
                "services",
                "hours_note",
                "latitude",
                "longitude",
                "opening_hours",
            )
        }
        fields["name"], fields["address"] = fields["name"].strip(), fields["address"].strip()
        if "operator" in self.fields:
            fields["operator"] = data["operator"]
        return fields


class StationPhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("photo"),
        help_text=_("PNG or JPEG; checked by content."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)


class ResidentContactForm(forms.Form):
    """A person's phone, address and consent. The phone is never shown in full here: typing a
    number replaces it, an empty field keeps it."""

    phone = forms.CharField(label=_("new phone"), max_length=20, required=False)
    remove_phone = forms.BooleanField(label=_("remove the phone number"), required=False)
    community = RegionChoiceField(label=_("community"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    consent_on = forms.DateField(label=_("consent to data use given on"), required=False, widget=DATE)
    consent_form = forms.FileField(
        label=_("signed consent form"),
        required=False,
        help_text=_("PDF, PNG or JPEG; checked by content. A new file replaces the one kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Region.objects.filter(
            level__gte=Level.STREET, code__startswith=resident.community.code[:6]
        ).order_by("code")
        masked = resident.phone_masked
        self.fields["phone"].help_text = (
            _("Now %(phone)s. Leave empty to keep it; type a number to replace it.") % {"phone": masked}
            if masked
            else _("No phone on file.")
        )

    def clean(self):
        data = super().clean()
        if data.get("remove_phone") and data.get("phone"):
            self.add_error("phone", _("Either type a new number or remove the phone, not both."))
        return data

    def resident_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"community": data["community"], "address": data["address"].strip()}
        fields["consent_on"] = data["consent_on"]
        if data["remove_phone"]:
            fields["phone"] = ""
        elif data["phone"].strip():
            fields["phone"] = data["phone"].strip()
        if data.get("consent_form"):
            fields["consent_form"] = data["consent_form"]
        return fields

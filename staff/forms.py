from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization, User
from accounts.scoping import GOVERNMENT_KINDS, scope_for
from regions.forms import RegionChoiceField
from regions.models import Level, Region, region_subtree

from .models import (
    EmploymentKind,
    QualificationLevel,
    ResourceKind,
    StaffMember,
    StaffRole,
    StaffStatus,
    station_model,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _chosen(value) -> set[str]:
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return {str(v) for v in values if v is not None}


class QuickSelect(forms.Select):
    """A select whose options are joined in one pass rather than rendered by a template each:
    a district's thousands of stations render in milliseconds, not seconds."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = _chosen(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key in chosen else "", label)
                for key, label in ((str(v), label) for v, label in self.choices)
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes joined in one pass (the markup of Django's own widget), for long lists."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = _chosen(value)
        attrs = self.build_attrs(self.attrs, attrs)
        base = attrs.pop("id", "") or f"id_{name}"
        boxes = format_html_join(
            "",
            '<div><label for="{0}_{1}"><input type="checkbox" name="{2}" value="{3}" id="{0}_{1}"{4}> '
            "{5}</label></div>",
            (
                (base, i, name, key, mark_safe(" checked") if key in chosen else "", label)
                for i, (key, label) in enumerate((str(v), label) for v, label in self.choices)
            ),
        )
        return format_html('<div id="{}">{}</div>', base, boxes)


def editable_companies(user):
    """Organisations whose staff ``user`` may keep: their own, or for officers, those of their
    region (an officer may file on a company's behalf)."""
    return Organization.objects.editable_by(user).exclude(kind__in=GOVERNMENT_KINDS)


class StaffForm(forms.Form):
    """Add or change a person. The phone and identity number are only typed, never shown in
    full: leave them empty to keep what is on file."""

    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the number on file."),
    )
    id_number = forms.CharField(
        label=_("identity number"),
        max_length=18,
        required=False,
        help_text=_("Optional. Leave empty to keep the number on file."),
    )
    employer = forms.ModelChoiceField(label=_("employer"), queryset=Organization.objects.none())
    region = RegionChoiceField(
        label=_("street or community"), queryset=Region.objects.filter(level__gte=Level.STREET)
    )
    stations = forms.ModelMultipleChoiceField(
        label=_("stations"),
        queryset=station_model().objects.none(),
        required=False,
        widget=QuickCheckboxes,
        help_text=_("Leave empty for someone who works at all of the employer's stations."),
    )
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=StaffRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=_("kind"), choices=EmploymentKind.choices)
    status = forms.ChoiceField(label=_("status"), choices=StaffStatus.choices, initial=StaffStatus.ACTIVE)
    joined_on = forms.DateField(label=_("joined on"), widget=DATE)
    left_on = forms.DateField(label=_("left on"), required=False, widget=DATE)
    user = forms.ModelChoiceField(
        label=_("login account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Needed to take orders and log services in the portal or the API."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        companies = editable_companies(user)
        self.fields["employer"].queryset = companies
        # only what the choice shows: a district may offer thousands of stations
        self.fields["stations"].queryset = (
            station_model()
            .objects.editable_by(user)
            .filter(operator__in=companies)
            .only("pk", "name", "operator_id")
        )
        self.fields["user"].queryset = User.objects.filter(
            memberships__organization__in=companies, memberships__is_active=True
        ).distinct()
        codes = sorted({c.region.code[:6] for c in companies.select_related("region") if c.region_id})
        if codes:
            self.fields["region"].queryset = Region.objects.filter(
                region_subtree("", *codes), level__gte=Level.STREET
            )

    @classmethod
    def initial_for(cls, member: StaffMember) -> dict:
        return {
            "name": member.name,
            "employer": member.employer_id,
            "region": member.region_id,
            "stations": [s.pk for s in member.stations.all()],
            "roles": member.roles,
            "kind": member.kind,
            "status": member.status,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "user": member.user_id,
        }


class QualificationForm(forms.Form):
    name = forms.CharField(label=_("qualification"), max_length=100, initial="养老护理员")
    level = forms.ChoiceField(
        label=pgettext_lazy("qualification", "level"), choices=QualificationLevel.choices, required=False
    )
    certificate_number = forms.CharField(label=_("certificate number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("issued on"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DATE)


class ResourceForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("station"), queryset=station_model().objects.none(), widget=QuickSelect
    )
    kind = forms.ChoiceField(label=_("kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    contact = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("service phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    services = forms.CharField(label=_("what they offer"), max_length=300, required=False)
    is_current = forms.BooleanField(label=_("current"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        stations = station_model().objects.editable_by(user)
        self.fields["station"].queryset = stations.only("pk", "name", "operator_id")


class ProgressForm(forms.Form):
    region = RegionChoiceField(
        label=_("district or street"),
        queryset=Region.objects.filter(level__in=[Level.CITY, Level.COUNTY]),
        to_field_name="code",
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = scope_for(user).view_region_codes if user is not None else ()
        if codes:
            # An officer chooses among the regions of their own scope, down to the streets.
            self.fields["region"].queryset = Region.objects.filter(
                region_subtree("", *codes), level__in=[Level.CITY, Level.COUNTY, Level.STREET]
            ).order_by("code")

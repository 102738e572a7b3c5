from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.scoping import GOVERNMENT_KINDS
from regions.models import Level, Region, region_subtree
from stations.models import Station

from .models import (
    ActivityCategory,
    EmploymentKind,
    QualificationLevel,
    ResourceKind,
    Reward,
    StaffMember,
    StaffRole,
    StaffStatus,
    VolunteerTeam,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _companies(user):
    """Organisations whose staff ``user`` may keep: their own, or for officers, those of their
    region (an officer may file on a company's behalf)."""
    return Organization.objects.editable_by(user).exclude(kind__in=GOVERNMENT_KINDS)


class StaffForm(forms.Form):
    """Add or change a person. The phone and identity number are only typed, never shown in
    full: leave them empty to keep what is on file."""

    name = forms.CharField(label=_("name"), max_length=50)
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
    region = forms.ModelChoiceField(
        label=_("street or community"), queryset=Region.objects.filter(level__gte=Level.STREET)
    )
    stations = forms.ModelMultipleChoiceField(
        label=_("stations"),
        queryset=Station.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
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
        companies = _companies(user)
        self.fields["employer"].queryset = companies
        self.fields["stations"].queryset = Station.objects.editable_by(user).filter(operator__in=companies)
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
    level = forms.ChoiceField(label=_("level"), choices=QualificationLevel.choices, required=False)
    certificate_number = forms.CharField(label=_("certificate number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("issued on"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DATE)


class ResourceForm(forms.Form):
    station = forms.ModelChoiceField(label=_("station"), queryset=Station.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    contact = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("service phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    services = forms.CharField(label=_("what they offer"), max_length=300, required=False)
    is_current = forms.BooleanField(label=_("current"), required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.editable_by(user)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    organization = forms.ModelChoiceField(label=_("organisation"), queryset=Organization.objects.none())
    station = forms.ModelChoiceField(label=_("station"), queryset=Station.objects.none(), required=False)
    community = forms.ModelChoiceField(
        label=_("street or community"), queryset=Region.objects.filter(level__gte=Level.STREET)
    )
    members = forms.ModelMultipleChoiceField(
        label=_("members"), queryset=StaffMember.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        companies = _companies(user)
        self.fields["organization"].queryset = companies
        self.fields["station"].queryset = Station.objects.editable_by(user)
        self.fields["members"].queryset = StaffMember.objects.editable_by(user).filter(
            status=StaffStatus.ACTIVE
        )


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=VolunteerTeam.objects.none())
    held_on = forms.DateField(label=_("date"), widget=DATE)
    category = forms.ChoiceField(label=_("category"), choices=ActivityCategory.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    hours = forms.CharField(
        label=_("hours per volunteer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per volunteer: name and hours, e.g. 王阿姨 2"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = VolunteerTeam.objects.editable_by(user)

    def clean(self):
        data = super().clean()
        team, text = data.get("team"), data.get("hours") or ""
        if team is None:
            return data
        members = {m.name: m for m in team.members.all()}
        hours, problems = {}, []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2:
                problems.append(_("line %(n)d: write a name and the hours") % {"n": number})
                continue
            name, given = parts
            if name not in members:
                problems.append(_("line %(n)d: %(name)s is not in the team") % {"n": number, "name": name})
                continue
            try:
                hours[members[name]] = float(given)
            except ValueError:
                problems.append(_("line %(n)d: the hours are not a number") % {"n": number})
        if problems:
            self.add_error("hours", "；".join(problems))
        elif not hours:
            self.add_error("hours", _("Give at least one volunteer's hours."))
        data["hours_by_volunteer"] = hours
        return data


class RewardForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organisation"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("goods"), max_length=100)
    points = forms.IntegerField(label=_("points each"), min_value=1)
    stock = forms.IntegerField(label=_("in stock"), min_value=0, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _companies(user)


class SpendForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("volunteer"), queryset=StaffMember.objects.none())
    reward = forms.ModelChoiceField(label=_("goods"), queryset=Reward.objects.none())
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            StaffMember.objects.editable_by(user).filter(volunteer_teams__isnull=False).distinct()
        )
        self.fields["reward"].queryset = Reward.objects.editable_by(user).filter(is_active=True)


class ProgressForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("district"),
        queryset=Region.objects.filter(level__in=[Level.CITY, Level.COUNTY]),
        to_field_name="code",
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

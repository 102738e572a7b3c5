from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from regions.forms import RegionChoiceField
from regions.models import Level, Region
from staff.forms import DATE, editable_companies
from staff.models import StaffMember, StaffStatus
from stations.models import Station

from .models import ActivityCategory, Reward, VolunteerTeam

CHOOSE = _("choose…")


class TeamForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    organization = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organization.objects.none(), empty_label=CHOOSE
    )
    station = forms.ModelChoiceField(
        label=_("station"), queryset=Station.objects.none(), required=False, empty_label=_("no station")
    )
    community = RegionChoiceField(
        label=_("street or community"),
        queryset=Region.objects.filter(level__gte=Level.STREET),
        empty_label=CHOOSE,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("members"), queryset=StaffMember.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        companies = editable_companies(user)
        self.fields["organization"].queryset = companies
        self.fields["station"].queryset = Station.objects.editable_by(user)
        self.fields["members"].queryset = StaffMember.objects.editable_by(user).filter(
            status=StaffStatus.ACTIVE
        )


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=VolunteerTeam.objects.none(), empty_label=CHOOSE)
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
    organization = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organization.objects.none(), empty_label=CHOOSE
    )
    name = forms.CharField(label=_("goods"), max_length=100)
    points = forms.IntegerField(label=_("points each"), min_value=1)
    stock = forms.IntegerField(label=_("in stock"), min_value=0, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = editable_companies(user)


class SpendForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=_("volunteer"), queryset=StaffMember.objects.none(), empty_label=CHOOSE
    )
    reward = forms.ModelChoiceField(label=_("goods"), queryset=Reward.objects.none(), empty_label=CHOOSE)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            StaffMember.objects.editable_by(user).filter(volunteer_teams__isnull=False).distinct()
        )
        self.fields["reward"].queryset = Reward.objects.editable_by(user).filter(is_active=True)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the correction"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the reversing entry and in the audit log."),
    )

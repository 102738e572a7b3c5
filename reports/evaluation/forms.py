"""Portal and admin forms of the evaluations. They check the shape of the input; the rules (the
catalogue's codes, weights adding to 100, who may change a scheme) are the service's."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import scope_for
from regions.forms import RegionChoiceField
from regions.models import Region
from reports.models import Direction, EvaluationScheme

from .catalogue import INDICATORS


class SchemeForm(forms.Form):
    """A scheme's name and, per indicator of the catalogue, whether it is used, its weight, its
    threshold and direction. ``indicators`` carries the errors of the indicators as a whole."""

    name = forms.CharField(label=_("name"), max_length=200)
    region = RegionChoiceField(
        label=_("region"),
        queryset=Region.objects.filter(level__in=(2, 3)).order_by("code"),
        required=False,
        help_text=_("A district or a city; its streets inherit the scheme."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    note = forms.CharField(label=_("what changed"), max_length=300, required=False)
    indicators = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, scheme: EvaluationScheme | None = None, user=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        current = {}
        if scheme is not None:
            initial.setdefault("name", scheme.name)
            initial.setdefault("is_active", scheme.is_active)
            if scheme.current_id:
                current = {i.code: i for i in scheme.current.indicators.all()}
        super().__init__(*args, **kwargs)
        if scheme is not None:
            del self.fields["region"]
        elif user is not None and not user.is_superuser:
            # only the districts and cities the user's bureau answers for
            codes = scope_for(user).region_codes(True)
            condition = Q(pk__in=[])
            for code in codes:
                condition |= Q(code__startswith=code)
            self.fields["region"].queryset = self.fields["region"].queryset.filter(condition)
        self.rows = []
        for indicator in INDICATORS:
            chosen = current.get(indicator.code)
            code = indicator.code
            self.fields[f"use_{code}"] = forms.BooleanField(
                label=indicator.label, required=False, initial=chosen is not None
            )
            self.fields[f"weight_{code}"] = forms.IntegerField(
                label=_("weight"),
                required=False,
                min_value=0,
                max_value=100,
                initial=chosen.weight if chosen else None,
            )
            self.fields[f"threshold_{code}"] = forms.DecimalField(
                label=_("threshold"),
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=2,
                initial=chosen.threshold if chosen else indicator.threshold,
            )
            self.fields[f"direction_{code}"] = forms.ChoiceField(
                label=_("direction"),
                choices=Direction.choices,
                required=False,
                initial=chosen.direction if chosen else indicator.direction,
            )
            self.rows.append(indicator)

    def bound_rows(self):
        return [
            {
                "indicator": indicator,
                "use": self[f"use_{indicator.code}"],
                "weight": self[f"weight_{indicator.code}"],
                "threshold": self[f"threshold_{indicator.code}"],
                "direction": self[f"direction_{indicator.code}"],
            }
            for indicator in self.rows
        ]

    def chosen_indicators(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "code": indicator.code,
                "weight": data.get(f"weight_{indicator.code}"),
                "threshold": data.get(f"threshold_{indicator.code}"),
                "direction": data.get(f"direction_{indicator.code}"),
            }
            for indicator in self.rows
            if data.get(f"use_{indicator.code}")
        ]


def indicator_fields() -> dict:
    """Per indicator of the catalogue: used?, weight, threshold (its default), direction."""
    fields = {}
    for indicator in INDICATORS:
        code = indicator.code
        fields[f"use_{code}"] = forms.BooleanField(label=indicator.label, required=False)
        fields[f"weight_{code}"] = forms.IntegerField(
            label=_("weight"), required=False, min_value=0, max_value=100
        )
        fields[f"direction_{code}"] = forms.ChoiceField(
            label=_("direction"), choices=Direction.choices, initial=indicator.direction, required=False
        )
        fields[f"threshold_{code}"] = forms.DecimalField(
            label=_("threshold"),
            required=False,
            min_value=0,
            max_digits=10,
            decimal_places=2,
            initial=indicator.threshold,
            help_text=indicator.unit,
        )
    return fields


def current_initial(scheme) -> dict:
    """The form's starting values from the scheme's current version."""
    if scheme is None or not scheme.current_id:
        return {}
    initial = {}
    for item in scheme.current.indicators.all():
        initial |= {
            f"use_{item.code}": True,
            f"weight_{item.code}": item.weight,
            f"threshold_{item.code}": item.threshold,
            f"direction_{item.code}": item.direction,
        }
    return initial


def chosen(data) -> list[dict]:
    """The indicators ticked in a form's cleaned data, in the catalogue's order."""
    return [
        {
            "code": indicator.code,
            "weight": data.get(f"weight_{indicator.code}"),
            "threshold": data.get(f"threshold_{indicator.code}"),
            "direction": data.get(f"direction_{indicator.code}"),
        }
        for indicator in INDICATORS
        if data.get(f"use_{indicator.code}")
    ]


class CommentForm(forms.Form):
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RunForm(forms.Form):
    """Run now: the scheme (preselected when the user has only one) and an ended month. The
    month's rule (ended) is the service's; its refusal comes back beside the field."""

    scheme = forms.ModelChoiceField(
        label=_("scheme"), queryset=EvaluationScheme.objects.none(), empty_label=_("choose…")
    )
    month = forms.CharField(
        label=_("month (YYYY-MM)"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def __init__(self, *args, schemes=None, **kwargs):
        # its own ids: the scorecards page also has the filter's month field (id_month)
        kwargs.setdefault("auto_id", "run_%s")
        super().__init__(*args, **kwargs)
        if schemes is not None:
            self.fields["scheme"].queryset = schemes
            only = list(schemes[:2])
            if len(only) == 1:
                self.fields["scheme"].empty_label = None
                self.initial.setdefault("scheme", only[0].pk)

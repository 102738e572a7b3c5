import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regions.forms import RegionChoiceField
from regions.models import Level, Region
from staff.models import StaffMember

from .models import (
    BasicCareCategory,
    Channel,
    LivingSituation,
    OrderStatus,
    PriceUnit,
    PublicityForm,
    Resident,
    ServiceCategory,
    StationPrice,
    Survey,
)
from .services import STATIONS
from .services.orders import completion_defaults

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"})


class FinderForm(forms.Form):
    region = RegionChoiceField(
        label=_("street or community"),
        required=False,
        queryset=Region.objects.filter(level__gte=Level.STREET),
    )
    service = forms.ChoiceField(
        label=_("service"), required=False, choices=[("", "—"), *ServiceCategory.choices]
    )
    lat = forms.FloatField(label=_("latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("longitude"), required=False, min_value=-180, max_value=180)
    radius = forms.IntegerField(
        label=_("within (metres)"), required=False, initial=1000, min_value=100, max_value=50_000
    )


def station_staff(station):
    """Who may be given orders here (000): the rule is ``StaffMember.objects.may_serve``."""
    return StaffMember.objects.may_serve(station).order_by("name", "id")


class StatusForm(forms.Form):
    """The station's status as it stands (preselected), then the steps the station's workflow
    offers this user now, named by the status they lead to."""

    status = forms.ChoiceField(label=_("status"))

    def __init__(self, *args, station, user, **kwargs):
        super().__init__(*args, **kwargs)
        steps = [STATIONS.step(action.name, station.status) for action in STATIONS.available(station, user)]
        self.steps = {step.target: step for step in steps}
        field = self.fields["status"]
        current = (station.status, _("%(status)s (now)") % {"status": station.get_status_display()})
        field.choices = [current, *((step.target, step.label) for step in steps)] if steps else []
        field.initial = station.status
        # an irreversible step (closing) is confirmed on a page that says what will happen, the
        # same with or without a script, rather than in a browser dialog
        field.widget = forms.Select(choices=field.choices)

    def confirmation(self):
        """What the chosen step's confirmation says, when it is irreversible (else None)."""
        step = self.steps.get(self.cleaned_data.get("status"))
        return step.confirm if step is not None else None


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    id_number = forms.CharField(label=_("identity number"), max_length=18)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    community = RegionChoiceField(label=_("community"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    living_situation = forms.ChoiceField(label=_("living situation"), choices=LivingSituation.choices)
    basic_care = forms.MultipleChoiceField(
        label=_("basic-care categories"),
        choices=BasicCareCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emergency_contact = forms.CharField(label=_("emergency contact"), max_length=50, required=False)
    emergency_phone = forms.CharField(label=_("emergency contact phone"), max_length=20, required=False)
    consent_on = forms.DateField(label=_("consent to data use given on"), required=False, widget=DATE)

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        code = station.region.code[:9] if station else ""
        self.fields["community"].queryset = Region.objects.subtree(code).filter(level__gte=Level.STREET)


class PostedPriceField(forms.ModelChoiceField):
    """One of the station's posted prices (its queryset is set by the form for the station);
    empty when the service has only one."""

    def __init__(self, **kwargs):
        kwargs = {
            "label": _("posted price"),
            "queryset": StationPrice.objects.none(),
            "required": False,
            "empty_label": _("the service's only posted price"),
            "help_text": _("Choose one when the station posts several prices for the service."),
        } | kwargs
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.get_category_display()} · {obj.label} · {obj.get_level_display()}"


class OrderForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("resident"), queryset=Resident.objects.none())
    category = forms.ChoiceField(label=_("service"), choices=ServiceCategory.choices)
    price = PostedPriceField()
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    is_emergency = forms.BooleanField(label=_("emergency"), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = station.residents.all() if station else Resident.objects.none()
        if station is not None:
            self.fields["price"].queryset = station.prices.order_by("category", "content")


class CompleteForm(forms.Form):
    """Completing an order: when the service was actually given and how much of it (the fee is
    the order's price times the quantity). The rules (end after start, not in the future, a
    quantity above zero) are the service's; its refusals come back beside these fields."""

    started_at = forms.DateTimeField(label=_("started at"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=_("ended at"), widget=DATETIME)
    quantity = forms.DecimalField(label=_("quantity"), max_digits=8, decimal_places=2, required=False)
    notes = forms.CharField(
        label=_("notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def for_order(cls, order, data=None, now=None):
        """The form of an assigned order, filled with what ``completion_defaults`` proposes. For
        a price per hour the quantity is left empty (the placeholder shows what the times give):
        the service then charges the started half hours between the times entered, so changing
        the times changes the fee; any other unit proposes one."""
        defaults = completion_defaults(order, now)
        initial = {
            "started_at": timezone.localtime(defaults["started_at"]),
            "ended_at": timezone.localtime(defaults["ended_at"]),
        }
        unit = defaults["unit"]
        if unit != PriceUnit.HOUR:
            initial["quantity"] = defaults["quantity"]
        form = cls(data, initial=initial, auto_id=f"id_complete{order.pk}_%s")
        field = form.fields["quantity"]
        label = PriceUnit(unit).label if unit in PriceUnit.values else ""
        if unit == PriceUnit.HOUR:
            field.widget.attrs["placeholder"] = f"{defaults['quantity']:g}"
            field.help_text = _(
                "in hours; leave empty to charge the started half hours between start and end"
            )
        elif label:
            field.help_text = _("in %(unit)s") % {"unit": label}
        return form


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=300)


class ClosedOrderFilter(forms.Form):
    """Completed and cancelled orders of a station: by state, service, the day the order was
    taken and who was given it. The same query feeds the page and its Excel export."""

    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("", _("completed or cancelled")),
            (OrderStatus.COMPLETED, OrderStatus.COMPLETED.label),
            (OrderStatus.CANCELLED, OrderStatus.CANCELLED.label),
        ],
    )
    category = forms.ChoiceField(
        label=_("service"),
        required=False,
        choices=[("", pgettext_lazy("filter", "All")), *ServiceCategory.choices],
    )
    taken_from = forms.DateField(label=_("taken on or after"), required=False, widget=DATE)
    taken_until = forms.DateField(label=_("taken on or before"), required=False, widget=DATE)
    staff = forms.ModelChoiceField(
        label=_("assigned to"),
        required=False,
        queryset=StaffMember.objects.none(),
        empty_label=pgettext_lazy("filter", "All"),
    )

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        # everyone who has had one of the station's orders, including people who have since left
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(assigned_orders__station=station)
            .distinct()
            .only("pk", "name")
            .order_by("name", "pk")
        )

    def clean(self):
        data = super().clean()
        if data.get("taken_from") and data.get("taken_until") and data["taken_until"] < data["taken_from"]:
            self.add_error("taken_until", _("The end of the period lies before its start."))
        return data

    def filter(self, orders):
        data = self.cleaned_data
        orders = (
            orders.filter(status=data["status"])
            if data.get("status")
            else orders.filter(status__in=(OrderStatus.COMPLETED, OrderStatus.CANCELLED))
        )
        if data.get("category"):
            orders = orders.filter(category=data["category"])
        # half-open ranges on local midnights, which the index serves
        if data.get("taken_from"):
            orders = orders.filter(created_at__gte=local_midnight(data["taken_from"]))
        if data.get("taken_until"):
            orders = orders.filter(created_at__lt=local_midnight(data["taken_until"] + dt.timedelta(days=1)))
        if data.get("staff"):
            orders = orders.filter(assigned_to=data["staff"])
        return orders


def local_midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class LogServiceForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("resident"), queryset=Resident.objects.none())
    category = forms.ChoiceField(label=_("service"), choices=ServiceCategory.choices)
    price = PostedPriceField()
    staff = forms.ModelChoiceField(label=_("delivered by"), queryset=StaffMember.objects.none())
    started_at = forms.DateTimeField(label=_("started at"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=_("ended at"), widget=DATETIME)
    quantity = forms.DecimalField(
        label=_("quantity"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_(
            "Empty: the started half hours for a price per hour, one for any other unit. The fee is "
            "the posted price times the quantity."
        ),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        if station:
            self.fields["resident"].queryset = station.residents.all()
            self.fields["staff"].queryset = station_staff(station)
            self.fields["price"].queryset = station.prices.order_by("category", "content")


class AssignForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("assigned to"), queryset=StaffMember.objects.none())

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        if station:
            self.fields["staff"].queryset = station_staff(station)


class PublicityEventForm(forms.Form):
    held_on = forms.DateField(label=_("date"), widget=DATE)
    form = forms.ChoiceField(label=_("form"), choices=PublicityForm.choices)
    topic = forms.CharField(label=_("topic"), max_length=200)
    participants = forms.IntegerField(label=_("participants"), min_value=0, initial=0)
    officers = forms.ModelMultipleChoiceField(
        label=_("publicity officers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(label=_("photo"), required=False)

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        officers = StaffMember.objects.none()
        if station is not None:
            officers = StaffMember.objects.publicity_officers(station)
        self.fields["officers"].queryset = officers


class ExpenditureForm(forms.Form):
    """002, 五: the station's elderly-care expenditure of a month."""

    month = forms.CharField(
        label=_("month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    )
    amount = forms.DecimalField(
        label=_("elderly-care expenditure (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_month(self):
        raw = self.cleaned_data["month"].strip()
        try:
            year, number = (int(part) for part in raw.split("-")[:2])
            return dt.date(year, number, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from exc


class SurveyResponseForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("survey"), queryset=Survey.objects.none())
    scores = forms.CharField(label=_("scores"), help_text=_("One score 1–5 per question, e.g. 5,4,5,4"))
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        if station:
            self.fields["survey"].queryset = Survey.objects.filter(Q(station=station) | Q(station=None))

    def clean_scores(self):
        try:
            return [
                int(part)
                for part in self.cleaned_data["scores"].replace("，", ",").split(",")
                if part.strip()
            ]
        except ValueError as exc:
            raise forms.ValidationError(_("Scores are whole numbers separated by commas.")) from exc


class LinkConsentForm(forms.Form):
    consent_on = forms.DateField(label=_("consent given on"), widget=DATE)
    consent_form = forms.FileField(
        label=_("signed consent form"), help_text=_("PDF, PNG or JPEG; checked by content.")
    )


class LinkRefuseForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)

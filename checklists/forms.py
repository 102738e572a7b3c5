"""Portal forms of the five lists. They check the shape of the input only; every rule (which
columns a list needs, the price rules, duplicates) is the services' and comes back beside the
field it names."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import KIND_FIELDS, ChecklistItem, CheckResult, ListKind, column_label, kind_fields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREAS = frozenset({"eligibility", "benefit", "offer", "duties"})


class ItemForm(forms.Form):
    """The columns of one list kind (``KIND_FIELDS``), typed as the model types them."""

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        required = {"name", *KIND_FIELDS[kind]["required"]}
        for name in kind_fields(kind):
            field = ChecklistItem._meta.get_field(name).formfield()
            field.label = column_label(kind, name)
            field.required = False  # the service says what is missing, beside the field
            if name in TEXTAREAS:
                field.widget = forms.Textarea(attrs={"rows": 2})
            field.needed = name in required
            self.fields[name] = field

    def values(self) -> dict:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    """A workbook filling one list of a draft, or every list of a five-sheet workbook."""

    kind = forms.ChoiceField(
        label=capfirst(_("list to fill")),
        required=False,
        choices=[("", _("All five (one sheet per list)")), *ListKind.choices],
    )
    file = forms.FileField(
        label=capfirst(_("workbook")),
        help_text=_(
            "Fill the template (.xlsx; a .csv for one list): "
            "the lists in the file replace those of this draft."
        ),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The company sees this reason with the lists returned to it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].needed = True  # the workflow refuses a return without one, beside it


class StartForm(forms.Form):
    note = forms.CharField(label=_("what changes in this version"), required=False, max_length=1000)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("reviewed on"), widget=DATE)


class CheckForm(forms.Form):
    """A supervision check: one result, note and photo per item of the published lists."""

    checked_on = forms.DateField(label=_("checked on"), widget=DATE)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items, **kwargs):
        kwargs.setdefault("initial", {"checked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=_("result"),
                required=False,
                choices=[("", _("not checked")), *CheckResult.choices],
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("note"), required=False, max_length=500)
            self.fields[f"photo_{item.pk}"] = forms.FileField(label=_("photo"), required=False)

    def rows(self):
        """(item, result field, note field, photo field) for the template."""
        return [
            (item, self[f"result_{item.pk}"], self[f"note_{item.pk}"], self[f"photo_{item.pk}"])
            for item in self.items
        ]

    def results(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "item": item,
                "result": data[f"result_{item.pk}"],
                "note": data[f"note_{item.pk}"],
                "photo": data[f"photo_{item.pk}"],
            }
            for item in self.items
            if data.get(f"result_{item.pk}")
        ]

"""The statistics pages' form: the region and the period, bound to the query string, so refused
input is kept in its field with the reason beside it."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from accounts import params

from . import figures

OUT_OF_SCOPE = _("This region is outside your responsibility.")


class StatisticsForm(forms.Form):
    """``region`` (a division code within the user's scope), ``from`` and ``to`` (``YYYY-MM``).
    A valid form holds the :class:`figures.Selection` in ``selection``."""

    region = forms.CharField(label=_("region"), required=False, max_length=12)
    from_ = forms.CharField(label=_("first month"), required=False, max_length=7)
    to = forms.CharField(label=_("last month"), required=False, max_length=7)

    def __init__(self, user, data=None):
        super().__init__(data)
        self.user = user
        self.selection: figures.Selection | None = None
        # "from" is a Python keyword: the field is named from_ and read from "from"
        self.fields["from"] = self.fields.pop("from_")
        self.order_fields(["region", "from", "to"])
        for name in ("from", "to"):
            setattr(self, f"clean_{name}", lambda name=name: self._clean_month(name))
        # the fields' own cleaners refuse a NUL byte with the reason that fits the field
        for field in self.fields.values():
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]

    def _clean_month(self, name):
        value = self.cleaned_data.get(name) or ""
        try:
            params.parse_month({name: value}, name)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict[name]) from exc
        return value

    def clean_region(self):
        value = (self.cleaned_data.get("region") or "").strip()
        if value and not (value.isascii() and value.isdigit()):
            raise ValidationError(_("Choose a district or a street."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        query = {name: cleaned.get(name) or "" for name in ("region", "from", "to")}
        try:
            self.selection = figures.selection_from(self.user, query)
        except PermissionDenied:
            self.add_error("region", OUT_OF_SCOPE)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned

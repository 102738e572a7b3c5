"""What the portal's filter forms show, decided once for every FilterSet.

The FilterSets in each app's ``api/filters.py`` serve the API and the portal's list pages alike;
the API reads ``?expiring=true`` or ``?employer=12`` either way, while a person choosing on a page
should read words: 全部 / 是 / 否 for a yes-or-no filter (Django's own select starts at 未知, which
reads as "unknown" rather than "either"), and the names of the records a filter on a record's id
offers (``accounts.params.IdFilter``), never the ids."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import pgettext_lazy

ANY = pgettext_lazy("filter", "all")


class YesNoSelect(forms.NullBooleanSelect):
    """全部 (no filter), 是, 否; the values the API reads (``true`` / ``false``)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("", ANY),
            ("true", pgettext_lazy("answer", "yes")),
            ("false", pgettext_lazy("answer", "no")),
        ]

    def format_value(self, value):
        formatted = super().format_value(value)
        return "" if formatted == "unknown" else formatted


class YesNoField(forms.NullBooleanField):
    widget = YesNoSelect


def install() -> None:
    """Every ``django_filters.BooleanFilter`` takes the yes-or-no field above (called once, when
    the apps are ready): the filters are declared in many apps, the words belong in one place."""
    django_filters.BooleanFilter.field_class = YesNoField


def record_choices(model, user, empty_label=ANY):
    """A callable giving the records of ``model`` that ``user`` may see, by name, for a select
    (called when the form is rendered, so the API, which never renders it, pays no query)."""

    def choices():
        manager = model._default_manager
        rows = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        return [("", empty_label), *((row.pk, str(row)) for row in rows)]

    return choices

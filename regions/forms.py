"""The region picker every form uses: divisions grouped under their city and district
(``<optgroup>``), each named without its code, with a small filter box typed into (static
js/region-picker.js) that narrows the list as one types. Without JavaScript it is an ordinary
grouped list. The choices are whatever the form's queryset allows: a form that scopes a picker
to the user's regions keeps doing so."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Region

# The ancestors a division is grouped under: its nearest two, without the 市辖区 placeholder of
# the statistical codes (上海市市辖区 is read as 上海市).
GROUP_DEPTH = 2
_RELATED = "parent__parent__parent"


def group_label(region: Region) -> str:
    names = []
    ancestor = region.parent
    while ancestor is not None:
        if not ancestor.name.endswith("市辖区"):
            names.append(ancestor.name)
        ancestor = ancestor.parent
    return " ".join(reversed(names[:GROUP_DEPTH]))


class RegionSelect(forms.Select):
    """A ``<select>`` of divisions in groups; ``data-region-picker`` adds the filter box."""

    class Media:
        js = ["js/region-picker.js"]

    def __init__(self, attrs=None, choices=()):
        attrs = {"data-region-picker": "", "data-filter-label": _("Type to narrow the list"), **(attrs or {})}
        super().__init__(attrs, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        region = getattr(value, "instance", None)
        if region is not None:
            # What the filter box matches besides the name: the code and the group's names.
            option["attrs"]["data-search"] = f"{region.code} {group_label(region)}"
        return option


class RegionSelectMultiple(RegionSelect, forms.SelectMultiple):
    pass


class GroupedRegionIterator(forms.models.ModelChoiceIterator):
    """The field's choices as ``(group, [(value, name), …])`` in code order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        group, options = None, []
        for region in self.queryset.select_related(_RELATED).order_by("code"):
            label = group_label(region)
            if options and label != group:
                yield from self._grouped(group, options)
                options = []
            group = label
            options.append(self.choice(region))
        yield from self._grouped(group, options)

    @staticmethod
    def _grouped(group, options):
        if not options:
            return
        if group:
            yield (group, options)
        else:  # provinces: nothing above them to group by
            yield from options

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class RegionChoiceField(forms.ModelChoiceField):
    """A division, picked from a grouped, searchable list."""

    widget = RegionSelect
    iterator = GroupedRegionIterator

    def label_from_instance(self, obj):
        return obj.name

    def __init__(self, queryset=None, **kwargs):
        required = kwargs.get("required", True)
        kwargs.setdefault(
            "empty_label",
            pgettext_lazy("region picker", "— choose —")
            if required
            else pgettext_lazy("region picker", "— any —"),
        )
        super().__init__(Region.objects.none() if queryset is None else queryset, **kwargs)


class RegionMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = RegionSelectMultiple
    iterator = GroupedRegionIterator

    def label_from_instance(self, obj):
        return obj.name

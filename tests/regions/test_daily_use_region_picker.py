"""Region pickers grouped by city and district, searchable, scoped like the form; filters read
names and start at 全部 (issue 15, everyone)."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from accounts.api.filters import OrganizationFilter
from accounts.models import Organization
from regions.forms import RegionChoiceField, group_label
from regions.models import Level, Region
from staff.api.filters import StaffFilter
from staff.forms import StaffForm
from staff.models import StaffMember

pytestmark = pytest.mark.django_db


def test_streets_are_grouped_under_their_city_and_district(seed_regions):
    field = RegionChoiceField(queryset=Region.objects.filter(level=Level.STREET))
    groups = [label for label, options in field.choices if isinstance(options, list)]
    assert groups == ["上海市 长宁区", "泉州市 南安市", "广东省 中山市"]  # 中山 has no districts
    assert group_label(seed_regions["310105001"]) == "上海市 长宁区"
    html = field.widget.render("region", None)
    assert '<optgroup label="上海市 长宁区">' in html and "data-region-picker" in html
    assert 'data-search="310105001 上海市 长宁区"' in html
    assert "（310105001）" not in html  # names, not codes, in the list


def test_the_picker_costs_one_query_however_many_regions(seed_regions, django_assert_num_queries):
    field = RegionChoiceField(queryset=Region.objects.filter(level__gte=Level.STREET))
    with django_assert_num_queries(1):
        field.widget.render("region", None)


def test_a_scoped_form_keeps_its_scope(world):
    form = StaffForm(user=world.company_b_admin)
    field = form.fields["region"]
    assert isinstance(field, RegionChoiceField)
    codes = {region.code for region in field.queryset}
    assert codes and all(code.startswith("310105") for code in codes)
    assert "南安市" not in str(form["region"])


def test_picker_works_without_javascript_as_a_plain_select(seed_regions):
    field = RegionChoiceField(queryset=Region.objects.filter(level=Level.STREET))
    region = seed_regions["310105001"]
    assert field.clean(str(region.pk)) == region


def test_filters_offer_names_and_start_at_all(world):
    request = RequestFactory().get("/")
    request.user = world.changning_officer
    with translation.override("zh-hans"):
        form = StaffFilter({}, queryset=StaffMember.objects.all(), request=request).form
        employer = str(form["employer"])
        assert "<select" in employer and "乙物业" in employer and "南安丙物业" not in employer
        assert '<option value="" selected>全部</option>' in str(form["expiring"])
        assert "未知" not in str(form["expiring"])
        assert "全部" in str(form["status"]) and "---------" not in str(form["status"])
        orgs = OrganizationFilter({}, queryset=Organization.objects.all(), request=request).form
        assert "未知" not in str(orgs["is_active"])


def test_the_api_still_reads_ids_and_yes_no_without_rendering_names(world, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = world.changning_officer
    rows = StaffMember.objects.all()
    filterset = StaffFilter(
        {"employer": str(world.company_b.pk), "expiring": "true"}, queryset=rows, request=request
    )
    with django_assert_num_queries(0):
        assert filterset.is_valid()
    assert filterset.form.cleaned_data["employer"] == world.company_b.pk
    assert filterset.form.cleaned_data["expiring"] is True

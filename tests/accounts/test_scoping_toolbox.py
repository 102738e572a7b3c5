"""The scoping toolbox (accounts.scoping, accounts.api.base): one road for "may change", "one
object or 404", the acting organisation, the region subtree and the choices of the API's
serializers; and the answer everywhere for an object outside the user's scope: 404."""

import datetime as dt
import importlib
import inspect
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import admin as django_admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from accounts.admin_scoping import ScopedChoicesAdminMixin
from accounts.api.base import ScopedChoices, ScopedChoicesMixin, ScopedModelSerializer
from accounts.models import Membership, Organization, Role, User
from accounts.roles import sync_admin_access
from accounts.scoping import (
    ScopedQuerySet,
    acting_organization,
    is_editable,
    require_editable,
    scope_for,
    scoped_object_or_404,
)
from facilities import services as facilities_services
from facilities.models import Campaign, InspectionPhoto
from regions.models import Region, region_subtree
from staff.admin import TrainingRecordInline
from staff.models import StaffMember, TrainingRecord
from stations import services as station_services
from stations.api.serializers import OrderSerializer, StationSerializer
from stations.models import Station
from tests.conftest import api_client_for
from tests.factories import PASSWORD, OrganizationFactory, make_staff, make_user

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as on a new request (the scope is cached on the user object)."""
    return User.objects.get(pk=user.pk)


# --- require_editable / is_editable ------------------------------------------------------------


def _company_a_station(world, name):
    """A station of company A in 华阳路街道, saved through the service."""
    return station_services.save_station(
        None,
        by=world.company_a_admin,
        operator=world.company_a,
        region=world.regions["310105001"],
        name=name,
        address="华阳路 1 号",
        latitude=31.22,
        longitude=121.43,
        services=["meals"],
    )


def test_require_editable_lets_an_editor_through_in_one_query(world, django_assert_num_queries):
    officer = _fresh(world.changning_officer)
    scope_for(officer)
    with django_assert_num_queries(1):
        require_editable(world.company_a, officer)


def test_require_editable_refuses_a_viewer_with_the_message_given(world):
    with pytest.raises(PermissionDenied) as refused:
        require_editable(world.company_a, _fresh(world.changning_viewer), "只读用户不能修改")
    assert str(refused.value) == "只读用户不能修改"


def test_require_editable_refuses_with_a_general_message_by_default(world):
    with pytest.raises(PermissionDenied) as refused:
        require_editable(world.company_a, _fresh(world.company_b_admin))
    assert str(refused.value)


def test_is_editable_follows_editable_by(world):
    assert is_editable(world.company_a, _fresh(world.company_a_admin))
    assert not is_editable(world.company_a, _fresh(world.company_b_admin))
    assert not is_editable(world.company_a, _fresh(world.nanan_officer))
    assert not is_editable(world.company_a, _fresh(world.changning_viewer))


def test_services_refuse_through_require_editable_with_their_own_message(world):
    station = _company_a_station(world, "华阳路为老服务站")
    with translation.override("en"), pytest.raises(PermissionDenied, match="You may not change this station"):
        station_services.save_station(station, by=_fresh(world.company_b_admin), name="改名")


# --- scoped_object_or_404 -------------------------------------------------------------------------


def test_scoped_object_or_404_returns_a_visible_object(world):
    found = scoped_object_or_404(Organization, _fresh(world.changning_viewer), pk=world.company_a.pk)
    assert found == world.company_a


def test_scoped_object_or_404_answers_404_outside_the_scope(world):
    with pytest.raises(Http404):
        scoped_object_or_404(Organization, _fresh(world.nanan_officer), pk=world.company_a.pk)


def test_scoped_object_or_404_with_edit_answers_404_to_a_viewer(world):
    with pytest.raises(Http404):
        scoped_object_or_404(Organization, _fresh(world.changning_viewer), edit=True, pk=world.company_a.pk)


def test_scoped_object_or_404_takes_a_queryset_and_any_lookup(world):
    queryset = Organization.objects.select_related("region")
    found = scoped_object_or_404(queryset, _fresh(world.company_a_admin), name="甲物业")
    assert found == world.company_a
    with pytest.raises(Http404):
        scoped_object_or_404(queryset, _fresh(world.company_a_admin), name="乙物业")


# --- acting_organization ----------------------------------------------------------------------------


def test_acting_organization_matches_kind_role_region_and_among(world):
    officer = _fresh(world.street_officer)
    street = world.regions["310105001"]
    office = acting_organization(officer, kinds={"street_office"}, region=street)
    assert office == world.huayang_office
    assert acting_organization(officer, kinds={"civil_affairs"}, region=street) is None
    assert acting_organization(officer, region=world.regions["310105008"]) is None  # another street
    assert acting_organization(officer, among=[world.company_a]) is None
    assert acting_organization(officer, among=[world.huayang_office.pk]) == world.huayang_office


def test_acting_organization_a_bureau_acts_over_its_whole_region(world):
    bureau = acting_organization(
        _fresh(world.nanan_officer), kinds={"civil_affairs"}, region=world.regions["350583001"]
    )
    assert bureau == world.nanan_bureau


def test_acting_organization_needs_an_editing_role(world):
    viewer = _fresh(world.changning_viewer)
    assert acting_organization(viewer) is None
    assert acting_organization(viewer, roles={Role.VIEWER}) == world.changning_bureau


def test_acting_organization_ignores_inactive_memberships_and_organisations(world):
    Membership.objects.filter(user=world.company_a_admin).update(is_active=False)
    assert acting_organization(_fresh(world.company_a_admin)) is None
    Membership.objects.filter(user=world.company_a_admin).update(is_active=True)
    Organization.objects.filter(pk=world.company_a.pk).update(is_active=False)
    assert acting_organization(_fresh(world.company_a_admin)) is None


def test_acting_organization_of_nobody_is_none(world):
    assert acting_organization(AnonymousUser()) is None
    assert acting_organization(None) is None


def test_acting_organization_costs_no_query_once_the_scope_is_known(world, django_assert_num_queries):
    officer = _fresh(world.street_officer)
    scope_for(officer)
    with django_assert_num_queries(0):
        acting_organization(officer, kinds={"street_office"}, region=world.regions["310105001"])
        facilities_services.town_of(officer, world.regions["310105001"])


# --- region_subtree ---------------------------------------------------------------------------


def test_region_subtree_is_the_code_prefix(world):
    changning = set(Region.objects.filter(region_subtree("", "310105")).values_list("code", flat=True))
    assert "310105001" in changning and "310105" in changning
    assert not any(code.startswith("350583") for code in changning)
    organizations = Organization.objects.filter(region_subtree("region", world.regions["310105001"]))
    assert set(organizations) == {world.huayang_office, world.company_a}


def test_region_subtree_of_several_regions_and_of_none(world):
    both = Organization.objects.filter(region_subtree("region", "310105001", "350583"))
    assert set(both) == {world.huayang_office, world.company_a, world.nanan_bureau, world.nanan_company}
    assert not Organization.objects.filter(region_subtree("region")).exists()


# --- the scoped choices of the API's serializers -----------------------------------------------------


def _context(user):
    request = APIRequestFactory().post("/")
    request.user = _fresh(user)
    return {"request": request}


def test_a_serializer_offers_only_what_the_user_may_pick(world):
    body = {"name": "站", "operator": world.company_b.pk, "region": "310105001", "address": "路"}
    refused = StationSerializer(data=body, context=_context(world.company_a_admin))
    assert not refused.is_valid()
    assert "operator" in refused.errors
    accepted = StationSerializer(
        data=body | {"operator": world.company_a.pk}, context=_context(world.company_a_admin)
    )
    accepted.is_valid()
    assert "operator" not in accepted.errors


def test_without_a_request_a_serializer_offers_nothing(world):
    serializer = StationSerializer(data={"operator": world.company_a.pk}, context={})
    assert not serializer.is_valid()
    assert "operator" in serializer.errors


def test_reading_a_list_builds_no_scoped_choices(world):
    _company_a_station(world, "华阳路为老服务站")
    with mock.patch.object(ScopedChoices, "get_queryset") as built:
        data = StationSerializer(
            Station.objects.all(), many=True, context=_context(world.company_a_admin)
        ).data
    assert len(data) == 1
    built.assert_not_called()


def test_related_fields_of_scoped_models_are_narrowed_by_default(world):
    fields = OrderSerializer(context=_context(world.company_a_admin)).fields
    assert isinstance(fields["station"].queryset, ScopedChoices)
    assert fields["station"].queryset._method == "editable_by"
    assert fields["resident"].queryset._method == "visible_to"  # declared: residents one may see


def _api_serializer_modules():
    for path in sorted(Path(settings.BASE_DIR).glob("*/api/serializers.py")):
        yield importlib.import_module(f"{path.parent.parent.name}.api.serializers")


def test_every_serializer_of_a_scoped_model_narrows_its_choices():
    """Walks every app's api/serializers.py."""
    unscoped = []
    checked = 0
    for module in _api_serializer_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, serializers.ModelSerializer):
                continue
            model = cls.Meta.model
            if isinstance(model._default_manager.all(), ScopedQuerySet):
                checked += 1
                if not issubclass(cls, ScopedChoicesMixin):
                    unscoped.append(f"{module.__name__}.{name}")
    assert checked > 20
    assert unscoped == [], "serializers of scoped models must subclass ScopedModelSerializer"


def test_scoped_model_serializer_is_the_mixin_on_a_model_serializer():
    assert issubclass(ScopedModelSerializer, ScopedChoicesMixin)
    assert issubclass(ScopedModelSerializer, serializers.ModelSerializer)


# --- the second paths, now through the querysets -------------------------------------------------------


def _campaign(region, title):
    return Campaign.objects.create(
        region=region, title=title, starts_on=dt.date(2025, 6, 1), existing_deadline=dt.date(2027, 12, 31)
    )


def test_campaigns_are_seen_as_the_admin_filter_showed_them(world):
    county = _campaign(world.regions["350583"], "南安")
    city = _campaign(world.regions["3505"], "泉州")
    province = _campaign(world.regions["35"], "福建")
    other = _campaign(world.regions["310105"], "长宁")
    office = OrganizationFactory(
        kind="street_office", name="溪美街道办事处", region=world.regions["350583001"]
    )
    town_officer = make_user("ximei", office, Role.OFFICER)
    company_admin = make_user("nanan_company_admin", world.nanan_company, Role.ORG_ADMIN)
    assert set(Campaign.objects.visible_to(_fresh(world.nanan_officer))) == {county, city}
    assert set(Campaign.objects.visible_to(town_officer)) == {county, city}  # its county's
    assert set(Campaign.objects.visible_to(company_admin)) == set()
    assert set(Campaign.objects.visible_to(_fresh(world.changning_officer))) == {other}
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    assert set(Campaign.objects.visible_to(superuser)) == {county, city, province, other}


def test_the_campaign_admin_lists_the_visible_campaigns(world):
    county = _campaign(world.regions["350583"], "南安行动")
    _campaign(world.regions["310105"], "长宁行动")
    sync_admin_access(world.nanan_officer)
    client = Client()
    assert client.login(username=world.nanan_officer.username, password=PASSWORD)
    page = client.get("/admin/facilities/campaign/").content.decode()
    assert county.title in page and "长宁行动" not in page


def test_duties_report_the_stations_a_user_answers_for_not_the_public_ones(world):
    mine = _company_a_station(world, "甲站")
    theirs = station_services.save_station(
        None,
        by=world.company_b_admin,
        operator=world.company_b,
        region=world.regions["310105008"],
        name="乙站",
        address="仙霞路 1 号",
        latitude=31.21,
        longitude=121.39,
        services=["meals"],
    )
    Station.objects.filter(pk=theirs.pk).update(status="operating")  # public in the finder
    company = _fresh(world.company_a_admin)
    assert theirs in Station.objects.visible_to(company)
    assert set(Station.objects.within_scope_of(company)) == {mine}
    assert set(Station.objects.within_scope_of(_fresh(world.changning_officer))) == {mine, theirs}
    assert set(Station.objects.within_scope_of(_fresh(world.nanan_officer))) == set()
    client = Client()
    assert client.login(username=world.company_a_admin.username, password=PASSWORD)
    page = client.get("/staff/duties/").content.decode()
    assert "甲站" in page and "乙站" not in page


# --- 404 for anything outside the user's scope ----------------------------------------------------------


def _png():
    return SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


@pytest.fixture
def scoped_objects(world, settings, tmp_path):
    """One object of each kind in 长宁 (甲物业) and a care room in 南安 with an inspection photo."""
    settings.MEDIA_ROOT = tmp_path
    station = _company_a_station(world, "华阳路为老服务站")
    member = make_staff(world.company_a, "张护理")
    compound = facilities_services.save_compound(
        None, by=world.nanan_officer, name="溪美花园", region=world.regions["350583001"], residents=100
    )
    room = facilities_services.save_room(
        None,
        by=world.nanan_officer,
        compound=compound,
        location="1 号楼",
        area=Decimal("120"),
        built_on=dt.date(2023, 1, 1),
    )
    inspection = facilities_services.record_inspection(
        by=world.nanan_officer,
        room=room,
        inspected_on=dt.date(2025, 9, 1),
        findings="正常",
        violations=[],
        photos=[_png()],
    )
    photo = InspectionPhoto.objects.get(inspection=inspection)
    return {
        "organization": world.company_a,
        "station": station,
        "staff": member,
        "room": room,
        "inspection": inspection,
        "photo": photo,
    }


# (url, object, who owns it, an outsider: another organisation or another region)
ENDPOINTS = [
    ("/organizations/{pk}/", "organization", "company_a_admin", "company_b_admin"),
    ("/api/v1/organizations/{pk}/", "organization", "company_a_admin", "nanan_officer"),
    ("/stations/{pk}/", "station", "company_a_admin", "company_b_admin"),
    ("/stations/manage/{pk}/", "station", "company_a_admin", "company_b_admin"),
    ("/api/v1/stations/{pk}/", "station", "company_a_admin", "nanan_officer"),
    ("/staff/{pk}/", "staff", "company_a_admin", "company_b_admin"),
    ("/api/v1/staff/{pk}/", "staff", "company_a_admin", "nanan_officer"),
    ("/facilities/rooms/{pk}/", "room", "nanan_officer", "changning_officer"),
    ("/api/v1/care-rooms/{pk}/", "room", "nanan_officer", "company_a_admin"),
    ("/api/v1/room-inspections/{pk}/", "inspection", "nanan_officer", "changning_officer"),
    ("/facilities/photos/{pk}/", "photo", "nanan_officer", "changning_officer"),
    ("/facilities/photos/{pk}/", "photo", "nanan_officer", "company_a_admin"),
]


@pytest.mark.parametrize(("url", "name", "owner", "outsider"), ENDPOINTS)
def test_an_object_outside_the_scope_answers_404(world, scoped_objects, url, name, owner, outsider):
    url = url.format(pk=scoped_objects[name].pk)

    def get(username):
        user = getattr(world, username)
        if url.startswith("/api/"):
            return api_client_for(_fresh(user)).get(url)
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client.get(url)

    assert get(owner).status_code == 200
    assert get(outsider).status_code == 404


def test_staff_members_of_another_company_are_not_in_scope(world):
    member = make_staff(world.company_a, "张护理")
    assert member in StaffMember.objects.visible_to(_fresh(world.company_a_admin))
    assert member not in StaffMember.objects.visible_to(_fresh(world.company_b_admin))


def test_every_admin_inline_narrows_its_choices_through_the_scope(world):
    """Inlines pick related rows through the same rule as model admins and serializers: a
    district officer typing another district's staff id into a training-record row is refused."""
    inlines = [
        inline
        for model_admin in django_admin.site._registry.values()
        if type(model_admin).__module__.split(".")[0]
        in {"accounts", "pilots", "stations", "staff", "volunteers", "facilities", "regions"}
        for inline in model_admin.inlines
    ]
    assert inlines
    assert [i.__name__ for i in inlines if not issubclass(i, ScopedChoicesAdminMixin)] == []

    ours = make_staff(world.company_a, "长宁的服务员")
    theirs = make_staff(world.nanan_company, "南安的服务员")
    request = RequestFactory().get("/admin/")
    request.user = world.changning_officer
    inline = TrainingRecordInline(TrainingRecord, django_admin.site)
    field = inline.formfield_for_foreignkey(TrainingRecord._meta.get_field("staff"), request)
    assert ours in field.queryset and theirs not in field.queryset
    assert set(field.queryset) == set(StaffMember.objects.editable_by(world.changning_officer))

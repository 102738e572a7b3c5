import datetime as dt

import factory
from stdnum.cn import uscc

from accounts.models import Membership, Organization, User
from accounts.pii import blind_index
from regions.models import Region
from staff.models import StaffMember, TrainingRecord, TrainingSession
from stations import services as station_services

PASSWORD = "Correct-Horse-42"


def valid_credit_code(n: int, region_code: str = "310105") -> str:
    body = f"91{region_code[:6]}MA{n:07d}"
    return body + uscc.calc_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 9}")
    name = factory.Sequence(lambda n: f"测试区划{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = "property_company"
    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="310105001"))
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: (
            valid_credit_code(n + 1, o.region.code)
            if o.kind in {"property_company", "social_organization", "care_provider"}
            else ""
        )
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "officer"


def make_user(username: str, organization: Organization, role: str) -> User:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organization=organization, role=role)
    user.refresh_from_db()
    return user


def make_staff(
    organization: Organization, name: str, *, roles=("service",), user=None, region=None, **fields
):
    """A staff member written straight to the database (tests of the rules call the services)."""

    phone = fields.pop("phone", "")
    member = StaffMember.objects.create(
        name=name,
        employer=organization,
        region=region or organization.region,
        roles=list(roles),
        user=user,
        phone=phone,
        phone_hash=blind_index(phone),
        **fields,
    )
    return member


def pass_pre_job(member, *, kind="pre_job", theory=90, practical=85):
    """Give ``member`` a passed training of ``kind`` (a session of the district's bureau)."""

    district = member.region.code[:6]
    bureau = Organization.objects.filter(kind="civil_affairs", region__code=district).first()
    session = TrainingSession.objects.create(
        organiser=bureau or member.employer,
        region=Region.objects.get(code=district),
        title=f"{kind} 培训",
        kind=kind,
        starts_on=dt.date(2025, 5, 10),
        ends_on=dt.date(2025, 5, 11),
    )
    return TrainingRecord.objects.create(
        session=session, staff=member, attended=True, theory_score=theory, practical_score=practical
    )


def make_service_officer(username: str, organization: Organization, *, role: str = "staff", **fields):
    """A trained service officer of ``organization`` who may take orders (the staff member; its
    login account is ``.user``)."""
    user = make_user(username, organization, role)
    member = make_staff(organization, fields.pop("name", username), user=user, **fields)
    pass_pre_job(member)
    return member


# The posted prices tests use: what a station's published service-item list would post.
TEST_PRICES = {
    "meals": ("12.00", "meal", "low_cost"),
    "cleaning": ("45.00", "hour", "market"),
    "bathing": ("60.00", "time", "low_cost"),
    "repair": ("50.00", "time", "market"),
    "medical_escort": ("40.00", "time", "low_cost"),
    "walking": ("20.00", "time", "low_cost"),
    "errands": ("10.00", "time", "low_cost"),
    "personal_care": ("50.00", "hour", "market"),
    "day_care": ("80.00", "day", "low_cost"),
    "care_visit": ("0", "time", "free"),
    "emergency": ("0", "time", "free"),
    "other": ("0", "time", "free"),
}


def post_test_prices(station, by, categories=None):
    """Post prices for the station's services (or ``categories``) as publishing its five lists
    would, through the same service, so that orders and records can be charged."""
    categories = categories if categories is not None else (station.services or list(TEST_PRICES))
    return station_services.post_prices(
        station,
        [
            {
                "category": c,
                "content": "",
                "price": TEST_PRICES[c][0],
                "unit": TEST_PRICES[c][1],
                "level": TEST_PRICES[c][2],
            }
            for c in categories
        ],
        by=by,
        source="test",
    )

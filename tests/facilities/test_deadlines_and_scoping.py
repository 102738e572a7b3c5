"""004 一: rooms handed over before the campaign operate by 2027-12-31; later ones within one
year of the confirmation. Overdue rooms are listed per town; towns see only their own."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from facilities import services
from facilities.models import CareRoom
from tests.conftest import api_client_for

from .conftest import make_room


def test_rooms_handed_over_before_the_campaign_operate_by_the_end_of_2027(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 15))
    assert room.deadline == dt.date(2027, 12, 31)
    assert make_room(nanan, handed_over_on=dt.date(2025, 5, 31), location="b").deadline == dt.date(
        2027, 12, 31
    )


def test_rooms_handed_over_later_operate_within_one_year_of_confirmation(nanan):
    assert make_room(nanan, handed_over_on=dt.date(2025, 6, 1)).deadline == dt.date(2026, 6, 1)
    assert make_room(nanan, handed_over_on=dt.date(2027, 2, 28), location="b").deadline == dt.date(
        2028, 2, 28
    )
    assert make_room(nanan, handed_over_on=dt.date(2028, 2, 29), location="c").deadline == dt.date(
        2029, 2, 28
    )


def test_rooms_not_handed_over_have_no_deadline_and_cannot_operate(nanan):
    room = make_room(nanan)
    assert room.deadline is None
    with pytest.raises(ValidationError):
        services.save_room(room, by=nanan.bureau_officer, operating_state="operating")
    with pytest.raises(ValidationError):  # a handover needs its confirmation
        services.save_room(room, by=nanan.bureau_officer, handover_state="handed_over")


def test_changing_the_campaign_recomputes_deadlines(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2025, 7, 1))
    assert room.deadline == dt.date(2026, 7, 1)
    nanan.campaign.starts_on = dt.date(2025, 9, 1)
    nanan.campaign.save()
    assert services.recompute_deadlines(nanan.campaign) == 1
    assert CareRoom.objects.get(pk=room.pk).deadline == dt.date(2027, 12, 31)


def test_overdue_rooms_are_listed_per_town(nanan):
    today = timezone.localdate()
    late = make_room(nanan, handed_over_on=today - dt.timedelta(days=500))
    make_room(
        nanan,
        handed_over_on=today - dt.timedelta(days=500),
        operating_since=today - dt.timedelta(days=10),
        location="b",
    )
    soon = make_room(nanan, handed_over_on=today - dt.timedelta(days=300), location="c")
    other = make_room(nanan, compound=nanan.other_compound, handed_over_on=today - dt.timedelta(days=400))
    assert set(services.overdue_rooms()) == {late, other}
    towns = {t.town.name: t for t in services.deadlines_by_town(CareRoom.objects.all())}
    assert [r.pk for r in towns["溪美街道"].rooms] == [late.pk, soon.pk]  # operating rooms are done
    assert [r.pk for r in towns["溪美街道"].overdue] == [late.pk]
    assert towns["溪美街道"].rooms[0].overdue_days == (today - late.deadline).days
    assert [r.pk for r in towns["柳城街道"].overdue] == [other.pk]


def test_towns_see_and_change_only_their_own_rooms(world, nanan):
    mine = make_room(nanan, handed_over_on=dt.date(2024, 1, 1))
    theirs = make_room(
        nanan, compound=nanan.other_compound, handed_over_on=timezone.localdate() - dt.timedelta(days=400)
    )
    assert list(CareRoom.objects.visible_to(nanan.ximei_officer)) == [mine]
    assert set(CareRoom.objects.visible_to(nanan.bureau_officer)) == {mine, theirs}
    assert not CareRoom.objects.visible_to(world.changning_officer).exists()
    with pytest.raises(PermissionDenied):
        services.save_room(theirs, by=nanan.ximei_officer, location="改")
    client = api_client_for(nanan.ximei_officer)
    assert [r["id"] for r in client.get("/api/v1/care-rooms/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/care-rooms/{theirs.pk}/").status_code == 404
    page = api_client_for(nanan.liucheng_officer).get("/api/v1/care-rooms/", {"overdue": "true"}).json()
    assert [r["id"] for r in page["results"]] == [theirs.pk]

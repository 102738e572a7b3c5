"""Opening hours: what may be stored, and the one way people read them (pages, finder, exports,
posters): 周一至周五 08:30–17:30 rather than ``mon 08:30-17:30；tue …``."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from stations import services
from stations.exports import STATIONS
from stations.hours import check_opening_hours, format_opening_hours, opening_hours_lines

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def zh(hours):
    return format_opening_hours(hours, language="zh-hans")


def en(hours):
    return format_opening_hours(hours, language="en")


@pytest.mark.parametrize(
    ("hours", "chinese", "english"),
    [
        (
            dict.fromkeys(WEEKDAYS, "08:30-17:30"),
            "周一至周五 08:30–17:30；周六、周日休息",
            "Mon–Fri 08:30–17:30; Sat, Sun closed",
        ),
        (
            dict.fromkeys(WEEKDAYS, "08:30-17:30") | {"sat": "09:00-12:00"},
            "周一至周五 08:30–17:30；周六 09:00–12:00；周日休息",
            "Mon–Fri 08:30–17:30; Sat 09:00–12:00; Sun closed",
        ),
        (
            dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "8:00-20:00"),
            "每天 08:00–20:00",
            "Daily 08:00–20:00",
        ),
        (
            {"sat": "09:00-12:00", "sun": "09:00-12:00"},
            "周六、周日 09:00–12:00；周一至周五休息",
            "Sat, Sun 09:00–12:00; Mon–Fri closed",
        ),
        (
            # days with the same hours that are not consecutive are named together
            dict.fromkeys(("mon", "wed", "fri"), "08:30-11:30,13:30-17:00"),
            "周一、周三、周五 08:30–11:30、13:30–17:00；周二、周四、周六、周日休息",
            "Mon, Wed, Fri 08:30–11:30 and 13:30–17:00; Tue, Thu, Sat, Sun closed",
        ),
        (
            # two runs of the same hours around a different day
            {"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "13:00-17:00"}
            | {"fri": "09:00-17:00", "sat": "09:00-17:00", "sun": "09:00-17:00"},
            "周一至周三、周五至周日 09:00–17:00；周四 13:00–17:00",
            "Mon–Wed, Fri–Sun 09:00–17:00; Thu 13:00–17:00",
        ),
        # stored in any key order (PostgreSQL's jsonb sorts keys by length, then bytes)
        (
            {"fri": "08:30-17:30", "mon": "08:30-17:30", "thu": "08:30-17:30", "tue": "08:30-17:30"}
            | {"wed": "08:30-17:30"},
            "周一至周五 08:30–17:30；周六、周日休息",
            "Mon–Fri 08:30–17:30; Sat, Sun closed",
        ),
        (
            {"wed": "10:00-24:00"},
            "周三 10:00–24:00；周一、周二、周四至周日休息",
            "Wed 10:00–24:00; Mon, Tue, Thu–Sun closed",
        ),
        ({}, "", ""),
        (None, "", ""),
        ({"mon": ""}, "", ""),
    ],
)
def test_hours_read_as_people_say_them(hours, chinese, english):
    assert zh(hours) == chinese
    assert en(hours) == english


def test_a_value_stored_before_the_rule_is_shown_as_it_is_not_lost():
    assert zh({"mon": "上午"}) == "周一 上午；周二至周日休息"


def test_the_active_language_is_used_unless_one_is_asked_for():
    hours = dict.fromkeys(WEEKDAYS, "08:30-17:30")
    with translation.override("en"):
        assert format_opening_hours(hours).startswith("Mon–Fri")
        assert opening_hours_lines(hours, language="zh-hans") == ["周一至周五 08:30–17:30", "周六、周日休息"]


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({"mon": "17:30-08:30"}, "closing time must be after"),
        ({"mon": "08:30-08:30"}, "closing time must be after"),
        ({"mon": "25:00-26:00"}, "not a time of day"),
        ({"mon": "8.30 to 5"}, "not a period"),
        ({"mon": "08:00-12:00,11:00-13:00"}, "without overlapping"),
        ({"monday": "08:00-12:00"}, "Weekdays are"),
        ({"mon": 5}, "as text"),
        (["mon"], "per weekday"),
    ],
)
def test_bad_hours_are_refused_with_the_reason(hours, fragment):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        check_opening_hours(hours)
    assert fragment in " ".join(caught.value.messages)


def test_hours_are_stored_in_week_order_with_two_digit_times_and_closed_days_dropped():
    assert list(check_opening_hours({"sun": "", "tue": "9:00-12:00", "mon": "08:30 - 17:30"}).items()) == [
        ("mon", "08:30-17:30"),
        ("tue", "09:00-12:00"),
    ]


def test_the_service_refuses_an_end_before_the_start_whatever_the_road(world, station_a):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.save_station(station_a, by=world.company_a_admin, opening_hours={"mon": "17:30-08:30"})
    assert "opening_hours" in caught.value.error_dict
    station_a.refresh_from_db()
    assert station_a.opening_hours["mon"] == "08:30-17:30"


def test_public_page_finder_export_and_poster_read_the_grouped_hours(world, station_a):
    services.save_station(
        station_a, by=world.company_a_admin, opening_hours=dict.fromkeys(WEEKDAYS, "08:30-17:30")
    )
    services.change_station_status(station_a, "operating", by=world.company_a_admin)
    anonymous = Client()
    for path in (f"/stations/{station_a.pk}/", "/stations/?service="):
        page = anonymous.get(path).content.decode()
        assert "周一至周五 08:30–17:30" in page, path
        assert "mon 08:30" not in page, path
    english = Client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Mon–Fri 08:30–17:30" in english.get(f"/stations/{station_a.pk}/").content.decode()
    column = next(c for c in STATIONS.columns if c.header == "开放时间")
    with translation.override("en"):  # exports are in Chinese whatever the page
        assert column.extract(station_a) == "周一至周五 08:30–17:30；周六、周日休息"

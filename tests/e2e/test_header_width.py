"""The header at desktop width: with the to-do count, a street officer's name and unread notices,
the language selector stays on the line of the links instead of wrapping alone below them."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.models import Notification
from tests.reports.reminder_cases import _station, build_applications

from .steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_street_officers_header_keeps_the_language_selector_on_one_line(page, world):
    officer = world.street_officer
    officer.name = "华阳路街道干部"  # as long as the demo's street officer
    officer.save()
    build_applications(world, 12, dt.date(2026, 6, 20))  # a two-digit to-do count
    _station(world)
    for n in range(12):
        Notification.objects.create(recipient=officer, title=f"提醒 {n}")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, officer.username)
    page.goto("/")
    expect(page.locator("#todo .badge")).to_have_text("12")
    todo, language = page.locator("#todo").bounding_box(), page.locator("form.lang").bounding_box()
    # the selector's row is the links' row: its box overlaps the to-do link's vertically
    assert language["y"] < todo["y"] + todo["height"] and todo["y"] < language["y"] + language["height"]

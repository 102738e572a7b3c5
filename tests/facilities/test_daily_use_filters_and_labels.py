"""Issue 15, item 13 (second sentence) and the seed numbers (care rooms): a filter form shows
the value actually in force — the county of 指导数与进度 — and its empty choices read 不限 / 请选择,
never ``---------``; labels say the rule, never a seed notice's number such as 004."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

from .conftest import make_room
from .test_targets import GOOD, _import

ROOT = Path(__file__).resolve().parents[2]


def _client(username, language=None):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _select(html, name):
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)


def test_progress_preselects_the_county_in_force_and_offers_only_counties_with_targets(nanan):
    _import(nanan, GOOD)
    html = _client("na_officer").get("/facilities/progress/").content.decode()
    county = _select(html, "county")
    assert re.search(r'<option value="350583" selected[ >]', county)
    assert "---------" not in html
    assert len(re.findall(r"<option ", county)) == 2  # the empty choice and 南安市, not every county
    export = re.search(r'href="\?([^"]*export=xlsx[^"]*)"', html).group(1)
    assert "county=350583" in export


def test_progress_asked_for_a_county_shows_it_selected_and_a_bad_one_is_refused_beside_the_field(nanan):
    _import(nanan, GOOD)
    client = _client("na_officer", "en")
    shown = client.get("/facilities/progress/", {"county": "350583"}).content.decode()
    assert re.search(r'<option value="350583" selected[ >]', _select(shown, "county"))
    refused = client.get("/facilities/progress/", {"county": "310105"}).content.decode()
    assert "field-errors" in refused and 'id="progress"' not in refused


def test_registry_filters_read_any_and_keep_the_chosen_values(nanan):
    make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    client = _client("ximei_officer", "en")
    html = client.get("/facilities/").content.decode()
    assert "---------" not in html and "Unknown" not in _select(html, "overdue")
    for name in ("handover_state", "operating_state", "operating_mode", "overdue", "compound"):
        assert re.search(r'<option value="" selected>any</option>', _select(html, name)), name
    assert "溪美花园" in _select(html, "compound") and "柳城新村" not in _select(html, "compound")
    chosen = client.get("/facilities/", {"handover_state": "handed_over", "overdue": "true"}).content.decode()
    assert '<option value="handed_over" selected>' in _select(chosen, "handover_state")
    assert '<option value="true" selected>' in _select(chosen, "overdue")
    chinese = _client("ximei_officer").get("/facilities/").content.decode()
    assert '<option value="" selected>不限</option>' in _select(chinese, "operating_state")


def test_no_seed_numbers_in_the_labels_of_care_rooms_and_volunteers():
    """Labels (anything a page translates) state the rule; a notice's seed number such as 004
    stays in code comments and docstrings."""
    pattern = re.compile(r"\b00[0-4]\b")
    offenders = []
    for app in ("facilities", "volunteers"):
        for template in (ROOT / app / "templates").rglob("*.html"):
            for tag in re.findall(
                r"{%\s*(?:translate|blocktranslate)[^%]*%}(?:.*?{%\s*endblocktranslate\s*%})?",
                template.read_text(),
                re.S,
            ):
                if pattern.search(tag):
                    offenders.append(f"{template.name}: {tag[:60]}")
        for module in (ROOT / app).rglob("*.py"):
            if "migrations" in module.parts:
                continue
            for text in re.findall(r'\b_\(\s*"([^"]*)"', module.read_text()):
                if pattern.search(text):
                    offenders.append(f"{module.name}: {text[:60]}")
    assert offenders == []


def test_progress_without_targets_says_so_instead_of_an_empty_table(world):
    html = _client("cn_officer", "en").get("/facilities/progress/").content.decode()
    assert 'id="no-targets"' in html and "No guidance targets have been imported" in html
    assert 'id="progress"' not in html and "---------" not in html

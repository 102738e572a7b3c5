"""A station's weekly opening hours: ``{"mon": "08:30-17:30", "sat": "09:00-12:00"}`` (a day
may hold several periods, ``"08:30-11:30,13:30-17:30"``; a day not given is closed).

:func:`check_opening_hours` is the rule of what may be stored (the model's ``clean`` calls it,
so the portal form, the admin and the API all meet it); :func:`format_opening_hours` is the one
way people read them, on public pages, in the finder, in exports and on printed posters:
consecutive days with the same hours grouped, ``周一至周五 08:30–17:30；周六 09:00–12:00；周日休息``
(``Mon–Fri 08:30–17:30; Sat 09:00–12:00; Sun closed`` in English)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~～至]\s*(\d{1,2}):(\d{2})\s*$")
_SPLIT = re.compile(r"[,，;；、]")


def _time(hour: str, minute: str) -> dt.time | None:
    hour_, minute_ = int(hour), int(minute)
    if hour_ == 24 and minute_ == 0:
        return dt.time.max  # "24:00", the end of the day
    if hour_ > 23 or minute_ > 59:
        return None
    return dt.time(hour_, minute_)


def parse_periods(value: str) -> list[tuple[dt.time, dt.time]]:
    """The periods of one day's hours; ValueError naming what is wrong."""
    periods = []
    for part in _SPLIT.split(str(value or "")):
        if not part.strip():
            continue
        match = _PERIOD.match(part)
        if match is None:
            raise ValueError(_("“%(value)s” is not a period such as 08:30-17:30.") % {"value": part.strip()})
        start, end = _time(*match.group(1, 2)), _time(*match.group(3, 4))
        if start is None or end is None:
            raise ValueError(_("“%(value)s” is not a time of day.") % {"value": part.strip()})
        if end <= start:
            raise ValueError(
                _("%(value)s: the closing time must be after the opening time.") % {"value": part.strip()}
            )
        if periods and start < periods[-1][1]:
            raise ValueError(_("The periods of a day must follow one another without overlapping."))
        periods.append((start, end))
    return periods


def _clock(value: dt.time) -> str:
    return "24:00" if value == dt.time.max else value.strftime("%H:%M")


def normalise_value(value: str) -> str:
    """One day's hours as stored: ``08:30-11:30,13:30-17:30``; '' for closed."""
    return ",".join(f"{_clock(start)}-{_clock(end)}" for start, end in parse_periods(value))


def check_opening_hours(hours) -> dict[str, str]:
    """The hours in stored form (days in week order, times as HH:MM, closed days left out), or
    a ValidationError naming each bad day."""
    if hours in (None, ""):
        return {}
    if not isinstance(hours, dict):
        raise ValidationError(_('Give the hours per weekday, e.g. {"mon": "08:30-17:30"}.'))
    unknown = [day for day in hours if day not in WEEKDAYS]
    if unknown:
        raise ValidationError(_("Weekdays are mon, tue, wed, thu, fri, sat, sun."))
    stored, problems = {}, []
    for day in WEEKDAYS:
        if day not in hours:
            continue
        try:
            value = normalise_value(hours[day] if isinstance(hours[day], str) else "")
        except ValueError as exc:
            problems.append(_("%(day)s: %(problem)s") % {"day": day_name(day), "problem": exc})
            continue
        if not isinstance(hours[day], str):
            problems.append(
                _("%(day)s: %(problem)s")
                % {"day": day_name(day), "problem": _("give the hours as text, e.g. 08:30-17:30.")}
            )
        elif value:
            stored[day] = value
    if problems:
        raise ValidationError(problems)
    return stored


def day_name(day: str) -> str:
    return {
        "mon": pgettext("weekday", "Mon"),
        "tue": pgettext("weekday", "Tue"),
        "wed": pgettext("weekday", "Wed"),
        "thu": pgettext("weekday", "Thu"),
        "fri": pgettext("weekday", "Fri"),
        "sat": pgettext("weekday", "Sat"),
        "sun": pgettext("weekday", "Sun"),
    }[day]


def _days_label(days: list[int]) -> str:
    """Runs of three or more consecutive days as 周一至周五, shorter ones listed: 周六、周日."""
    runs, run = [], [days[0]]
    for index in days[1:]:
        if index == run[-1] + 1:
            run.append(index)
        else:
            runs.append(run)
            run = [index]
    runs.append(run)
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                pgettext("weekdays from to", "%(first)s–%(last)s")
                % {"first": day_name(WEEKDAYS[run[0]]), "last": day_name(WEEKDAYS[run[-1]])}
            )
        else:
            parts.extend(day_name(WEEKDAYS[index]) for index in run)
    return pgettext("list of weekdays", ", ").join(parts)


def _periods_label(value: str) -> str:
    try:
        periods = parse_periods(value)
    except ValueError:
        return str(value)  # stored before the rule: shown as it is rather than lost
    return pgettext("list of opening periods", " and ").join(
        f"{_clock(start)}–{_clock(end)}" for start, end in periods
    )


def opening_hours_lines(hours, *, language: str | None = None) -> list[str]:
    """The hours as people read them, one entry per group of days with the same hours
    (consecutive runs as 周一至周五), in week order of their first day, the closed days last
    (named 休息 when the station opens on some day); [] when no hours are given. ``language``
    overrides the active language (exports are in Chinese whatever the page)."""
    if language is not None:
        with translation.override(language):
            return opening_hours_lines(hours)
    if not isinstance(hours, dict):
        return []
    values = []
    for day in WEEKDAYS:
        raw = hours.get(day)
        try:
            values.append(normalise_value(raw) if raw else "")
        except ValueError:
            values.append(str(raw))
    if not any(values):
        return []
    if len(set(values)) == 1:
        return [_("Daily %(hours)s") % {"hours": _periods_label(values[0])}]
    groups: dict[str, list[int]] = {}
    for index, value in enumerate(values):
        groups.setdefault(value, []).append(index)
    opened, closed = [], []
    for value, days in groups.items():
        label = _days_label(days)
        if value:
            opened.append(
                pgettext("days and hours", "%(days)s %(hours)s")
                % {"days": label, "hours": _periods_label(value)}
            )
        else:
            closed.append(pgettext("days closed", "%(days)s closed") % {"days": label})
    return opened + closed


def format_opening_hours(hours, *, language: str | None = None) -> str:
    """The hours on one line: ``周一至周五 08:30–17:30；周六 09:00–12:00；周日休息`` (see
    :func:`opening_hours_lines`); '' when no hours are given."""
    if language is not None:
        with translation.override(language):
            return format_opening_hours(hours)
    return pgettext("list of opening hours", "; ").join(opening_hours_lines(hours))

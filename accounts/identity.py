"""Resident identity numbers (居民身份证号码, GB 11643).

The checksum and the birth date are errors when wrong. ``stdnum.cn.ric.validate`` also rejects a
valid old number whose county code was created after the birth year — 南安's 350583 for anyone
born before 1993, exactly our elderly — so a county/birth-year mismatch is only a warning here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


@dataclass(frozen=True)
class IdentityNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    warnings: list[str] = field(default_factory=list)


def parse_identity_number(raw: str) -> IdentityNumber:
    number = ric.compact(raw or "").upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An identity number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The identity number's check digit is wrong; check the number."), code="id_checksum"
        )
    try:
        birth = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(_("The identity number holds no valid birth date."), code="id_birth") from exc
    if birth > timezone.localdate() or birth.year < 1880:
        raise ValidationError(_("The identity number holds no valid birth date."), code="id_birth")
    warnings = []
    try:
        ric.validate(number)
    except StdnumError:
        # Old numbers keep the county code of issue, which may postdate the birth year (南安 350583).
        warnings.append(
            _("The county code %(code)s is not known for %(year)s; kept as given.")
            % {"code": number[:6], "year": birth.year}
        )
    return IdentityNumber(number, birth, "M" if int(number[16]) % 2 else "F", warnings)


def age_on(birth_date: dt.date, day: dt.date | None = None) -> int:
    day = day or timezone.localdate()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))

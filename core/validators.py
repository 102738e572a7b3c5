"""Validators shared by every app: one rule for what a phone number is."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Digits with the separators people write (021-6234 5678, (021)62345678, +86 138…) and 转 for an
# extension (021-62345678转801); 7 to 20 digits in all: a landline without its area code has 7,
# a mobile 11, an international number with an extension fits in 20.
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9()\-转]+$")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 20


def normalise_phone(value) -> str:
    """The number as it is kept: full-width characters made half-width (０２１－ → 021-), spaces
    and the dots some people type removed."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s.]", "", text)


@deconstructible
class PhoneValidator:
    message = _(
        "Enter a phone number of 7 to 20 digits, e.g. 13812345678 or 021-62345678 "
        "(an extension may follow 转)."
    )
    code = "invalid_phone"

    def __call__(self, value):
        phone = normalise_phone(value)
        if not phone:
            return
        digits = sum(character.isdigit() for character in phone)
        if not _PHONE_CHARACTERS.match(phone) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, PhoneValidator)


validate_phone = PhoneValidator()


class PhoneField(forms.CharField):
    """A phone number in a form: checked by :data:`validate_phone`, kept normalised."""

    default_validators = [validate_phone]

    def to_python(self, value):
        return normalise_phone(super().to_python(value))


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with its message in our own catalogue: Django 5.2's Chinese catalogue has
    no translation for this message (its placeholder changed), so people read it in English."""

    def get_error_message(self):
        return ngettext(
            "The password is too short: it must have at least %(min_length)d character.",
            "The password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

"""Free text is kept as typed: only numbers, codes, phone numbers and place or person names are
normalised (full-width folded, spaces dropped); a remark, a description or an item's name keeps
its full-width ，and （）, with only the spaces around it trimmed."""

from django.utils.module_loading import autodiscover_modules

from reports.spreadsheets.fields import PARSERS
from reports.spreadsheets.registry import IMPORTS

autodiscover_modules("imports")

# The columns read with ``kind="str"`` (NFKC-normalised): names, codes, phone numbers, yes/no.
# A free-text column (备注, 说明, 服务内容 …) must be ``kind="text"``; adding one as "str" fails here.
NORMALISED = {
    ("facilities.targets", "town"),
    ("staff.scores", "name"),
    ("staff.scores", "phone"),
    ("staff.scores", "attended"),
    ("staff.scores", "certificate_number"),
    ("regions.divisions", "code"),
    ("regions.divisions", "name"),
}


def test_only_names_and_codes_are_normalised():
    found = {(key, f.name) for key, entry in IMPORTS.items() for f in entry.fields() if f.kind == "str"}
    assert found == NORMALISED


def test_a_code_is_normalised():
    assert PARSERS["str"][0]("３５０５８３　") == "350583"

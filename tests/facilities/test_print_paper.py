"""The facilities' print views on paper (the server's PDF, laid out by WeasyPrint): an inspection
record with many violations breaks between rows and keeps the inspector's line whole; the
agreement's parties and seals are never cut across two pages."""

import datetime as dt

import pytest
from django.test import RequestFactory

from core.pdf import pdf_document
from facilities import services
from facilities.views import _agreement_print_context, _inspection_print_context

from .test_print_views import agreement, room  # noqa: F401 - fixtures used by name

pytestmark = pytest.mark.django_db

LONG = "用房被改作他用，现场堆放杂物，消防通道被占用，需整改后复查。" * 3


def pages_of(document, selector):
    """For each element matching ``selector`` (tag, or tag#id, or tag.class), the pages it is on."""
    tag, _, rest = selector.partition(".")
    tag, _, wanted_id = tag.partition("#")
    where = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) != tag or element is None:
                continue
            if wanted_id and element.get("id") != wanted_id:
                continue
            if rest and rest not in (element.get("class") or "").split():
                continue
            where.setdefault(id(element), set()).add(number)
    return list(where.values())


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_long_inspection_record_breaks_between_rows_and_keeps_the_inspectors_line(nanan, room):  # noqa: F811
    inspection = services.record_inspection(
        by=nanan.ximei_officer,
        room=room,
        inspected_on=dt.date(2025, 9, 1),
        findings=LONG,
        violations=[
            {"kind": "illegally_let", "description": f"{n}. {LONG}", "rectify_by": dt.date(2025, 12, 31)}
            for n in range(1, 25)
        ],
    )
    context = _inspection_print_context(request_by(nanan.ximei_officer), inspection.pk)
    document = pdf_document("facilities/inspection_print.html", context)
    assert len(document.pages) >= 3
    # the violations' header row is repeated on every page the table runs over (thead); every
    # other row stands on one page
    rows = pages_of(document, "tr")
    cut = [pages for pages in rows if len(pages) > 1]
    assert len(rows) >= 24 + 7 and len(cut) == 1 and len(cut[0]) >= 2
    (line,) = pages_of(document, "div#inspector-line")
    assert line == {len(document.pages) - 1}


def test_the_agreements_parties_and_seals_are_each_on_one_page(nanan, agreement):  # noqa: F811
    context = _agreement_print_context(request_by(nanan.bureau_officer), agreement.pk)
    document = pdf_document("facilities/agreement_print.html", context)
    parties = pages_of(document, "section.party")
    assert len(parties) == 2 and all(len(pages) == 1 for pages in parties)
    (seals,) = pages_of(document, "div#seals")
    assert len(seals) == 1

"""Long texts on the printed application (the server's PDF, laid out by WeasyPrint): a box that
fits in half a page is never cut (moving it whole to the next page leaves at most half a page
empty); a longer text box breaks across pages with its label on the first part and a few lines
on each side; the opinion boxes and the signature lines are never cut, and no page before the
last is left more than half empty."""

import pytest

from core.pdf import pdf_document
from pilots import services
from pilots.views import _application_form_context, printed_lines
from tests.pilots.conftest import FULL_FORM
from tests.pilots.test_print_paper import PARAGRAPH, rows_per_page

pytestmark = pytest.mark.django_db

BACKGROUND = "\n".join(["".join([PARAGRAPH] * 4)] * 6)  # six paragraphs, some 900 characters
PLAN = "\n".join(
    f"{n}. 第{n}阶段：组织志愿者开展助餐、助洁、助浴服务，建立服务台账并按月评估。" for n in range(1, 16)
)


def application(world, call, **texts):
    app = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **{**FULL_FORM, **texts},
    )
    app = services.transition(app, "submit", by=world.company_a_admin)
    return services.transition(app, "recommend", by=world.street_officer, text="同意推荐")


def layout(app):
    return pdf_document("pilots/application_print.html", _application_form_context(app))


def filled(page):
    """How far down the page its content reaches, as a share of the page's content area."""
    box = page._page_box
    top, height = box.content_box_y(), box.height
    reach = max(
        (
            child.position_y + child.margin_height()
            for child in box.descendants()
            if getattr(child, "element_tag", None) in ("tr", "p", "h1", "div") and child.height is not None
        ),
        default=top,
    )
    return (reach - top) / height


def labels_with_text(document):
    """For each page, the labels (<th>) whose text is laid out on it."""
    pages = []
    for page in document.pages:
        labels = []
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) == "th" and any(
                getattr(child, "text", "").strip() for child in box.descendants()
            ):
                labels.append("".join(box.element.itertext()).strip())
        pages.append(labels)
    return pages


def test_a_long_background_and_plan_break_rather_than_leave_half_a_page_empty(world, call):
    app = application(world, call, background=BACKGROUND, execution_plan=PLAN)
    context = _application_form_context(app)
    assert context["long"] == {
        "unit_introduction": False,
        "background": True,
        "goals": False,
        "execution_plan": True,
        "guarantees": False,
    }
    document = layout(app)
    shares = [filled(page) for page in document.pages]
    assert len(shares) == 3 and all(share > 0.9 for share in shares[:-1]), shares
    pages = rows_per_page(document)
    # the background starts on the first page, right after 实施地, with its label
    assert pages[0][-2:] == [("实施地",), ("项目背景",)] and ("项目背景",) in pages[1]
    labels = labels_with_text(document)
    assert "项目背景" in labels[0] and "项目背景" not in labels[1]
    assert "项目执行计划" in labels[1] and "项目执行计划" not in labels[2]
    # the short boxes, the opinion boxes and their signature lines each on one page
    for row in [("项目目标任务",), ("项目实施保障",), ("镇街民政工作部门意见",), ("长宁区民政局意见",)]:
        assert sum(row in page for page in pages) == 1, row


def test_short_boxes_still_move_whole(world, call):
    """A box of less than half a page is never cut: where it does not fit, it moves whole."""
    text = "\n".join([PARAGRAPH] * 6)  # 12 printed lines, with the hint 14
    app = application(
        world,
        call,
        unit_introduction=text,
        background=text,
        goals=text,
        execution_plan=text,
        guarantee_funds=text,
    )
    assert not any(_application_form_context(app)["long"].values())
    pages = rows_per_page(layout(app))
    rows = [row for page in pages for row in page]
    assert len(pages) >= 2 and len(rows) == len(set(rows)) == 14, pages


@pytest.mark.parametrize(
    ("texts", "lines"),
    [
        (["一" * 30], 1),
        (["一" * 31], 2),
        (["一" * 30 + "\n" + "二" * 61], 4),
        (["", "三"], 1),
        (["\n".join(["四"] * 16)], 16),
    ],
)
def test_printed_lines_are_counted_per_paragraph(texts, lines):
    assert printed_lines(*texts) == lines

"""The printed application on paper (the server's PDF, laid out by WeasyPrint): a form longer than
one page breaks between its boxes, never across one, and the PDF carries the CJK fonts it needs
(no missing glyph boxes) and the ticked box."""

import re
import shutil
import subprocess

import pytest

from core.pdf import pdf_bytes, pdf_document
from pilots import services
from pilots.views import _application_form_context
from tests.pilots.conftest import FULL_FORM

pytestmark = pytest.mark.django_db

PARAGRAPH = "小区现有六十岁以上老年人一千二百人，其中独居老人八十六人，高龄老人占比较高。"


@pytest.fixture
def long_form(world, call):
    """Every text section a dozen printed lines long (each fits in half a page, so none may break):
    the form runs over several pages."""
    text = "\n".join([PARAGRAPH] * 6)
    app = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="property_care",
        site_region=world.regions["310105001"],
        **{
            **FULL_FORM,
            "unit_introduction": text,
            "background": text,
            "goals": text,
            "execution_plan": text,
            "guarantee_funds": text,
        },
    )
    app = services.transition(app, "submit", by=world.company_a_admin)
    return services.transition(app, "recommend", by=world.street_officer, text="同意推荐")


def rows_per_page(document):
    """For each page, the labels (<th> texts) of each table row with a part on it."""
    pages = []
    for page in document.pages:
        rows = []
        for box in page._page_box.descendants():
            if getattr(box, "element_tag", None) == "tr":
                labels = tuple("".join(th.itertext()).strip() for th in box.element.iter("th"))
                if labels not in rows:
                    rows.append(labels)
        pages.append(rows)
    return pages


def test_no_box_of_a_long_form_is_cut_across_two_pages(long_form):
    document = pdf_document("pilots/application_print.html", _application_form_context(long_form))
    pages = rows_per_page(document)
    assert len(pages) >= 2
    rows = [row for page in pages for row in page]
    # every row on exactly one page: 14 rows holding the 15 labels (项目负责人 shares its row
    # with 联系电话)
    assert len(rows) == len(set(rows)) == 14, pages
    assert [label for row in rows for label in row][0] == "项目申报单位信息"
    assert ("项目负责人", "联系电话") in rows
    # each opinion box, its signature lines included, whole on the last pages
    assert pages[-1][-1] == ("长宁区民政局意见",)
    assert sum(("镇街民政工作部门意见",) in page for page in pages) == 1


def test_the_pdf_embeds_the_cjk_fonts_and_shows_the_ticked_box(long_form, tmp_path):
    if shutil.which("pdffonts") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf_bytes("pilots/application_print.html", _application_form_context(long_form)))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert any("CJK-SC" in row[0] for row in rows), fonts  # Chinese set in a Chinese font
    # every font embedded with its Unicode map: the paper looks the same on any machine
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), fonts
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "☑“物业服务+养老服务”" in re.sub(r"\s", "", text)

"""Official forms and tables are printed in Chinese whatever the page's language: every print view
and its PDF, opened with the English language cookie, carries the Chinese labels and none of the
English ones; only the toolbar above the page (print, PDF, back) follows the user's language, and
the portal pages around them stay in it. Every print route goes through the one helper
(``core.pdf.official_print``)."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.facilities.test_print_views import agreement, inspection, room  # noqa: F401 - fixtures
from tests.facilities.test_targets import GOOD, _import
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def english(username=None):
    client = Client()
    if username:
        assert client.login(username=username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s", "", text)


def body(page: str) -> str:
    """The printed part of a print page: the toolbar left out."""
    return page[page.index("</nav>") :] if "</nav>" in page else page


def check(client, url, chinese, english_words, tmp_path):
    response = client.get(url)
    assert response.status_code == 200, url
    if response["Content-Type"] == "application/pdf":
        text = pdf_text(response.content, tmp_path)
        plain = text
    else:
        page = response.content.decode()
        assert '<html lang="zh-hans">' in page
        toolbar = page[page.index('<nav class="no-print toolbar"') : page.index("</nav>")]
        assert ">Print</button>" in toolbar and ">Back</a>" in toolbar  # the user's language
        plain = re.sub(r"<[^>]+>|\s", "", body(page))
    for words in chinese:
        assert words in plain, (url, words)
    for words in english_words:
        assert words.replace(" ", "") not in plain, (url, words)


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_inspection_record_is_chinese_in_english(nanan, inspection, suffix, tmp_path):  # noqa: F811
    check(
        english("ximei_officer"),
        f"/facilities/inspections/{inspection.pk}/{suffix}",
        ["养老服务用房巡查记录", "巡查人（签字）", "违规出租", "整改期限"],
        ["Inspector", "Inspection record", "Illegally let", "rectify by", "Date"],
        tmp_path,
    )


def test_the_inspection_pdf_is_named_in_chinese_in_english(nanan, inspection):  # noqa: F811
    response = english("ximei_officer").get(f"/facilities/inspections/{inspection.pk}/print.pdf")
    assert "Inspection" not in response["Content-Disposition"]


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_agreement_is_chinese_in_english(nanan, agreement, suffix, tmp_path):  # noqa: F811
    check(
        english("na_officer"),
        f"/facilities/agreements/{agreement.pk}/{suffix}",
        ["甲方（委托方）", "乙方（受托方）", "统一社会信用代码"],
        ["Party A", "Party B", "credit code", "Representative", "free of charge"],
        tmp_path,
    )


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_progress_table_is_chinese_in_english(nanan, suffix, tmp_path):
    _import(nanan, GOOD)
    check(
        english("na_officer"),
        f"/facilities/progress/{suffix}?county=350583",
        ["新建住宅小区养老服务用房投入运营指导数", "合计", "乡镇（街道）"],
        ["counted in the registry", "put into operation", "handed over"],
        tmp_path,
    )


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_print_route_goes_through_the_one_helper():
    routes = [(route, view) for route, view in _routes(get_resolver()) if re.search(r"print[/.]", route)]
    assert len(routes) >= 11, routes
    assert [route for route, view in routes if not getattr(view, "official_print", False)] == []

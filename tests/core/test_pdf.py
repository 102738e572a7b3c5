"""The server's PDF renderer reads the project's static files and nothing else, and names the
download in Chinese without characters a file system refuses."""

import pytest
from django.http import HttpRequest

from core.pdf import BASE_URL, pdf_response, static_url_file


def test_static_files_are_served_from_disk():
    path, content_type = static_url_file(BASE_URL + "static/css/print.css")
    assert path.name == "print.css" and content_type == "text/css"
    assert "@page" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/print.css",  # another host: no network
        BASE_URL + "media/applications/1/secret.pdf",  # uploads are not static files
        BASE_URL + "static/../config/settings.py",  # no way out of the static directories
        BASE_URL + "static/css/nothing-here.css",
        "file:///etc/passwd",
    ],
)
def test_everything_else_is_refused(url):
    with pytest.raises(ValueError):
        static_url_file(url)


def test_the_download_keeps_its_chinese_name_and_drops_unsafe_characters():
    response = pdf_response(
        HttpRequest(), "print/base.html", {}, filename='居家社区养老服务改革试点申报表/甲物业:"1"'
    )
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "%2F" not in disposition and "%3A" not in disposition and "%22" not in disposition
    assert disposition.endswith(".pdf")

"""Every response carries the Content-Security-Policy and the Permissions-Policy (issue 10,
item 10): portal pages, the API, the admin, the docs, errors; and no template carries inline
code that the policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import api_client_for

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "url",
    ["/", "/accounts/login/", "/stations/", "/api/v1/docs/", "/api/v1/docs/?script=", "/no-such-page/"],
)
def test_every_response_carries_both_policies(db, url):
    response = Client().get(url)
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=(self)" in policy


def test_api_and_admin_responses_carry_the_policy_too(world):
    assert "Content-Security-Policy" in api_client_for(world.changning_officer).get("/api/v1/me/")
    assert "Content-Security-Policy" in api_client_for(None).get("/api/v1/organizations/")  # a 401
    admin = Client()
    admin.force_login(world.changning_officer)
    assert "script-src 'self'" in admin.get("/admin/")["Content-Security-Policy"]


def test_the_docs_page_loads_its_script_as_a_file():
    page = Client().get("/api/v1/docs/").content.decode()
    assert re.search(r"<script>\s*\S", page) is None and "<style>" not in page
    assert 'src="/api/v1/docs/?script="' in page


INLINE_CODE = re.compile(r"<script>|<script\s+(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|style=|<style", re.I)


def test_no_template_has_inline_script_or_style():
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    offenders = [
        f"{path}: {match.group(0)}"
        for root in roots
        for path in root.rglob("*.html")
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

"""A print page rendered to PDF on the server (WeasyPrint: no browser needed).

The PDF is the same template as the page people print from their browser, rendered with the
print media rules, so the two cannot drift apart. Fonts come from the system's CJK font
package (fonts-noto-cjk), named by family in the stylesheet. Resources are read from the
project's static files only: the renderer never opens the network nor any other file.
"""

from __future__ import annotations

import functools
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

# Relative links of the page (/static/…) are resolved against this address, which is never
# fetched: the fetcher below maps it to the static files on disk.
BASE_URL = "https://print.invalid/"
# Characters no file system or browser keeps in a download's name.
UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
# Official forms and tables are printed in Chinese whatever the page's language.
PRINT_LANGUAGE = "zh-hans"


def official_print(view):
    """A print view (page or PDF) of an official form or table: everything it renders — labels,
    choices, the PDF's file name — is in Chinese (``PRINT_LANGUAGE``) whatever the user's
    language; only the toolbar above the page (print, PDF, back) stays in the user's language
    (``request.ui_language``, read by ``print/base.html``). Pages that refuse (404, login) are
    answered outside, in the user's language."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.ui_language = translation.get_language()
        with translation.override(PRINT_LANGUAGE):
            return view(request, *args, **kwargs)

    wrapped.official_print = True
    return wrapped


def static_file(name: str) -> Path | None:
    """The file on disk of a static name, collected (hashed names) or found in the sources."""
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError):
        pass
    found = finders.find(name)
    return Path(found) if found else None


def static_url_file(url: str) -> tuple[Path, str]:
    """The file and content type behind a ``BASE_URL`` + ``STATIC_URL`` address; anything else,
    or a name that leaves the static directories, is refused."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(settings.STATIC_URL):
        raise ValueError(f"not a static file: {url}")
    name = unquote(parts.path[len(settings.STATIC_URL) :])
    path = None if ".." in Path(name).parts else static_file(name)
    if path is None:
        raise ValueError(f"no such static file: {name}")
    return path, mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def pdf_document(template: str, context: dict, *, request=None):
    """The page of ``template`` laid out on paper (a WeasyPrint ``Document``: its pages and boxes
    can be looked at, e.g. to see that no box is cut across two pages)."""
    # WeasyPrint takes seconds to import: only a request for a PDF pays for it, not every process.
    from weasyprint import HTML  # noqa: PLC0415 - imported when a PDF is made (slow import)
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 - same reason

    class StaticFilesFetcher(URLFetcher):
        """Serves ``STATIC_URL`` paths from disk and refuses every other address."""

        def fetch(self, url, headers=None):
            path, content_type = static_url_file(url)
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    html = render_to_string(template, {**context, "as_pdf": True}, request=request)
    fetcher = StaticFilesFetcher(allowed_protocols=("https",), allow_redirects=False)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()


def pdf_bytes(template: str, context: dict, *, request=None) -> bytes:
    return pdf_document(template, context, request=request).write_pdf()


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The page of ``template`` as a PDF download named ``filename`` (Chinese names kept, RFC 6266)."""
    filename = UNSAFE_IN_FILENAME.sub("-", filename).strip(" .-") or "document"
    if not filename.lower().endswith(".pdf"):
        filename += ".pdf"
    response = HttpResponse(pdf_bytes(template, context, request=request), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def print_links(obj, page: str, pdf: str, args=None, query: str = ""):
    """Links to an object's print view and its PDF, for a change form of the admin; ``query``
    (``?county=…``) is added to both."""
    if obj is None or obj.pk is None:
        return "—"
    args = args if args is not None else [obj.pk]
    return format_html(
        '<a href="{}" target="_blank">{}</a> · <a href="{}">{}</a>',
        reverse(page, args=args) + query,
        _("Print version"),
        reverse(pdf, args=args) + query,
        _("Download PDF"),
    )

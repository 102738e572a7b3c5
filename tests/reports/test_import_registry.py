"""Every import has a template: each ``SpreadsheetImport`` of the apps is registered with a template
workbook that its own fields read (the header found, every needed column there), a 填写说明 sheet,
an API route serving it and the upload pages that link it. A new import without a template fails
here."""

import gc
import io
import sys
import types

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils.module_loading import autodiscover_modules
from openpyxl import load_workbook

from reports.spreadsheets import SpreadsheetImport
from reports.spreadsheets.reader import _find_header
from reports.spreadsheets.registry import IMPORTS, missing_templates
from reports.spreadsheets.template_book import INSTRUCTIONS_SHEET

autodiscover_modules("imports")
KEYS = sorted(IMPORTS)


def test_every_import_of_the_apps_is_registered():
    assert missing_templates() == []
    assert {key.split(".")[0] for key in KEYS} == {"facilities", "staff", "regions", "checklists"}
    assert len(KEYS) == 8  # 004's table, the score sheet, the division list, the five lists


def test_an_import_without_a_template_is_found():
    module = types.ModuleType("newapp.imports")
    sys.modules[module.__name__] = module
    try:
        new = type("VisitImport", (SpreadsheetImport,), {"__module__": module.__name__})
        assert missing_templates() == [new]
    finally:
        del sys.modules[module.__name__]
        del new
        gc.collect()  # the class is gone again for the other tests
    assert missing_templates() == []


@pytest.mark.parametrize("key", KEYS)
def test_the_template_is_read_by_its_import(key):
    entry = IMPORTS[key]
    book = load_workbook(io.BytesIO(entry.template()), read_only=True)
    assert book.sheetnames[0] != INSTRUCTIONS_SHEET  # the import reads the first sheet
    assert INSTRUCTIONS_SHEET in book.sheetnames
    instructions = [row[0] for row in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True) if row and row[0]]
    assert len(instructions) >= 3
    rows = [
        tuple(row) for row, _ in zip(book.worksheets[0].iter_rows(values_only=True), range(20), strict=False)
    ]
    fields = entry.fields()
    found = _find_header(rows, fields)
    assert found is not None, key
    needed = {f.name for f in fields if f.needs_column}
    assert needed <= set(found[1]), (key, needed - set(found[1]))


@pytest.mark.parametrize("key", KEYS)
def test_the_api_serves_the_template_and_the_upload_pages_exist(key):
    entry = IMPORTS[key]
    path = entry.api_template.replace("<pk>", "1").split("?")[0]
    try:
        match = resolve(path)
    except Resolver404:
        pytest.fail(f"{key}: no API route {path}")
    assert "template" in match.route or "template" in (match.url_name or ""), match
    assert entry.upload_pages, key
    for name in entry.upload_pages:
        try:
            reverse(name)
        except Exception:  # noqa: BLE001 - pages of one object take its id
            reverse(name, args=[1])

"""Each of the five lists' templates, downloaded from the portal, filled (its example row kept as
a real row) and imported into a draft: the round trip of every template."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from checklists import imports
from checklists.models import ListKind


@pytest.mark.parametrize("kind", list(ListKind))
def test_download_fill_import(world, draft, kind):
    response = Client().get(f"/lists/templates/{kind.value}/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "填写说明" in book.sheetnames
    sheet = book.worksheets[0]
    [example] = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if str(cell.value or "").startswith(imports.EXAMPLE_MARK)
    ]
    name = example.value.removeprefix(imports.EXAMPLE_MARK)
    example.value = name
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    result = imports.import_list(draft, kind, filled, by=world.company_a_admin, filename="清单.xlsx")
    assert result.rows == 1
    assert [item.name for item in draft.items.filter(kind=kind)] == [name]

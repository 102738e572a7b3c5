"""The division list's admin form: its label begins with a capital letter in English."""

from django.contrib.auth import get_user_model

from tests.facilities.test_import_form_wording import _client, _labels
from tests.factories import PASSWORD


def test_the_division_list_form_in_english(world):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    assert _labels(_client("root", "en"), "/admin/regions/region/import/") == [
        "Division list (.xlsx or .csv):"
    ]

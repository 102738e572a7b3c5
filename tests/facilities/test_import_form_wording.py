"""The import forms' wording in both languages: English labels begin with a capital letter,
lists are joined with commas in English and 、 in Chinese, and Chinese labels keep full-width
brackets."""

import re

from django.test import Client

from tests.factories import PASSWORD


def _labels(client, url):
    html = client.get(url).content.decode()
    return re.findall(r"<label[^>]*>([^<]*)</label>", html)


def _client(username, language):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def test_the_guidance_table_form_in_english_and_chinese(nanan):
    url = "/admin/facilities/guidancetarget/import/"
    assert _labels(_client("na_officer", "en"), url) == ["County:", "Guidance table (.xlsx):"]
    assert _labels(_client("na_officer", "zh-hans"), url) == [
        "县（市、区）:",
        "指导数表（.xlsx）:",
    ]  # Django's own label suffix

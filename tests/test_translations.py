"""Every msgid has a zh_Hans translation, and the committed .mo carries the .po's translations."""

import ast
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, msgstr, fuzzy, msgctxt) for each entry; enough of the PO grammar for our file."""
    entries, current, key, fuzzy = [], {}, None, False
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
            key, _, literal = line.partition(" ")
            current[key] = ast.literal_eval(literal)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid"):
                msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
                entries.append((current["msgid"], msgstr, fuzzy, current.get("msgctxt")))
            current, key, fuzzy = {}, None, False
    return entries


def test_every_message_is_translated_and_compiled():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, fuzzy, _context in entries if not msgstr or fuzzy]
    assert untranslated == []
    with translation.override("zh-hans"):
        stale = [
            msgid
            for msgid, msgstr, _fuzzy, context in entries
            if "%" not in msgid
            and (translation.pgettext(context, msgid) if context else translation.gettext(msgid)) != msgstr
        ]
    assert stale == [], "run `make messages` and commit the .mo"


def test_pages_are_chinese_whatever_the_browser_asks_until_switched(client):
    assert "物业+养老试点管理平台" in client.get("/").content.decode()
    assert "物业+养老试点管理平台" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Property + Elderly Care Pilot Platform" in client.get("/").content.decode()


def test_api_honours_accept_language(client):
    chinese = client.get("/api/v1/me/").json()["error"]["message"]
    english = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert chinese != english
    assert "credentials" in english

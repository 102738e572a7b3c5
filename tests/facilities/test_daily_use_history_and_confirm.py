"""Issue 15, items 3 and 6 (care rooms): the use-application history reads labels, never the
codes (``contact → contacted``), in Chinese and English, on the portal page and in the admin; the
irreversible steps (approve, refuse, sign, operate, withdraw) ask first on a page that says what
will happen, and only the confirmation takes the step."""

import datetime as dt

from django.conf import settings
from django.test import Client

from facilities import services
from facilities.models import UseApplication
from tests.factories import PASSWORD

from .conftest import make_room


def _client(username, language=None):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _surveyed(nanan):
    room = make_room(nanan, handed_over_on=dt.date(2024, 3, 1))
    application = services.start_application(by=nanan.ximei_officer, room=room, text="初步对接")
    services.act_on_application(
        application, "apply", by=nanan.ximei_officer, operating_mode="property_care", services="助餐"
    )
    services.act_on_application(application, "survey", by=nanan.bureau_officer, text="同意")
    return UseApplication.objects.get(pk=application.pk)


def _history(html):
    return html.split('id="steps"')[1].split("</table>")[0]


def test_history_shows_step_and_state_labels_not_codes(nanan):
    application = _surveyed(nanan)
    url = f"/facilities/applications/{application.pk}/"
    chinese = _history(_client("na_officer").get(url).content.decode())
    assert "初步对接" in chinese and "已提出申请" in chinese
    english = _history(_client("na_officer", "en").get(url).content.decode())
    assert "<td>Initial contact</td>" in english
    assert "Survey the site and give an opinion → Surveyed, bureau opinion given" in english
    for code in ("contacted", "applied", "surveyed", "<td>contact", "<td>apply", "<td>survey"):
        assert code not in chinese and code not in english


def test_admin_history_inline_reads_labels(nanan):
    application = _surveyed(nanan)
    page = _client("na_officer", "en").get(f"/admin/facilities/useapplication/{application.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Survey the site and give an opinion" in html and "Surveyed, bureau opinion given" in html
    assert ">surveyed<" not in html and ">contact<" not in html


def test_approving_asks_first_and_only_the_confirmation_approves(nanan):
    application = _surveyed(nanan)
    url = f"/facilities/applications/{application.pk}/"
    bureau = _client("na_officer", "en")
    data = {
        "action": "approve",
        "city_approval_number": "南政文〔2025〕88号",
        "city_approved_on": "2025-09-10",
    }
    asked = bureau.post(url, data)
    html = asked.content.decode()
    assert asked.status_code == 200 and 'name="confirmed"' in html
    assert "moves on to the entrustment agreement; this cannot be undone" in html
    assert 'value="南政文〔2025〕88号"' in html and "2025-09-10" in html  # carried to the confirmation
    assert UseApplication.objects.get().status == "surveyed"
    back = bureau.post(url, {**data, "change": "1"}).content.decode()  # back to change: input kept
    assert 'value="南政文〔2025〕88号"' in back and UseApplication.objects.get().status == "surveyed"
    bureau.post(url, {**data, "confirmed": "1"})
    assert UseApplication.objects.get().status == "approved"


def test_refusing_asks_first_and_a_missing_opinion_comes_back_beside_the_field(nanan):
    application = _surveyed(nanan)
    url = f"/facilities/applications/{application.pk}/"
    bureau = _client("na_officer", "en")
    refused = bureau.post(url, {"action": "reject", "text": "  ", "confirmed": "1"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="id_reject_text-error"' in html and "Write down the bureau" in html
    assert UseApplication.objects.get().status == "surveyed"
    asked = bureau.post(url, {"action": "reject", "text": "位置不宜"}).content.decode()
    assert "cannot be reopened" in asked and UseApplication.objects.get().status == "surveyed"
    bureau.post(url, {"action": "reject", "text": "位置不宜", "confirmed": "1"})
    assert UseApplication.objects.get().status == "rejected"


def test_approval_without_its_number_keeps_the_date_and_says_which_field(nanan):
    application = _surveyed(nanan)
    page = _client("na_officer", "en").post(
        f"/facilities/applications/{application.pk}/",
        {"action": "approve", "city_approved_on": "2025-09-10", "text": "市政府同意"},
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="id_approve_city_approval_number-error"' in html
    assert 'value="2025-09-10"' in html and "市政府同意" in html


def test_the_town_cannot_confirm_a_bureau_step(nanan):
    application = _surveyed(nanan)
    url = f"/facilities/applications/{application.pk}/"
    town = _client("ximei_officer")
    page = town.post(
        url,
        {"action": "approve", "city_approval_number": "x", "city_approved_on": "2025-09-10"},
        follow=True,
    ).content.decode()
    assert 'name="confirmed"' not in page and "此环节只能由民政局办理" in page
    town.post(
        url,
        {
            "action": "approve",
            "city_approval_number": "x",
            "city_approved_on": "2025-09-10",
            "confirmed": "1",
        },
    )
    assert UseApplication.objects.get().status == "surveyed"
    assert _client("liucheng_officer").post(url, {"action": "reject", "confirmed": "1"}).status_code == 404


def test_signing_and_withdrawing_ask_first(nanan):
    application = _surveyed(nanan)
    url = f"/facilities/applications/{application.pk}/"
    withdraw = _client("ximei_officer", "en").post(url, {"action": "withdraw", "text": "另有安排"})
    assert "cannot be resumed" in withdraw.content.decode()
    assert UseApplication.objects.get().status == "surveyed"
    services.act_on_application(
        application,
        "approve",
        by=nanan.bureau_officer,
        city_approval_number="88",
        city_approved_on=dt.date(2025, 9, 10),
    )
    sign = _client("na_officer", "en").post(url, {"action": "sign", "number": "WT-2025-01"})
    assert "entrustment agreement is registered" in sign.content.decode()
    assert UseApplication.objects.get().status == "approved"

"""People are named with people's words: 姓名 (not 名称), and a suspended person is 暂停上岗 —
暂停运营 is what a station does."""

import io

import lxml.html
from django.test import Client
from openpyxl import load_workbook

from stations.models import StationStatus
from tests.factories import PASSWORD, make_staff


def _client(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _export_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))


def test_a_suspended_person_is_off_duty_not_a_suspended_station(world, station_a, staff_a):
    staff_a.status = "suspended"
    staff_a.save()
    client = _client("a_admin")

    listing = client.get("/staff/").content.decode()
    document = lxml.html.fromstring(listing)
    header = [th.text_content() for th in document.xpath('//table[@id="staff"]/thead//th')]
    assert header[0] == "姓名"
    row = document.xpath(f'//table[@id="staff"]//tr[contains(., "{staff_a.name}")]')[0]
    assert "暂停上岗" in row.text_content()
    assert "暂停运营" not in listing  # neither in the row nor in the status filter
    assert "暂停上岗" in document.xpath('//select[@name="status"]')[0].text_content()

    detail = client.get(f"/staff/{staff_a.pk}/").content.decode()
    assert "暂停上岗" in detail and "暂停运营" not in detail
    assert '<label for="id_name">姓名</label>' in detail
    assert "暂停上岗" in staff_a.serve_refusal(station_a)

    rows = _export_rows(client.get("/staff/", {"export": "xlsx"}))
    status = rows[0].index("状态")
    assert {row[status] for row in rows[1:] if row[0] == staff_a.name} == {"暂停上岗"}


def test_the_administration_names_people_with_their_name_and_status(world, staff_a):
    make_staff(world.company_a, "离职的人", status="left", left_on=staff_a.joined_on)
    page = _client("cn_officer").get("/admin/staff/staffmember/").content.decode()
    document = lxml.html.fromstring(page)
    headers = [th.text_content().strip() for th in document.xpath('//table[@id="result_list"]/thead//th')]
    assert "姓名" in headers and "名称" not in headers
    assert "已离职" in page and "暂停运营" not in page


def test_the_station_keeps_its_own_word(world, station_a):
    assert str(StationStatus.SUSPENDED.label) == "暂停运营"

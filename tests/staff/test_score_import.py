"""Attendance and scores from Excel: people matched by name (and phone), every bad row named,
nothing written on any error (admin, API and service share one import)."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import AuditEntry, Notification
from reports.spreadsheets import ImportFailed
from staff import imports
from staff.models import TrainingRecord
from tests.conftest import api_client_for
from tests.factories import PASSWORD, make_staff
from tests.reports.test_import import workbook_bytes

HEADER = ["姓名", "手机号", "是否出勤", "理论成绩", "实操成绩", "证书编号"]


@pytest.fixture
def people(world):
    return {
        "zhang": make_staff(world.company_a, "张三", phone="13900000001"),
        "li": make_staff(world.company_a, "李四", phone="13900000002"),
        "wang_a": make_staff(world.company_a, "王五", phone="13900000003"),
        "wang_b": make_staff(world.company_b, "王五", phone="13900000004"),
    }


def test_a_clean_sheet_imports_every_row_and_derives_passes(world, pre_job, people):
    sheet = workbook_bytes(
        [
            ["长宁区三员岗前培训成绩表"],  # a title row above the header
            HEADER,
            ["张三", "", "是", 88, 92, "GQ-001"],
            ["李四", 13900000002, "是", 75, 65, ""],  # practical under 70
            ["王五", "13900000004", "否", None, None, ""],  # two 王五: the phone decides
        ]
    )
    result = imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")
    assert result.rows == 3
    records = {
        r.staff.name + r.staff.employer.name: r
        for r in TrainingRecord.objects.select_related("staff__employer")
    }
    assert records["张三甲物业"].passed and records["张三甲物业"].certificate_number == "GQ-001"
    assert not records["李四甲物业"].passed and records["李四甲物业"].practical_score == Decimal(65)
    assert not records["王五乙物业"].attended
    # each employer hears about its own people, and only them
    notice_a = Notification.objects.get(recipient=world.company_a_admin)
    assert "1 of 2" in notice_a.title or "2 人中 1 人合格" in notice_a.title
    assert "张三" in notice_a.body and "王五" not in notice_a.body
    assert "王五" in Notification.objects.get(recipient=world.company_b_admin).body


def test_the_imported_records_are_audited_as_the_importers_through_the_import_channel(world, pre_job, people):
    # the spreadsheet engine knows no app: the score import itself sets who and how
    sheet = workbook_bytes([HEADER, ["张三", "", "是", 88, 92, ""]])
    imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")
    record = TrainingRecord.objects.get()
    entries = AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="trainingrecord")
    assert entries.exists()
    assert {(entry.actor_id, entry.channel) for entry in entries} == {(world.changning_officer.pk, "import")}


def test_any_bad_row_rejects_the_whole_sheet_with_row_level_errors(world, pre_job, people):
    sheet = workbook_bytes(
        [
            HEADER,
            ["张三", "", "是", 88, 92, ""],  # fine on its own
            ["赵六", "13900009999", "是", 80, 80, ""],  # unknown person
            ["王五", "", "是", 80, 80, ""],  # ambiguous without a phone
            ["李四", "", "是", "八十", 80, ""],  # not a number
            ["张三", "", "是", 70, 70, ""],  # the same person twice
            ["李四", "", "也许", None, None, ""],  # attendance unreadable
        ]
    )
    with pytest.raises(ImportFailed) as failed:
        imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="成绩.xlsx")
    by_row = {error.row: str(error) for error in failed.value.errors}
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert "赵六" in by_row[3] and "139****9999" in by_row[3]
    assert "2 名服务人员名为 王五" in by_row[4]
    assert "理论成绩" in by_row[5]
    assert "第 2 行" in by_row[6]
    assert "是否出勤" in by_row[7]
    assert not TrainingRecord.objects.exists()  # 张三's good row was not kept either


def test_people_outside_the_importers_region_are_unknown(world, pre_job):
    make_staff(world.nanan_company, "南安人")
    sheet = workbook_bytes([HEADER, ["南安人", "", "是", 90, 90, ""]])
    with pytest.raises(ImportFailed):
        imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="x.xlsx")


def test_api_import_reports_rows_and_writes_nothing_on_error(world, pre_job, people):
    client = api_client_for(world.changning_officer)
    url = f"/api/v1/training-sessions/{pre_job.pk}/import-scores/"
    bad = workbook_bytes([HEADER, ["张三", "", "是", 90, 90, ""], ["无此人", "", "是", 90, 90, ""]])
    bad.name = "bad.xlsx"
    response = client.post(url, {"file": bad}, format="multipart")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "import_failed" and body["rows"][0]["row"] == 3
    assert not TrainingRecord.objects.exists()
    good = workbook_bytes([HEADER, ["张三", "", "是", 90, 90, ""]])
    good.name = "good.xlsx"
    assert client.post(url, {"file": good}, format="multipart").json() == {"rows": 1}
    company = api_client_for(world.company_a_admin)
    good.seek(0)
    assert company.post(url, {"file": good}, format="multipart").status_code in (403, 404)


def test_admin_import_shows_every_error_then_imports_a_good_sheet(world, pre_job, people):
    client = Client()
    assert client.login(username="cn_officer", password=PASSWORD)
    url = f"/admin/staff/trainingsession/{pre_job.pk}/import-scores/"
    bad = workbook_bytes([HEADER, ["无此人", "", "是", 90, 90, ""]])
    bad.name = "bad.xlsx"
    page = client.post(url, {"file": bad})
    assert (
        page.status_code == 200
        and "无此人" in page.content.decode()
        and "未导入任何数据" in page.content.decode()
    )
    good = workbook_bytes([HEADER, ["张三", "", "是", 90, 90, ""]])
    good.name = "good.xlsx"
    assert client.post(url, {"file": good}).status_code == 302
    assert TrainingRecord.objects.get().passed


def _record_on_file(world, pre_job, people):
    imports.import_scores(
        pre_job,
        workbook_bytes([HEADER, ["张三", "", "是", 88, 92, "GQ-001"]]),
        by=world.changning_officer,
        filename="成绩.xlsx",
    )
    return TrainingRecord.objects.get(staff=people["zhang"])


def test_a_sheet_with_only_the_name_column_is_refused_and_overwrites_nothing(world, pre_job, people):
    before = _record_on_file(world, pre_job, people)
    with pytest.raises(ImportFailed) as failed:
        imports.import_scores(
            pre_job,
            workbook_bytes([["姓名"], ["张三"]], title="成绩"),
            by=world.changning_officer,
            filename="x.xlsx",
        )
    [error] = failed.value.errors
    assert error.sheet == "成绩" and error.row == 1
    assert all(column in error.message for column in ("是否出勤", "理论成绩", "实操成绩"))
    assert "证书编号" not in error.message and "手机号" not in error.message  # optional columns
    after = TrainingRecord.objects.get(pk=before.pk)
    assert (
        after.attended,
        after.theory_score,
        after.practical_score,
        after.passed,
        after.certificate_number,
    ) == (
        True,
        Decimal(88),
        Decimal(92),
        True,
        "GQ-001",
    )


def test_a_sheet_without_the_certificate_column_keeps_the_certificate_on_file(world, pre_job, people):
    before = _record_on_file(world, pre_job, people)
    sheet = workbook_bytes([["姓名", "是否出勤", "理论成绩", "实操成绩"], ["张三", "是", 95, 96]])
    assert imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="x.xlsx").rows == 1
    after = TrainingRecord.objects.get(pk=before.pk)
    assert after.theory_score == Decimal(95) and after.certificate_number == "GQ-001"
    # a 证书编号 column left blank is a decision, and clears it
    sheet = workbook_bytes([HEADER, ["张三", "", "是", 95, 96, None]])
    imports.import_scores(pre_job, sheet, by=world.changning_officer, filename="x.xlsx")
    assert TrainingRecord.objects.get(pk=before.pk).certificate_number == ""


def test_api_refuses_a_name_only_sheet_with_the_missing_columns(world, pre_job, people):
    client = api_client_for(world.changning_officer)
    sheet = workbook_bytes([["姓名"], ["张三"]])
    sheet.name = "names.xlsx"
    response = client.post(
        f"/api/v1/training-sessions/{pre_job.pk}/import-scores/", {"file": sheet}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "import_failed" and "理论成绩" in body["rows"][0]["text"]
    assert not TrainingRecord.objects.exists()

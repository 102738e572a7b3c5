"""The admin pages of the export jobs and of the reminders log: read only, and each person sees
only what the scoping path gives them (their own exports; the reminders log is the platform
administrator's), with Chinese labels."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organization
from reports import exporting, jobs, tasks
from reports.models import ExportJob, ReminderSent
from tests.admin_pages import admin_client, superuser

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/exportjob/"
REMINDERS = "/admin/reports/remindersent/"


@pytest.fixture(autouse=True)
def no_worker(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "zh-hans"
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, **options: None)


def job_of(user, kind="property_company"):
    job = jobs.submit_export(
        exporting.registered_definition("单位名录"),
        Organization.objects.visible_to(user).filter(kind=kind),
        user=user,
        channel="admin",
        filters={"类型": "物业服务企业"},
    )
    ExportJob.objects.filter(pk=job.pk).update(label=f"{user.username}的导出")
    return job


def test_an_officer_reads_their_own_exports_and_no_one_elses(world):
    mine, theirs = job_of(world.changning_officer), job_of(world.street_officer)
    jobs.run_export_job(mine.pk)
    client = admin_client(world.changning_officer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert "cn_officer的导出" in body and "hy_officer的导出" not in body
    for label in ("内容", "导出途径", "状态", "进度", "提出时间"):
        assert label in body, label
    assert "已完成" in body and "管理后台" in body  # labels, not codes
    detail = client.get(f"{CHANGELIST}{mine.pk}/change/").content.decode()
    assert "类型 = 物业服务企业" in detail and f"/exports/{mine.pk}/download/" in detail
    assert 'name="_save"' not in detail  # read only
    # another person's job does not exist for the officer
    other = client.get(f"{CHANGELIST}{theirs.pk}/change/")
    assert other.status_code == 302 and other["Location"] == "/admin/"
    # the index lists 导出任务 for any government user, not the reminders log
    index = client.get("/admin/").content.decode()
    assert CHANGELIST in index and REMINDERS not in index


def test_export_jobs_cannot_be_added_changed_or_deleted_in_the_admin(world):
    job = job_of(world.changning_officer)
    client = admin_client(world.changning_officer)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{job.pk}/change/", {"label": "改"}).status_code == 403
    assert client.post(f"{CHANGELIST}{job.pk}/delete/", {"post": "yes"}).status_code == 403
    job.refresh_from_db()
    assert job.label == "cn_officer的导出"


def test_a_superuser_sees_only_their_own_exports_too(world):
    job_of(world.changning_officer)
    root = superuser()
    own = job_of(root)
    body = admin_client(root).get(CHANGELIST).content.decode()
    assert "root的导出" in body and "cn_officer的导出" not in body
    assert f"{CHANGELIST}{own.pk}/change/" in body


def test_the_reminders_log_is_the_platform_administrators_and_read_only(world):
    ReminderSent.objects.create(
        kind="violation_overdue",
        object_id=42,
        due_on=dt.date(2026, 11, 30),
        sent_at=timezone.now(),
        recipients=3,
    )
    officer = admin_client(world.changning_officer)
    assert officer.get(REMINDERS).status_code == 403
    client = admin_client(superuser())
    page = client.get(REMINDERS).content.decode()
    for label in ("提醒", "对象编号", "完成时限", "发送时间", "接收人数", "已发送的提醒"):
        assert label in page, label
    assert "违规情形超过整改期限" in page  # the reminder's label, not its code
    assert "violation_overdue" not in page.split("<tbody>", 1)[-1].split("</tbody>")[0]
    reminder = ReminderSent.objects.get()
    assert client.get(f"{REMINDERS}add/").status_code == 403
    assert client.post(f"{REMINDERS}{reminder.pk}/change/", {"recipients": 9}).status_code == 403
    assert client.post(f"{REMINDERS}{reminder.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReminderSent.objects.get().recipients == 3

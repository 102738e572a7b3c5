"""The score sheet's admin form: its label begins with a capital letter in English, and the
columns it lists are joined with commas in English and 、 in Chinese."""

from tests.facilities.test_import_form_wording import _client, _labels


def test_the_score_sheet_form_in_english_and_chinese(world, pre_job):
    url = f"/admin/staff/trainingsession/{pre_job.pk}/import-scores/"
    english = _client("cn_officer", "en")
    assert _labels(english, url) == ["Score sheet (.xlsx):"]
    page = english.get(url).content.decode()
    assert "姓名, 手机号, 是否出勤, 理论成绩, 实操成绩, 证书编号" in page
    chinese = _client("cn_officer", "zh-hans").get(url).content.decode()
    assert "姓名、手机号、是否出勤、理论成绩、实操成绩、证书编号" in chinese

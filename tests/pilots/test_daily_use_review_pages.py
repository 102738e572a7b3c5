"""Daily use of the review: each step on a page of its own that says what will happen (and asks
first when it cannot be undone), the quota while reviewing, a refused opinion that keeps what the
officer typed with the error beside the field, and each person shown only their own steps."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pilots import services
from pilots.models import Pilot, ProgrammeQuota
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def recommended(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    return services.transition(draft, "recommend", by=world.street_officer, text="同意推荐")


def test_the_applicants_draft_page_shows_no_reviewers_card(world, draft):
    page = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/")
    body = page.content.decode()
    assert [a.name for a in page.context["actions"]] == ["submit"]
    # 意见, 盖章意见扫描件 and 超出名额的理由 belong to the reviewers' pages, not beside 提交
    assert 'name="text"' not in body and 'name="scan"' not in body
    assert 'name="quota_override_reason"' not in body
    assert "提交" in body


def test_the_reviewer_sees_the_review_steps_and_not_the_applicants(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    page = logged_in("hy_officer").get(f"/pilots/applications/{draft.pk}/")
    assert [a.name for a in page.context["actions"]] == ["recommend", "return", "not_recommend"]
    company = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/")
    assert [a.name for a in company.context["actions"]] == ["withdraw"]


def test_approving_asks_first_saying_what_will_happen_and_shows_the_quota(world, recommended):
    client = logged_in("cn_officer")
    page = client.get(f"/pilots/applications/{recommended.pk}/act/approve/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="consequence"' in body and "不能撤销" in body  # what will happen, in words
    assert 'id="quota"' in body and "尚余 2" in body  # quota 2, none approved yet
    recommended.refresh_from_db()
    assert recommended.status == "recommended"  # opening the page changes nothing
    done = client.post(f"/pilots/applications/{recommended.pk}/act/approve/", {"text": "同意"})
    assert done.status_code == 302
    assert Pilot.objects.filter(application=recommended).exists()


def test_rejecting_asks_first_too_and_needs_the_reason_beside_the_field(world, recommended):
    client = logged_in("cn_officer")
    assert "不能再次提交" in client.get(f"/pilots/applications/{recommended.pk}/act/reject/").content.decode()
    refused = client.post(f"/pilots/applications/{recommended.pk}/act/reject/", {"text": "  "})
    assert refused.status_code == 400
    assert refused.context["form"].errors["text"]
    recommended.refresh_from_db()
    assert recommended.status == "recommended"


def test_a_refusal_past_the_quota_keeps_what_the_officer_typed(world, recommended):
    ProgrammeQuota.objects.filter(programme=recommended.programme, pilot_type="property_care").update(quota=0)
    client = logged_in("cn_officer")
    opinion = "经复核，该单位基础扎实，同意列为试点。"
    refused = client.post(f"/pilots/applications/{recommended.pk}/act/approve/", {"text": opinion})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert opinion in body  # the opinion is still in its field
    form = refused.context["form"]
    assert "quota_override_reason" in form.errors  # the error sits beside the reason field
    assert 'class="field has-errors"' in body
    recommended.refresh_from_db()
    assert (
        recommended.status == "recommended" and not recommended.opinions.filter(decision="approve").exists()
    )
    done = client.post(
        f"/pilots/applications/{recommended.pk}/act/approve/",
        {"text": opinion, "quota_override_reason": "示范意义突出"},
    )
    assert done.status_code == 302
    assert recommended.opinions.get(decision="approve").quota_override_reason == "示范意义突出"


def test_the_quota_shows_on_the_application_page_for_the_bureau_only(world, recommended):
    assert (
        'id="quota"'
        in logged_in("cn_officer").get(f"/pilots/applications/{recommended.pk}/").content.decode()
    )
    assert (
        'id="quota"'
        not in logged_in("a_admin").get(f"/pilots/applications/{recommended.pk}/").content.decode()
    )


def test_the_applicant_cannot_open_or_post_a_reviewers_step(world, recommended):
    client = logged_in("a_admin")
    opened = client.get(f"/pilots/applications/{recommended.pk}/act/approve/", follow=True)
    assert "只有" in opened.content.decode()  # the refusal says who may
    posted = client.post(f"/pilots/applications/{recommended.pk}/act/approve/", {"text": "自己批准"})
    assert posted.status_code == 400
    recommended.refresh_from_db()
    assert recommended.status == "recommended"
    assert logged_in("b_admin").get(f"/pilots/applications/{recommended.pk}/act/approve/").status_code == 404
    assert logged_in("a_admin").get(f"/pilots/applications/{recommended.pk}/act/unknown/").status_code == 404


def test_a_refused_attachment_comes_back_beside_its_field_with_the_name_kept(
    world, draft, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    program = SimpleUploadedFile("程序.pdf", b"MZ\x90\x00" + b"\0" * 64)
    refused = logged_in("a_admin").post(
        f"/pilots/applications/{draft.pk}/attachments/", {"file": program, "name": "申报表扫描件"}
    )
    assert refused.status_code == 400
    assert refused.context["attachment_form"].errors["file"]
    assert 'value="申报表扫描件"' in refused.content.decode()
    assert not draft.attachments.exists()


def test_the_application_page_names_the_site_without_its_division_code(world, draft):
    body = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/").content.decode()
    site = draft.site_region
    assert site is not None and site.name in body
    assert site.code not in body  # people read the place's name; the code is the registry's

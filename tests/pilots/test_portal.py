"""Portal pages of the pilots app: the stepped form saves drafts; pages are scoped."""

import pytest
from django.test import Client

from pilots import services
from pilots.models import Application
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_stepped_form_saves_a_draft_at_each_step_and_can_be_left(world, call):
    client = logged_in("a_admin")
    response = client.post(
        f"/pilots/programmes/{call.pk}/apply/",
        {
            "organization": world.company_a.pk,
            "pilot_type": "property_care",
            "site_region": world.regions["310105001"].pk,
            "site_address": "",
            "project_lead": "张三",
            "phone": "",
        },
    )
    application = Application.objects.get(organization=world.company_a)
    assert response["Location"].endswith(f"/pilots/applications/{application.pk}/edit/?step=2")
    response = client.post(
        f"/pilots/applications/{application.pk}/edit/?step=2",
        {"unit_introduction": "简介", "background": "", "exit": "1"},
    )
    assert response["Location"].endswith(f"/pilots/applications/{application.pk}/")
    application.refresh_from_db()
    assert (application.status, application.project_lead, application.unit_introduction) == (
        "draft",
        "张三",
        "简介",
    )
    page = client.get(f"/pilots/applications/{application.pk}/").content.decode()
    assert "请填写" in page and "试点背景" in page  # what is still missing before submission


def test_other_company_cannot_open_or_edit_the_draft(world, draft):
    client = logged_in("b_admin")
    assert client.get(f"/pilots/applications/{draft.pk}/").status_code == 404
    assert (
        client.post(f"/pilots/applications/{draft.pk}/edit/?step=2", {"background": "x"}).status_code == 404
    )
    assert client.post(f"/pilots/applications/{draft.pk}/act/submit/").status_code == 404


def test_review_buttons_show_only_what_the_user_may_do(world, draft):
    services.transition(draft, "submit", by=world.company_a_admin)
    street = logged_in("hy_officer").get(f"/pilots/applications/{draft.pk}/")
    assert [a.name for a in street.context["actions"]] == ["recommend", "return", "not_recommend"]
    bureau = logged_in("cn_officer").get(f"/pilots/applications/{draft.pk}/")
    assert bureau.context["actions"] == []


def test_refused_action_in_the_portal_says_why(world, draft):
    client = logged_in("cn_officer")
    response = client.post(f"/pilots/applications/{draft.pk}/act/approve/", follow=True)
    assert "不能执行" in response.content.decode()

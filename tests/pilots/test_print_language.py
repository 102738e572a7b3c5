"""The pilot list, the application form and its opinion history are printed in Chinese with the
English language cookie (see tests/facilities/test_print_language.py); the portal page around them
stays English."""

import pytest

from pilots import services as pilot_services
from tests.facilities.test_print_language import check, english

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, call, draft):
    app = pilot_services.transition(draft, "submit", by=world.company_a_admin)
    app = pilot_services.transition(app, "recommend", by=world.street_officer, text="同意推荐")
    app = pilot_services.transition(app, "approve", by=world.changning_officer, text="同意")
    pilot_services.publish_pilot_list(call, by=world.changning_officer)
    return app


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_pilot_list_is_chinese_in_english(world, call, published, suffix, tmp_path):
    check(
        english(),
        f"/pilots/programmes/{call.pk}/pilots/{suffix}",
        ["试点名单", "试点单位", "长宁区民政局"],
        ["Pilot list", "pilot unit", "pilot type", "published", "date"],
        tmp_path,
    )


@pytest.mark.parametrize("suffix", ["print/", "print.pdf"])
def test_the_application_form_is_chinese_in_english(world, published, suffix, tmp_path):
    check(
        english("a_admin"),
        f"/pilots/applications/{published.pk}/{suffix}",
        ["镇街民政工作部门意见", "推荐：同意推荐", "批准：同意"],
        ["Recommend", "Approve"],
        tmp_path,
    )


def test_the_opinion_history_is_chinese_in_english(world, published, tmp_path):
    check(
        english("cn_officer"),
        f"/pilots/applications/{published.pk}/print/opinions/",
        ["推荐", "同意推荐"],
        ["Recommend", "superseded", "stands"],
        tmp_path,
    )


def test_the_portal_page_around_the_print_stays_english(world, published):
    page = english("a_admin").get(f"/pilots/applications/{published.pk}/").content.decode()
    assert 'lang="en"' in page and "Print" in page and "打印申报表" not in page

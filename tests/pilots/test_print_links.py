"""Every print view of the pilots is reached from the pages people use: the application's page
and its admin change form (001 附件2 and its PDF), the published pilot list and the programme's
admin change form; the links read in both languages."""

import pytest
from django.test import Client
from django.utils import translation

from pilots import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username, language="zh-hans"):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def approved(world, draft):
    app = services.transition(draft, "submit", by=world.company_a_admin)
    app = services.transition(app, "recommend", by=world.street_officer, text="同意推荐")
    return services.transition(app, "approve", by=world.changning_officer, text="同意")


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "下载 PDF"), ("en", "Download PDF")])
def test_the_application_page_links_the_printed_form_and_its_pdf(world, draft, language, words):
    page = logged_in("a_admin", language).get(f"/pilots/applications/{draft.pk}/").content.decode()
    assert f'href="/pilots/applications/{draft.pk}/print/"' in page
    assert f'href="/pilots/applications/{draft.pk}/print.pdf"' in page and words in page


def test_the_admin_change_form_of_an_application_links_both(world, draft):
    page = logged_in("cn_officer").get(f"/admin/pilots/application/{draft.pk}/change/").content.decode()
    assert f'href="/pilots/applications/{draft.pk}/print/"' in page
    assert f'href="/pilots/applications/{draft.pk}/print.pdf"' in page


def test_the_published_list_and_the_programmes_change_form_link_the_list_print(world, call, approved):
    admin_url = f"/admin/pilots/programme/{call.pk}/change/"
    print_url, pdf_url = (
        f"/pilots/programmes/{call.pk}/pilots/print/",
        f"/pilots/programmes/{call.pk}/pilots/print.pdf",
    )
    before = logged_in("cn_officer").get(admin_url).content.decode()
    assert print_url not in before  # nothing published yet: nothing to post
    services.publish_pilot_list(call, by=world.changning_officer)
    after = logged_in("cn_officer").get(admin_url).content.decode()
    assert f'href="{print_url}"' in after and f'href="{pdf_url}"' in after
    for language in ("zh-hans", "en"):
        page = logged_in("a_admin", language).get(f"/pilots/programmes/{call.pk}/pilots/").content.decode()
        assert f'href="{print_url}"' in page and f'href="{pdf_url}"' in page
    with translation.override("en"):
        assert (
            "Print version"
            in logged_in("a_admin", "en").get(f"/pilots/programmes/{call.pk}/pilots/").content.decode()
        )

"""The printed application (001 附件2) says what the notice's form says, label for label, holds only
the opinions that stand, names the issuing bureau, and is downloadable as a PDF of the same page.
Every print road is scoped like the application itself."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import content_disposition_header

from accounts.models import AuditEntry, Role
from pilots import services
from pilots.models import Opinion
from tests.factories import PASSWORD, OrganizationFactory, make_user

pytestmark = pytest.mark.django_db

# 001 附件2 (居家社区养老服务改革试点申报表), its 15 labels in the form's order, word for word: two
# section rows, then the rows of each section. The last one is the issuing bureau's: the notice's
# city programme prints 市民政局意见, a district's prints its own bureau (长宁区民政局意见).
FORM_LABELS = [
    "项目申报单位信息",
    "项目所在镇街",
    "申报单位名称",
    "申报单位简介",
    "项目负责人",
    "联系电话",
    "申报项目信息",
    "申报试点类型",
    "实施地",
    "项目背景",
    "项目目标任务",
    "项目执行计划",
    "项目实施保障",
    "镇街民政工作部门意见",
    "市民政局意见",
]
HINTS = [
    "(实施地的老年人情况,与试点内容相关的基础工作情况、人文特点、存在问题、服务需求等)",
    "(实施内容、具体措施、实施步骤、人员分工等)",
    "(场地设施、服务资源、人力保障、资金保障等)",
]


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def act(application, action, user, text="意见"):
    return services.transition(application, action, by=user, text=text)


def labels_of(page: str) -> list[str]:
    """The label cells (<th>) of the form table, in order."""
    table = page[page.index('id="application-form"') :]
    table = table[: table.index("</table>")]
    return [re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


@pytest.fixture
def reviewed(world, draft):
    """Returned by the street once, resubmitted, recommended, then approved by the bureau."""
    app = act(draft, "submit", world.company_a_admin)
    app = act(app, "return", world.street_officer, text="请补充资金保障的来源")
    app = act(app, "submit", world.company_a_admin)
    app = act(app, "recommend", world.street_officer, text="同意推荐")
    return act(app, "approve", world.changning_officer, text="同意列为试点")


def test_the_printed_form_has_the_15_labels_of_the_notice_in_its_order(world, reviewed):
    page = logged_in("a_admin").get(f"/pilots/applications/{reviewed.pk}/print/").content.decode()
    expected = [*FORM_LABELS[:-1], "长宁区民政局意见"]
    assert labels_of(page) == expected
    assert '<p class="form-mark">附件 2</p>' in page
    assert '<h1 class="form-title">居家社区养老服务改革试点申报表</h1>' in page
    for hint in HINTS:
        assert hint in page
    # Both opinion boxes carry the signature lines of the form.
    assert page.count("签字：") == 2 and page.count("(单位盖章)") == 2


def test_the_chosen_pilot_type_is_ticked_and_the_other_left_empty(world, call, draft):
    page = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/print/").content.decode()
    cell = re.search(r'id="pilot-type">(.*?)</td>', page, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", cell)
    assert text == "☑“物业服务+养老服务”□互助式养老服务"

    mutual = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
    )
    page = logged_in("a_admin").get(f"/pilots/applications/{mutual.pk}/print/").content.decode()
    text = re.sub(r"<[^>]+>", "", re.search(r'id="pilot-type">(.*?)</td>', page, re.S).group(1))
    assert text == "□“物业服务+养老服务”☑互助式养老服务"


def test_the_boxes_hold_only_the_standing_opinions_the_history_keeps_the_return(world, reviewed):
    client = logged_in("cn_officer")
    page = client.get(f"/pilots/applications/{reviewed.pk}/print/").content.decode()
    street_box = re.search(r'id="opinion-1">(.*?)</tr>', page, re.S).group(1)
    bureau_box = re.search(r'id="opinion-2">(.*?)</tr>', page, re.S).group(1)
    assert "同意推荐" in street_box and "同意列为试点" not in street_box
    assert "同意列为试点" in bureau_box and "同意推荐" not in bureau_box
    assert "请补充资金保障的来源" not in page  # the superseded return is not printed
    history_url = reverse("pilots:application-opinions", args=[reviewed.pk])
    assert f'href="{history_url}"' in page
    history = client.get(history_url).content.decode()
    assert "请补充资金保障的来源" in history and "同意推荐" in history
    rows = re.findall(r"<tr><td>.*?</tr>", history, re.S)
    assert [("请补充资金保障的来源" in r, "已被取代" in r or "superseded" in r) for r in rows] == [
        (True, True),
        (False, False),
        (False, False),
    ]


def test_a_return_answered_by_resubmitting_leaves_the_box_empty(world, draft):
    app = act(draft, "submit", world.company_a_admin)
    app = act(app, "recommend", world.street_officer, text="同意推荐")
    app = act(app, "return", world.changning_officer, text="请细化执行计划")
    page = logged_in("a_admin").get(f"/pilots/applications/{app.pk}/print/").content.decode()
    assert "请细化执行计划" in page  # the return stands until the applicant answers it
    app = act(app, "submit", world.company_a_admin)
    page = logged_in("a_admin").get(f"/pilots/applications/{app.pk}/print/").content.decode()
    assert "请细化执行计划" not in page and "同意推荐" not in page
    # An empty box is left for the hand: the date line has no figures.
    assert page.count("年　　月　　日") == 2


def test_a_city_programme_prints_the_city_bureau_and_a_co_issuer_does_not_take_its_place(world, call, draft):
    housing = OrganizationFactory(kind="housing", name="长宁区房管局", region=world.regions["310105"])
    call.issuers.add(housing)
    page = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/print/").content.decode()
    assert labels_of(page)[-1] == "长宁区民政局意见"
    call.issuers.remove(world.changning_bureau)
    page = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/print/").content.decode()
    assert labels_of(page)[-1] == "长宁区房管局意见"


def test_the_print_page_has_a_print_button_without_inline_script(world, draft):
    page = logged_in("a_admin").get(f"/pilots/applications/{draft.pk}/print/").content.decode()
    assert "data-print" in page and "/static/js/portal.js" in page
    assert "<script>" not in page and "onclick" not in page
    assert "size: A4" in (Path(__file__).resolve().parents[2] / "static/css/print.css").read_text("utf-8")


def test_print_pages_run_a_fixed_number_of_queries(world, reviewed, django_assert_num_queries):
    client = logged_in("a_admin")
    client.get(f"/pilots/applications/{reviewed.pk}/print/")  # session warmed
    # session, user (scope cached), application, issuers, opinions; the print adds the audit
    # entry of the phone it shows in full
    with django_assert_num_queries(5):
        assert client.get(f"/pilots/applications/{reviewed.pk}/print/").status_code == 200
    with django_assert_num_queries(4):
        assert client.get(f"/pilots/applications/{reviewed.pk}/print/opinions/").status_code == 200
    # as many for an application without any opinion (the reviewed one has three)
    fresh = services.create_application(
        by=world.company_a_admin,
        programme=reviewed.programme,
        organization=world.company_a,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
        phone="021-87654321",
    )
    assert reviewed.opinions.count() == 3 and fresh.opinions.count() == 0
    with django_assert_num_queries(5):
        assert client.get(f"/pilots/applications/{fresh.pk}/print/").status_code == 200
    with django_assert_num_queries(4):
        assert client.get(f"/pilots/applications/{fresh.pk}/print/opinions/").status_code == 200
    # the PDF reads what the page reads
    for application in (fresh, reviewed):
        with django_assert_num_queries(5):
            assert client.get(f"/pilots/applications/{application.pk}/print.pdf").status_code == 200


def phone_reads(application):
    return list(
        AuditEntry.objects.filter(action="pii_read", object_id=str(application.pk)).values_list(
            "actor_repr", "note"
        )
    )


@pytest.mark.parametrize(("suffix", "medium"), [("print/", "print"), ("print.pdf", "pdf")])
def test_the_paper_form_carries_the_phone_in_full_and_each_copy_is_logged(world, reviewed, suffix, medium):
    """The official form is a contact sheet for the offices that review it: the applicant's own
    phone is printed whole, not masked, and every copy made with it is in the audit log."""
    assert phone_reads(reviewed) == []
    response = logged_in("hy_officer").get(f"/pilots/applications/{reviewed.pk}/{suffix}")
    assert response.status_code == 200
    if medium == "print":
        cell = re.search(r"<th>联系电话</th><td>(.*?)</td>", response.content.decode()).group(1)
        assert cell == "021-12345678"
    assert phone_reads(reviewed) == [("hy_officer", f"phone ({medium})")]
    # the history page shows no phone and logs nothing; a page refused logs nothing either
    logged_in("hy_officer").get(f"/pilots/applications/{reviewed.pk}/print/opinions/")
    logged_in("b_admin").get(f"/pilots/applications/{reviewed.pk}/{suffix}")
    assert len(phone_reads(reviewed)) == 1


def test_a_form_without_a_phone_logs_no_read(world, call):
    bare = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
    )
    page = logged_in("a_admin").get(f"/pilots/applications/{bare.pk}/print/").content.decode()
    assert "<th>联系电话</th><td></td>" in page
    assert phone_reads(bare) == []


@pytest.mark.parametrize("suffix", ["print/", "print.pdf", "print/opinions/"])
def test_other_company_and_other_region_get_404(world, reviewed, suffix):
    url = f"/pilots/applications/{reviewed.pk}/{suffix}"
    assert logged_in("b_admin").get(url).status_code == 404
    assert logged_in("na_officer").get(url).status_code == 404
    other_street = OrganizationFactory(
        kind="street_office", name="仙霞新村街道办事处", region=world.regions["310105008"]
    )
    make_user("xx_officer", other_street, Role.OFFICER)
    assert logged_in("xx_officer").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_pdf_is_the_same_form_with_its_labels_in_chinese(world, reviewed, tmp_path):
    response = logged_in("a_admin").get(f"/pilots/applications/{reviewed.pk}/print.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == content_disposition_header(
        as_attachment=True, filename=f"居家社区养老服务改革试点申报表-甲物业-{reviewed.pk}.pdf"
    )
    text = re.sub(r"\s", "", pdf_text(response.content, tmp_path))
    for label in [*FORM_LABELS[:-1], "长宁区民政局意见", "附件2", "居家社区养老服务改革试点申报表"]:
        assert label in text, label
    assert "☑“物业服务+养老服务”" in text and "□互助式养老服务" in text
    assert "同意推荐" in text and "同意列为试点" in text and "请补充资金保障的来源" not in text
    # The toolbar is not part of the paper.
    assert "打印" not in text and "Print" not in text


def test_opinion_rows_of_another_application_do_not_leak_into_the_form(world, call, reviewed):
    other = services.create_application(
        by=world.company_a_admin,
        programme=call,
        organization=world.company_a,
        pilot_type="mutual_aid",
        site_region=world.regions["310105001"],
    )
    assert Opinion.objects.filter(application=other).count() == 0
    page = logged_in("a_admin").get(f"/pilots/applications/{other.pk}/print/").content.decode()
    assert "同意推荐" not in page and page.count("年　　月　　日") == 2


def test_the_applicant_sees_the_opinions_it_was_notified_of_and_no_reviewers_step(world, reviewed):
    """README's rule: every decision is notified to the applicant with a link to its application,
    whose page shows the decision with its reason; so the applicant sees the opinions given on its
    application — the standing ones on the printed form, all of them (the superseded return
    included) on its page and the history page — but gives none: the reviewers' steps stay closed
    to it."""
    from accounts.models import Notification  # noqa: PLC0415 - only this test reads notices

    client = logged_in("a_admin")
    page_url = f"/pilots/applications/{reviewed.pk}/"
    links = list(Notification.objects.filter(recipient=world.company_a_admin).values_list("link", flat=True))
    assert len(links) == 3 and set(links) == {page_url}  # returned, recommended, approved
    form = client.get(f"{page_url}print/").content.decode()
    assert "同意推荐" in form and "同意列为试点" in form and "请补充资金保障的来源" not in form
    for url in (f"{page_url}print/opinions/", page_url):
        page = client.get(url).content.decode()
        assert "请补充资金保障的来源" in page and "同意推荐" in page, url
    opinions = reviewed.opinions.count()
    for action in ("recommend", "return", "approve"):
        assert client.get(f"{page_url}act/{action}/").status_code != 200, action  # no opinion card
        client.post(f"{page_url}act/{action}/", {"text": "自己推荐自己"})
    assert reviewed.opinions.count() == opinions
    assert "/act/recommend/" not in client.get(page_url).content.decode()

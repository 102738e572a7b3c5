"""The published pilot list printed for posting (and as a PDF): unit, type, street, site, date and
the bureau; public once published, hidden before from whoever sees no pilot of it."""

import re
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from pilots import services
from pilots.models import Pilot, Programme
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def approved(world, draft):
    app = services.transition(draft, "submit", by=world.company_a_admin)
    app = services.transition(app, "recommend", by=world.street_officer, text="同意推荐")
    return services.transition(app, "approve", by=world.changning_officer, text="同意")


def test_before_publication_only_those_who_see_a_pilot_get_the_list(world, call, approved):
    url = f"/pilots/programmes/{call.pk}/pilots/print/"
    assert Client().get(url).status_code == 404
    assert logged_in("na_officer").get(url).status_code == 404
    assert Client().get(f"/pilots/programmes/{call.pk}/pilots/print.pdf").status_code == 404
    assert logged_in("cn_officer").get(url).status_code == 200


def test_the_published_list_names_unit_type_street_site_date_and_bureau(world, call, approved):
    services.publish_pilot_list(call, by=world.changning_officer)
    page = Client().get(f"/pilots/programmes/{call.pk}/pilots/print/").content.decode()
    rows = re.findall(r"<tr><td>(.*?)</tr>", page[page.index('id="pilot-list"') :], re.S)
    cells = [re.sub(r"<[^>]+>", "|", row).replace("||", "|").strip("|") for row in rows]
    pilot = approved.pilot
    kind, day = pilot.get_pilot_type_display(), f"{pilot.created_at:%Y-%m-%d}"
    assert cells == [f"1|甲物业|{kind}|华阳路街道|华阳路街道 华阳路 1 号|{day}"]
    call.refresh_from_db()
    bureau = page[page.index('id="bureau"') :]
    published = timezone.localtime(call.list_published_at)
    assert "长宁区民政局" in bureau and f"{published.year}年{published.month}月{published.day}日" in bureau
    assert "data-print" in page


def test_the_pdf_of_the_list_carries_its_rows(world, call, approved, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    services.publish_pilot_list(call, by=world.changning_officer)
    response = Client().get(f"/pilots/programmes/{call.pk}/pilots/print.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    path = tmp_path / "list.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = re.sub(r"\s", "", text)
    assert "甲物业" in text and "华阳路街道" in text and "长宁区民政局" in text


def test_the_list_costs_the_same_queries_for_one_or_three_pilots(
    world, call, approved, django_assert_num_queries
):
    services.publish_pilot_list(call, by=world.changning_officer)
    client = Client()
    url = f"/pilots/programmes/{call.pk}/pilots/print/"
    # anonymous: programme with its issuers, the list exists, the pilots
    with django_assert_num_queries(3):
        client.get(url)
    for name in ("乙物业", "南安丙物业"):
        Pilot.objects.create(
            programme=call,
            organization=world.company_b if name == "乙物业" else world.nanan_company,
            pilot_type="mutual_aid",
            site_region=world.regions["310105008"],
        )
    with django_assert_num_queries(3):
        page = client.get(url).content.decode()
    assert page.count("<tr><td>") == 3


def test_the_list_is_headed_by_its_own_title_and_its_date_column_says_what_date(world, call, approved):
    services.publish_pilot_list(call, by=world.changning_officer)
    page = Client().get(f"/pilots/programmes/{call.pk}/pilots/print/").content.decode()
    heading = re.search(r'<h1 class="list-title">(.*?)</h1>', page).group(1)
    assert heading == call.pilot_list_title and heading.endswith("名单") and heading != call.title
    assert call.title not in page[page.index("<body") :]
    head = page[page.index('id="pilot-list"') : page.index("</thead>")]
    with translation.override("zh-hans"):
        determined = gettext("determined on")  # 确定日期: the day the pilot was approved or designated
    assert f"<th>{determined}</th>" in head and "<th>日期</th>" not in head
    response = Client().get(f"/pilots/programmes/{call.pk}/pilots/print.pdf")
    assert quote(f"{call.pilot_list_title}.pdf") in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("title", "list_title"),
    [
        ("长宁区“物业服务+养老服务”试点工作方案", "长宁区“物业服务+养老服务”试点名单"),
        ("关于开展居家社区养老服务改革试点工作的通知", "居家社区养老服务改革试点名单"),
        ("关于征集居家社区养老服务改革试点的通知（演示）", "居家社区养老服务改革试点名单（演示）"),
        ("中山市互助式养老服务", "中山市互助式养老服务试点名单"),
        ("居家社区养老服务改革试点征集", "居家社区养老服务改革试点名单"),
    ],
)
def test_a_programmes_list_title(title, list_title):
    assert Programme(title=title).pilot_list_title == list_title

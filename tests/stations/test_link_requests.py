"""Issue 10, item 3: knowing an identity number is not a care relationship. Registering a person
on file with another operator discloses nothing of her file and makes a link request; the
station is linked only once her signed consent is recorded. The bureau of her region sees the
request, the operators serving her are told, other companies see nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import AuditEntry, Notification, Role
from accounts.pii import blind_index
from stations import services
from stations.models import LinkRequestState, Resident, ResidentLinkRequest, ResidentStation
from tests.conftest import api_client_for
from tests.copies import copy_rows
from tests.factories import PASSWORD, make_user
from tests.stations.conftest import CHANGNING_ID, id_number

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def signed_form(name="同意书.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def request_by_b(world, station_b, name="某某"):
    return services.register_resident(
        by=world.company_b_admin,
        station=station_b,
        name=name,
        id_number=CHANGNING_ID,
        community=world.regions["310105008"],
    )


def test_registering_anothers_resident_through_the_api_discloses_nothing(world, resident, station_b):
    client = api_client_for(world.company_b_admin)
    response = client.post(
        "/api/v1/residents/",
        {"name": "随便填", "id_number": CHANGNING_ID, "community": "310105008", "station": station_b.pk},
        format="json",
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    text = response.content.decode()
    for secret in ("李阿婆", "alone", "living_situation", "basic_care", "emergency_contact", "community"):
        assert secret not in text, secret
    assert body["state"] == "pending" and body["resident"] is None and body["name_given"] == "随便填"
    assert list(Resident.objects.get(pk=resident.pk).stations.all()) == [resident.stations.get()]
    assert len(client.get("/api/v1/residents/").json()["results"]) == 0
    assert client.get(f"/api/v1/residents/{resident.pk}/").status_code == 404


def test_the_station_page_registration_shows_the_request_and_not_the_person(world, resident, station_b):
    client = Client()
    client.login(username="b_admin", password=PASSWORD)
    page = client.post(
        f"/stations/manage/{station_b.pk}/",
        {
            "what": "resident",
            "name": "随便填",
            "id_number": CHANGNING_ID,
            "community": world.regions["310105008"].pk,
            "living_situation": "with_family",
        },
        follow=True,
    ).content.decode()
    with translation.override("zh-hans"):
        expected = gettext("A link request has been submitted; it awaits the person's recorded consent.")
    assert escape(expected) in page and "李阿婆" not in page
    assert ResidentLinkRequest.objects.get().station == station_b
    listed = client.get("/stations/link-requests/").content.decode()
    assert "随便填" in listed and "李阿婆" not in listed


def test_a_repeated_registration_keeps_one_pending_request(world, resident, station_b):
    first, second = request_by_b(world, station_b), request_by_b(world, station_b)
    assert first.resident is None and first.link_request == second.link_request
    assert ResidentLinkRequest.objects.count() == 1


def test_the_operators_who_serve_her_are_told_and_nobody_else(world, resident, station_b):
    request_by_b(world, station_b)
    told = Notification.objects.get()
    assert told.recipient == world.company_a_admin and "李阿婆" in told.title
    assert not Notification.objects.filter(recipient=world.company_b_admin).exists()


def test_consent_without_the_signed_form_or_with_a_false_file_is_refused(world, resident, station_b):
    link = request_by_b(world, station_b).link_request
    today = timezone.localdate()
    with pytest.raises(ValidationError) as missing:
        services.act_on_link_request(link, "record_consent", by=world.company_b_admin, consent_on=today)
    assert "consent_form" in missing.value.message_dict
    with pytest.raises(ValidationError) as false_file:
        services.act_on_link_request(
            link,
            "record_consent",
            by=world.company_b_admin,
            consent_on=today,
            consent_form=signed_form("同意书.pdf", b"MZ\x90\x00 an executable"),
        )
    assert "consent_form" in false_file.value.message_dict
    with pytest.raises(ValidationError) as undated:
        services.act_on_link_request(
            link, "record_consent", by=world.company_b_admin, consent_form=signed_form()
        )
    assert "consent_on" in undated.value.message_dict
    link.refresh_from_db()
    assert link.state == LinkRequestState.PENDING and station_b not in resident.stations.all()
    answer = api_client_for(world.company_b_admin).post(
        f"/api/v1/resident-link-requests/{link.pk}/record-consent/", {"consent_on": today.isoformat()}
    )
    assert answer.status_code == 400 and "consent_form" in answer.json()["error"]["fields"]


def test_recorded_consent_links_the_station_and_is_audited(world, resident, station_b):
    link = request_by_b(world, station_b).link_request
    client = api_client_for(world.company_b_admin)
    today = timezone.localdate()
    response = client.post(
        f"/api/v1/resident-link-requests/{link.pk}/record-consent/",
        {"consent_on": today.isoformat(), "consent_form": signed_form()},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "approved" and body["resident"] == resident.pk and body["has_consent_form"]
    assert body["consent_recorded_by"] == "b_admin" and body["consent_on"] == today.isoformat()
    assert station_b in Resident.objects.get(pk=resident.pk).stations.all()
    assert client.get(f"/api/v1/residents/{resident.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="station_linked", object_id=str(resident.pk)).count() == 1
    assert AuditEntry.objects.filter(action="transition:record_consent", object_id=str(link.pk)).exists()
    # a double click changes nothing; a linked request cannot be withdrawn any more
    again = client.post(
        f"/api/v1/resident-link-requests/{link.pk}/record-consent/",
        {"consent_on": today.isoformat(), "consent_form": signed_form()},
        format="multipart",
    )
    assert again.status_code == 200 and AuditEntry.objects.filter(action="station_linked").count() == 1
    assert client.post(f"/api/v1/resident-link-requests/{link.pk}/withdraw/").status_code == 400


def test_the_bureau_sees_the_request_and_other_companies_do_not(world, resident, station_b):
    link = request_by_b(world, station_b).link_request
    other = make_user("na_admin", world.nanan_company, Role.ORG_ADMIN)

    def listed(user):
        return [
            row["id"] for row in api_client_for(user).get("/api/v1/resident-link-requests/").json()["results"]
        ]

    assert listed(world.changning_officer) == [link.pk] and listed(world.changning_viewer) == [link.pk]
    assert listed(world.company_b_admin) == [link.pk]
    assert listed(world.nanan_officer) == [] and listed(other) == [] and listed(world.company_a_admin) == []
    assert api_client_for(other).get(f"/api/v1/resident-link-requests/{link.pk}/").status_code == 404
    officer = Client()
    officer.login(username="cn_officer", password=PASSWORD)
    assert "某某" in officer.get("/admin/stations/residentlinkrequest/").content.decode()


def test_only_an_officer_of_her_region_refuses_and_only_the_requester_withdraws(world, resident, station_b):
    link = request_by_b(world, station_b).link_request
    with pytest.raises(PermissionDenied):
        services.act_on_link_request(link, "refuse", by=world.company_b_admin, reason="x")
    with pytest.raises(PermissionDenied):
        services.act_on_link_request(link, "withdraw", by=world.changning_officer)
    with pytest.raises(PermissionDenied):
        services.act_on_link_request(
            link, "record_consent", by=world.company_a_admin, consent_on=timezone.localdate()
        )
    with pytest.raises(ValidationError):
        services.act_on_link_request(link, "refuse", by=world.changning_officer, reason=" ")
    refused = services.act_on_link_request(link, "refuse", by=world.changning_officer, reason="无本人到场")
    assert refused.state == LinkRequestState.REFUSED and refused.decided_by == world.changning_officer
    assert Notification.objects.filter(recipient=world.company_b_admin, body="无本人到场").exists()
    with pytest.raises(ValidationError):
        services.act_on_link_request(
            link,
            "record_consent",
            by=world.company_b_admin,
            consent_on=timezone.localdate(),
            consent_form=signed_form(),
        )
    assert station_b not in resident.stations.all()
    # a new request may follow a refused one
    assert request_by_b(world, station_b).link_request.pk != link.pk


def test_the_explicit_request_endpoint_refuses_people_not_on_file_elsewhere(
    world, resident, station_a, station_b
):
    client = api_client_for(world.company_a_admin)
    own = client.post(
        "/api/v1/resident-link-requests/",
        {"station": station_a.pk, "name": "李阿婆", "id_number": CHANGNING_ID},
        format="json",
    )
    assert own.status_code == 400 and "id_number" in own.json()["error"]["fields"]
    made = api_client_for(world.company_b_admin).post(
        "/api/v1/resident-link-requests/",
        {"station": station_b.pk, "name": "某某", "id_number": CHANGNING_ID},
        format="json",
    )
    assert made.status_code == 201 and made.json()["state"] == "pending"
    other_station = api_client_for(world.company_b_admin).post(
        "/api/v1/resident-link-requests/",
        {"station": station_a.pk, "name": "某某", "id_number": CHANGNING_ID},
        format="json",
    )
    assert other_station.status_code == 400 and "station" in other_station.json()["error"]["fields"]


def _list_queries(user):
    client = api_client_for(type(user).objects.get(pk=user.pk))  # no scope cached on the object
    client.get("/api/v1/resident-link-requests/", {"page_size": 100})  # warm: the scope kept across requests
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/resident-link-requests/", {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def _numbered_request(body):
    """What the workflows would have written for person n: ``body(n)`` gives the first 17
    digits of the identity number."""

    def vary(copy, n):
        if isinstance(copy, Resident):
            copy.name, copy.id_number = f"老人{n}", id_number(body(n))
            copy.id_number_hash = blind_index(copy.id_number)
            copy.birth_date = dt.date(int(copy.id_number[6:10]), 1, 1)
            copy.sex = "M" if int(copy.id_number[16]) % 2 else "F"
        elif isinstance(copy, ResidentLinkRequest):
            copy.name_given = f"老人{n}"

    return vary


def _request_adder(world, station_a, station_b, body):
    """``add(n, offset)``: n people of station_a whom company b asks to serve. The workflows
    write the first; the others are copies of its rows (tests/copies.py)."""

    def one(i):
        number = id_number(body(i))
        person = services.register_resident(
            by=world.company_a_admin,
            station=station_a,
            name=f"老人{i}",
            id_number=number,
            community=world.regions["310105001"],
        ).resident
        services.register_resident(
            by=world.company_b_admin,
            station=station_b,
            name=f"老人{i}",
            id_number=number,
            community=world.regions["310105008"],
        )
        return person

    template = []

    def add(n, offset):
        if not template:
            template.append(one(offset))
            n, offset = n - 1, offset + 1
        person = template[0]
        copy_rows(
            [
                (Resident, [person]),
                (ResidentStation, ResidentStation.objects.filter(resident=person)),
                (ResidentLinkRequest, ResidentLinkRequest.objects.filter(resident=person)),
            ],
            times=n,
            start=offset,
            vary=_numbered_request(body),
        )

    return add


def test_the_request_list_costs_the_same_queries_at_10_and_100(world, station_a, station_b):
    add = _request_adder(world, station_a, station_b, lambda n: f"310105194{n % 10}0202{n:03d}"[:17])
    company, officer = world.company_b_admin, world.changning_officer
    add(10, 0)
    small = (_list_queries(company), _list_queries(officer))
    add(90, 100)
    large = (_list_queries(company), _list_queries(officer))
    assert [count for count, _rows in small] == [count for count, _rows in large]
    assert [rows for _count, rows in large] == [100, 100]


def test_consent_is_recorded_in_the_portal_and_its_form_is_read_by_the_requester_and_the_bureau(
    world, resident, station_b
):
    link = request_by_b(world, station_b).link_request
    company = Client()
    company.login(username="b_admin", password=PASSWORD)
    page = company.get("/stations/link-requests/").content.decode()
    assert 'value="record_consent"' in page and 'value="refuse"' not in page
    company.post(
        "/stations/link-requests/",
        {
            "what": "record_consent",
            "link": link.pk,
            f"c{link.pk}-consent_on": timezone.localdate().isoformat(),
            f"c{link.pk}-consent_form": signed_form("扫描件.pdf"),
        },
    )
    link.refresh_from_db()
    assert link.state == LinkRequestState.APPROVED and station_b in resident.stations.all()
    url = f"/stations/link-requests/{link.pk}/consent-form/"
    assert b"".join(company.get(url).streaming_content) == PDF
    officer = Client()
    officer.login(username="cn_officer", password=PASSWORD)
    assert officer.get(url).status_code == 200
    make_user("na_admin", world.nanan_company, Role.ORG_ADMIN)
    stranger = Client()
    stranger.login(username="na_admin", password=PASSWORD)
    assert stranger.get(url).status_code == 404
    assert stranger.post("/stations/link-requests/", {"what": "withdraw", "link": link.pk}).status_code == 404


def test_a_refused_consent_comes_back_with_the_date_kept_and_the_errors_beside_the_fields(
    world, resident, station_b
):
    link = request_by_b(world, station_b).link_request
    company = Client()
    company.login(username="b_admin", password=PASSWORD)
    typed = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    no_file = company.post(
        "/stations/link-requests/",
        {"what": "record_consent", "link": link.pk, f"c{link.pk}-consent_on": typed},
    )
    assert no_file.status_code == 200  # the page again, with the form as typed
    form = no_file.context["rows"][0][2]
    assert list(form.errors) == ["consent_form"]
    page = no_file.content.decode()
    assert f'value="{typed}"' in page  # the date typed is still there
    row = page[page.index(f'id="consent-{link.pk}"') :]
    assert "errorlist" in row[: row.index("</form>")]  # the error sits in this row's form
    fake = company.post(
        "/stations/link-requests/",
        {
            "what": "record_consent",
            "link": link.pk,
            f"c{link.pk}-consent_on": typed,
            f"c{link.pk}-consent_form": SimpleUploadedFile("同意书.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert fake.status_code == 200 and "consent_form" in fake.context["rows"][0][2].errors
    link.refresh_from_db()
    assert link.state == LinkRequestState.PENDING and station_b not in resident.stations.all()


def test_withdrawing_and_refusing_ask_first(world, resident, station_b):
    link = request_by_b(world, station_b).link_request
    company = Client()
    company.login(username="b_admin", password=PASSWORD)
    page = company.get("/stations/link-requests/").content.decode()
    withdraw = page[page.rindex("<form", 0, page.index('value="withdraw"')) :]
    assert "data-confirm=" in withdraw[: withdraw.index(">")]
    officer = Client()
    officer.login(username="cn_officer", password=PASSWORD)
    page = officer.get("/stations/link-requests/").content.decode()
    refuse = page[page.index(f'id="refuse-{link.pk}"') :]
    assert "data-confirm=" in refuse[: refuse.index(">")]
    assert f'<label for="id_r{link.pk}-reason">' in refuse


def test_the_portal_request_page_costs_the_same_queries_at_2_and_12(world, station_a, station_b):
    add = _request_adder(world, station_a, station_b, lambda n: f"310105195{n % 10}0303{n:03d}"[:17])

    def queries(username):
        client = Client()
        client.login(username=username, password=PASSWORD)
        client.get("/stations/link-requests/")  # warm: the scope kept across requests, the session's stamp
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/stations/link-requests/").status_code == 200
        return len(ctx.captured_queries)

    add(2, 0)
    small = (queries("b_admin"), queries("cn_officer"))
    add(10, 100)
    assert (queries("b_admin"), queries("cn_officer")) == small


def test_the_admin_links_the_signed_form_through_the_scoped_download_not_a_media_url(
    world, resident, station_b
):
    link = request_by_b(world, station_b).link_request
    services.act_on_link_request(
        link,
        "record_consent",
        by=world.company_b_admin,
        consent_on=timezone.localdate(),
        consent_form=signed_form(),
    )
    officer = Client()
    officer.login(username="cn_officer", password=PASSWORD)
    page = officer.get(f"/admin/stations/residentlinkrequest/{link.pk}/change/").content.decode()
    assert f"/stations/link-requests/{link.pk}/consent-form/" in page and "/media/" not in page

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_refusal_and_a_missing_page_keep_the_portal_around_them(world):
    client = Client()
    assert client.login(username=world.company_a_admin.username, password=PASSWORD)
    refused = client.get("/statistics/dashboard/")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert 'id="refusal"' in text and 'href="/"' in text and "<nav" in text
    missing = client.get("/evaluations/findings/999999/")
    assert missing.status_code == 404 and 'href="/"' in missing.content.decode()
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404 and "<html" in anonymous.content.decode()

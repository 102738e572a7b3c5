"""The volunteers app was cut out of staff: what people held and knew stays theirs."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client

from tests.factories import PASSWORD

MOVE = importlib.import_module("volunteers.migrations.0001_initial")


def test_an_existing_database_keeps_its_volunteer_permissions_under_the_new_app(world):
    """An existing database has the content types under ``staff``: the migration moves them, and
    with them the permissions (same rows) that role groups and users hold."""
    moved = ContentType.objects.filter(app_label="volunteers", model__in=MOVE.MODELS)
    permissions = set(Permission.objects.filter(content_type__in=moved).values_list("pk", flat=True))
    assert len(permissions) == 4 * len(MOVE.MODELS)
    moved.update(app_label="staff")  # as main's database has them
    ContentType.objects.clear_cache()

    class Editor:  # what RunPython hands the function
        pass

    editor = Editor()
    editor.connection = connection
    MOVE.move_content_types(apps, editor)
    ContentType.objects.clear_cache()
    after = Permission.objects.filter(
        content_type__app_label="volunteers", content_type__model__in=MOVE.MODELS
    )
    assert set(after.values_list("pk", flat=True)) == permissions
    officer = type(world.changning_officer).objects.get(pk=world.changning_officer.pk)
    assert officer.has_perm("volunteers.view_pointsentry")
    assert not officer.has_perm("staff.view_pointsentry")


def test_old_admin_links_of_the_volunteer_pages_lead_to_them(world):
    client = Client()
    assert client.login(username="cn_officer", password=PASSWORD)
    response = client.get("/admin/staff/pointsentry/", {"kind": "earn"})
    assert response.status_code == 302 and response["Location"] == "/admin/volunteers/pointsentry/?kind=earn"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/admin/staff/staffmember/").status_code == 200  # staff's own pages stay

"""The number of SQL queries of every API list and every admin change list, for three demo users
(the platform administrator, a district officer, a company administrator), on the demo data.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python benchmarks/query_counts.py > before.txt

Run it before and after a change and compare the files: a list's count must not grow with the
data, and a restructuring must not raise it.
"""

import logging
import sys

import _setup  # noqa: F401 - sets Django up
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User

USERS = ("admin", "cn_civil", "company_admin")


def count(client: Client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT="application/json")
    return f"{len(queries):3d}" if response.status_code == 200 else f"{response.status_code}"


def main() -> None:
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 403s are expected answers
    clients = {}
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            sys.exit(f"No user {username}: run `manage.py load_demo` on this database first.")
        clients[username] = Client()
        clients[username].force_login(user)
    print(f"{'page':60s} " + " ".join(f"{name:>13s}" for name in USERS))
    for url in api_lists():
        print(f"{'API ' + url:60s} " + " ".join(f"{count(clients[n], url):>13s}" for n in USERS))
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        print(f"{'admin ' + url:60s} " + " ".join(f"{count(clients[n], url):>13s}" for n in USERS))


def api_lists(resolver=None, prefix="/") -> list[str]:
    """The URL of every API list route (the router's ``<basename>-list``), however registered."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            found += api_lists(pattern, prefix + route)
        elif (
            isinstance(pattern, URLPattern)
            and (pattern.name or "").endswith("-list")
            and "<" not in route
            and prefix.startswith("/api/")
        ):
            found.append(prefix + route)
    return sorted(set(found))


if __name__ == "__main__":
    main()

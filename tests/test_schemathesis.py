"""The OpenAPI schema is a contract: schemathesis generates requests for every operation from it
and sends them to the WSGI application with two tokens (a district officer and a company admin)
over the demo data. No request may end in a server error, and every answer must match the
schema the API publishes (errors in the project's format, nullable fields, bare lists).

Bounded for CI: a few examples per operation and token, each on a random and on a real id, every
request in a savepoint rolled back afterwards so the demo data stays as loaded.
"""

from __future__ import annotations

import io
import re

import pytest
import schemathesis
from django.apps import apps
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import services
from accounts.models import User
from config.wsgi import application

EXAMPLES_PER_OPERATION = 10

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data, loaded once for this module inside a transaction rolled back at its end.
    Requests reach Django through its WSGI handler, which would close the connection (and with
    it this transaction) at the end of each request, as Django's own test client prevents."""
    with django_db_blocker.unblock():
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with transaction.atomic():
                call_command("load_demo", stdout=io.StringIO())
                yield
                transaction.set_rollback(True)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _real_ids():
    """A few existing primary keys per path prefix, so generated requests also reach objects."""

    ids = set()
    for model in apps.get_models():
        ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:5])
    return sorted(i for i in ids if isinstance(i, int))


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        yield operation


def _bearer(username):
    user = User.objects.get(username=username)
    return services.issue_token(user, name="schemathesis", by=user)[1]


def _fuzz(strategy, tokens, checks):
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, who=st.sampled_from(sorted(tokens)))
    def run(case, who):
        # Each request in its own savepoint, rolled back: the demo data stays as loaded and a
        # failed statement cannot poison the transaction of the next request.
        try:
            with transaction.atomic():
                case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"}, checks=checks)
                transaction.set_rollback(True)
        except DatabaseError as exc:
            raise AssertionError(f"database error: {exc}") from exc

    return run


def test_every_operation_answers_within_its_schema_and_never_fails(demo_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    ids = _real_ids()
    tokens = {"officer": _bearer("cn_civil"), "company": _bearer("company_admin")}
    checks = [not_a_server_error, response_schema_conformance]
    failures: dict[str, str] = {}
    operations = list(_operations(schema))
    assert len(operations) > 100  # the whole API, not a schema that failed to load

    for operation in operations:
        path_names = re.findall(r"{(\w+)}", operation.path)
        # Valid requests and invalid ones (a 400 in the error format is within the schema), each
        # on generated path values and, for detail routes, on ids that exist.
        strategies = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(mode))
            if path_names:
                strategies.append(
                    st.sampled_from(ids).flatmap(
                        lambda pk, op=operation, mode=mode, names=path_names: op.as_strategy(
                            mode, path_parameters=dict.fromkeys(names, pk)
                        )
                    )
                )
        strategy = st.one_of(strategies)

        run = _fuzz(strategy, tokens, checks)
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # one report per operation, then the next
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:1200]
        if connection.needs_rollback:  # pragma: no cover
            connection.needs_rollback = False

    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in sorted(failures.items()))

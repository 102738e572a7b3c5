"""The permission matrix, generated from the API router: every role × every route of every
registered viewset (list, detail, write, each action, exports) × own / other / public object.

The expected answer is derived from the one scoping path (shared/DESIGN.md, principle 3), not
from the view: an object in ``visible_to(user)`` reads 200, one outside it 404; a change needs
``editable_by(user)`` (403 for an object the user may only see); anonymous callers get 401 except
on public endpoints, where they see ``published()`` and nothing else. Each role's "own" object is
one it may change (else one it sees), its "other" one outside its scope, "public" one anonymous
visitors see. A second test checks, from each model's declared region and organisation paths and
not through ``visible_to``, that another city's (or company's) objects stay out of the scope.

``ROUTES`` classifies every route: a new endpoint without an entry fails the test, so it must be
classified (and so tested) before it ships. Field-level writes (organisation kind, region,
licence, credit code; the owner of a station, resident or order) are checked below the matrix.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from stdnum.cn import uscc

from accounts import services
from accounts.exports import ORGANIZATIONS
from accounts.models import Organization, User
from accounts.scoping import ScopedQuerySet
from config.urls import router
from reports import jobs as export_jobs
from staff.models import TrainingTarget
from stations.models import Resident, ServiceCategory, ServiceOrder, Station
from tests.demo_rows import add_rows_the_demo_leaves_empty

pytestmark = pytest.mark.django_db

# How each kind of route is judged (see _expected below).
LIST = "list"  # GET collection: only visible rows
READ = "read"  # GET one object: visible → 200, otherwise 404
WRITE = "write"  # PUT/PATCH/POST/DELETE on one object: editable → allowed, visible → 403, else 404
CREATE = "create"  # POST collection with an empty body: never creates, never a server error
COLLECTION = "collection"  # other collection routes (exports, reports, imports): no leak, no error


@dataclass(frozen=True)
class Route:
    kind: str
    method: str = "get"
    query: str = ""  # a parameter the route needs (progress needs its region)
    # A valid body for a route that checks its body before it loads the object, so that the
    # scope, not the body, decides the answer.
    body: dict | None = None
    # The route checks its input before the object (an upload, a station to check against): a
    # 400 (or the station's own 404) is accepted in place of the object's 403/404.
    input_first: bool = False
    # Who may change the object is decided by the workflow's service (applications), not by
    # ``editable_by``: any answer but 404 for an object the user sees.
    service_decides: bool = False


def _standard(*actions, read_only=False):
    routes = {"list": Route(LIST), "retrieve": Route(READ)}
    if not read_only:
        routes |= {"create": Route(CREATE, "post"), "partial_update": Route(WRITE, "patch")}
        routes |= {"update": Route(WRITE, "put")}
    for name, route in actions:
        routes[name] = route
    return routes


EXPORT = ("export", Route(COLLECTION))

# basename → {action → how it is judged}. Every route of the router must be listed here.
ROUTES: dict[str, dict[str, Route]] = {
    "region": _standard(EXPORT, ("import_template", Route(COLLECTION)), read_only=True),
    "organization": _standard(EXPORT),
    "token": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "revoke": Route(WRITE, "post"),
    },
    "programme": _standard(
        ("designate", Route(WRITE, "post", input_first=True, service_decides=True)),
        ("publish_list", Route(WRITE, "post", service_decides=True)),
        ("withdraw_list", Route(WRITE, "post", input_first=True, service_decides=True)),
        read_only=True,
    ),
    "application": _standard(
        EXPORT,
        ("update", Route(WRITE, "put", service_decides=True)),
        ("partial_update", Route(WRITE, "patch", service_decides=True)),
        ("attachments", Route(WRITE, "post", input_first=True, service_decides=True)),
        *((step, Route(WRITE, "post", service_decides=True)) for step in ("submit", "recommend")),
        *((step, Route(WRITE, "post", service_decides=True)) for step in ("not_recommend", "approve")),
        *((step, Route(WRITE, "post", service_decides=True)) for step in ("reject", "return_")),
        ("withdraw", Route(WRITE, "post", service_decides=True)),
    ),
    "opinion": _standard(read_only=True),
    "pilot": _standard(EXPORT, read_only=True),
    "pilot-milestone": _standard(("complete", Route(WRITE, "post")), read_only=True),
    "station": _standard(
        EXPORT,
        ("nearby", Route(COLLECTION)),
        ("change_status", Route(WRITE, "post", body={"status": "suspended"})),
        ("revenue", Route(COLLECTION)),
        ("revenue_export", Route(COLLECTION)),
    ),
    "resident": _standard(
        EXPORT,
        ("reveal", Route(READ)),
        ("overdue_visits", Route(COLLECTION)),
        ("search", Route(COLLECTION, "post")),
    ),
    # Who may record consent, refuse or withdraw is the link workflow's to decide (requester,
    # or an officer of her region); the scope decides 404.
    "resident-link-request": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "record_consent": Route(WRITE, "post", input_first=True, service_decides=True),
        "refuse": Route(WRITE, "post", body={"reason": "矩阵：驳回"}, service_decides=True),
        "withdraw": Route(WRITE, "post", service_decides=True),
    },
    "order": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "assign": Route(WRITE, "post"),
        "complete": Route(WRITE, "post"),
        "cancel": Route(WRITE, "post"),
    },
    "service-record": {
        "export": Route(COLLECTION),
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "rate": Route(WRITE, "post", body={"rating": 5}),
    },
    "publicity-event": {"list": Route(LIST), "retrieve": Route(READ), "create": Route(CREATE, "post")},
    "station-expenditure": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "destroy": Route(WRITE, "delete"),
        "export": Route(COLLECTION),
    },
    # statistics: government users of a region (403 for companies), region and period in the query
    "statistics": {
        "dashboard": Route(COLLECTION),
        "chart_export": Route(COLLECTION, query="chart=stations"),
        "annex2": Route(COLLECTION),
        "district": Route(COLLECTION),
    },
    "survey": _standard(("averages", Route(READ)), read_only=True),
    "survey-response": {"list": Route(LIST), "retrieve": Route(READ), "create": Route(CREATE, "post")},
    "staff": _standard(
        EXPORT,
        ("reveal", Route(READ)),
        ("eligibility", Route(READ, query="station=1", input_first=True)),
        ("duties", Route(COLLECTION)),
        ("search", Route(COLLECTION, "post")),
    ),
    "qualification": _standard(EXPORT, ("destroy", Route(WRITE, "delete")), ("expiring", Route(COLLECTION))),
    "training-session": _standard(
        EXPORT,
        ("import_scores", Route(WRITE, "post")),
        ("import_scores_template", Route(WRITE)),  # the template only for those who may import
        ("progress", Route(COLLECTION, query="region=310105")),
    ),
    "training-record": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "export": Route(COLLECTION),
    },
    "training-target": _standard(),
    "station-resource": _standard(EXPORT),
    "volunteer-team": _standard(),
    "volunteer-activity": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "export": Route(COLLECTION),
    },
    "reward": _standard(),
    "points-entry": _standard(
        EXPORT,
        ("spend", Route(COLLECTION, "post")),
        ("reverse", Route(WRITE, "post", body={"reason": "矩阵：冲正"})),
        ("statement", Route(COLLECTION)),
        read_only=True,
    ),
    "compound": _standard(),
    "care-room": _standard(EXPORT),
    "room-inspection": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "photos": Route(WRITE, "post"),
    },
    "room-violation": _standard(
        EXPORT, ("rectify", Route(WRITE, "post")), ("close", Route(WRITE, "post")), read_only=True
    ),
    "room-alteration": {"list": Route(LIST), "retrieve": Route(READ), "create": Route(CREATE, "post")},
    "room-application": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "export": Route(COLLECTION),
        "act": Route(WRITE, "post"),
    },
    "entrustment-agreement": _standard(EXPORT, ("expiring", Route(COLLECTION)), read_only=True),
    # Who takes a step of the five lists is the workflow's to decide (the editor, the street
    # office, the district bureau); the scope decides 404.
    "checklist-version": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        **{
            step: Route(WRITE, "post", service_decides=True)
            for step in ("submit", "approve", "publish", "publish_template")
        },
        "return_": Route(WRITE, "post", body={"reason": "矩阵：退回"}, service_decides=True),
        "differences": Route(READ),
        "review_resources": Route(WRITE, "post"),
        "export": Route(COLLECTION),
        "template": Route(COLLECTION),
        "workbook": Route(READ),
        "import_": Route(WRITE, "post", input_first=True, service_decides=True),  # the upload first
    },
    "checklist-item": _standard(EXPORT, ("destroy", Route(WRITE, "delete"))),
    "checklist-check": {
        "list": Route(LIST),
        "retrieve": Route(READ),
        "create": Route(CREATE, "post"),
        "photo": Route(READ, input_first=True),  # names the finding: without it a 400
    },
    "posted-price": {"list": Route(LIST)},
    # A person's background exports: theirs alone, read-only.
    "export-job": {"list": Route(LIST), "retrieve": Route(READ), "download": Route(READ)},
    # Evaluations: a scheme is changed by a bureau of its region (editable_by); runs are made by
    # the service for a scheme the user may change; scorecards and findings are read.
    "evaluation-scheme": _standard(),
    "evaluation-run": {"list": Route(LIST), "retrieve": Route(READ), "run": Route(COLLECTION, "post")},
    "scorecard": _standard(EXPORT, read_only=True),
    "evaluation-finding": _standard(
        EXPORT, ("comment", Route(WRITE, "post", body={"text": "矩阵：意见"})), read_only=True
    ),
    "guidance-target": _standard(
        ("import_table", Route(COLLECTION, "post")),
        ("import_template", Route(COLLECTION, query="county=350583")),
        ("progress", Route(COLLECTION, query="county=350583")),
        ("progress_export", Route(COLLECTION, query="county=350583")),
        read_only=True,
    ),
}

# Every list has its ``export/`` (the same filters and scope, as a workbook).
for _routes in ROUTES.values():
    if "list" in _routes:
        _routes.setdefault("export", Route(COLLECTION))

# The roles of the matrix: (name, demo username). "other company" is an admin of another
# 长宁 company; "other city" an officer of 南安市.
ROLES = [
    ("anonymous", None),
    ("civil affairs officer", "cn_civil"),
    ("housing officer", "cn_housing"),
    ("street officer", "cn_street"),
    ("viewer", "cn_stats"),
    ("company admin", "company_admin"),
    ("company staff", "company_staff"),
    ("other company", "matrix_other_company"),
    ("other city", "na_civil"),
]


def router_routes():
    """(basename, action, method, viewset) for every route the router serves."""
    for _prefix, viewset, basename in router.registry:
        allowed = set(getattr(viewset, "http_method_names", ()))
        for route in router.get_routes(viewset):
            for method, action in route.mapping.items():
                if method in allowed and hasattr(viewset, action):
                    yield basename, action, method, viewset


def test_every_router_endpoint_is_classified():
    served = {(basename, action, method) for basename, action, method, _viewset in router_routes()}
    classified = {
        (basename, action, route.method)
        for basename, routes in ROUTES.items()
        for action, route in routes.items()
    }
    assert served - classified == set(), "new endpoints: give each an entry in ROUTES"
    assert classified - served == set(), "ROUTES lists endpoints the router no longer serves"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data plus an admin of a second 长宁 company, loaded once for the module inside a
    transaction rolled back at its end; each request below runs in a savepoint of its own."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        rows = add_rows_the_demo_leaves_empty("matrix")
        # No export is large enough in the demo to run in the background: one finished job each
        # for a 长宁 officer and the company admin, their files in a folder of the test's own.
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            for username in ("cn_civil", "company_admin"):
                user = User.objects.get(username=username)
                job = export_jobs.submit_export(
                    ORGANIZATIONS, Organization.objects.visible_to(user), user=user, channel="api", filters={}
                )
                assert export_jobs.run_export_job(job.pk) == "done"
            yield rows
        transaction.set_rollback(True)


def _user(username):
    if username is None:
        return None
    # A fresh object per request: the scope is cached on the user object.
    return User.objects.get(username=username)


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _call(user, method, url, data=None, format="json"):
    """One request in a savepoint rolled back afterwards: the matrix changes nothing."""
    with transaction.atomic():
        response = getattr(_client(user), method)(url, data if data is not None else {}, format=format)
        transaction.set_rollback(True)
    return response


def _is_json(response):
    return response.get("Content-Type", "").startswith("application/json")


def _model(viewset):
    return viewset.queryset.model


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def _format(viewset, action):
    parsers = getattr(getattr(viewset, action), "kwargs", {}).get("parser_classes") or ()
    return "multipart" if any(parser is MultiPartParser for parser in parsers) else "json"


def _is_public(viewset, action):
    route_classes = getattr(getattr(viewset, action), "kwargs", {}).get("permission_classes")
    classes = route_classes or viewset.permission_classes
    return any(cls is AllowAny for cls in classes)


def _viewset_serving(basename, action):
    """The viewset of the prefix that serves the action (several may share a prefix)."""
    return next(v for _p, v, name in router.registry if name == basename and hasattr(v, action))


def _url(basename, action, pk=None):
    # a prefix may be served by several viewsets (the staff actions of stations and reports)
    for prefix, viewset, name in router.registry:
        if name != basename:
            continue
        if pk is not None and viewset.lookup_field != "pk":  # regions are found by their code
            pk = getattr(viewset.queryset.model.objects.get(pk=pk), viewset.lookup_field)
        for route in router.get_routes(viewset):
            if action in route.mapping.values():
                path = route.url.replace("^", "").replace("$", "").replace("{prefix}", prefix)
                path = path.replace("{trailing_slash}", "/").replace("{lookup}", str(pk))
                return f"/api/v1/{path}"
    raise AssertionError(f"no route for {basename}.{action}")


def _scope_sets(model, user):
    user = user or AnonymousUser()
    manager = model.objects
    if not hasattr(manager, "visible_to"):  # regions: public reference data
        everything = _ids(manager.all())
        return everything, set()
    return _ids(manager.visible_to(user)), _ids(manager.editable_by(user))


def _objects(model, user, visible):
    """own: one the user may change, else one the user sees; other: one outside the scope;
    public: one that anonymous visitors see."""
    manager = model.objects
    user = user or AnonymousUser()
    editable = _ids(manager.editable_by(user)) if hasattr(manager, "editable_by") else set()
    everything = _ids(manager.all())
    public = _ids(manager.published()) if hasattr(manager, "published") else everything
    chosen = {}
    if editable:
        chosen["own"] = min(editable)
    elif visible:
        chosen["own"] = min(visible - public or visible)
    if everything - visible:
        chosen["other"] = min(everything - visible)
    if public:
        chosen["public"] = min(public)
    return chosen


def _expected(route, user, pk, visible, editable, public_endpoint):
    """The set of acceptable statuses for one call, from the scoping rules."""
    if user is None and not public_endpoint:
        return {401}
    if route.kind == READ:
        refused = {400, 404} if route.input_first else set()  # eligibility: the station's scope
        return ({200, 403} | refused) if pk in visible else {404}  # 403: a reveal needs its permission
    if route.kind == WRITE:
        if user is None:
            return {401, 403, 404}
        refused = {400} if route.input_first else set()
        if pk not in visible:
            return {404} | refused
        if route.service_decides:
            return {200, 201, 204, 400, 403, 409}
        if pk not in editable:
            return {403} | refused
        # Allowed by the scope; the action may still refuse the step or the body (400, 403 by
        # its own rule, 409), but never answers "not found" for an object the user may change.
        return {200, 201, 204, 400, 403, 409}
    if route.kind == CREATE:
        return {400, 401, 403}  # an empty body creates nothing
    return {200, 400, 403}  # collection routes: never an error of the server


MATRIX_BASENAMES = sorted(ROUTES)

# Where each matrix role works: the region code prefix of a government role, or the company.
CHANGNING, NANAN = "310105", "350583"
ROLE_REGION = {"cn_civil": CHANGNING, "cn_housing": CHANGNING, "cn_stats": CHANGNING, "na_civil": NANAN}


# Read by every signed-in user by design (their querysets say so): sessions are not personal,
# questionnaires are public to the people asked.
READ_BY_EVERY_SIGNED_IN_USER = {"training-session", "survey"}


def _scoped_models():
    for basename in MATRIX_BASENAMES:
        if basename in READ_BY_EVERY_SIGNED_IN_USER:
            continue
        viewset = next(v for _p, v, name in router.registry if name == basename)
        model = viewset.queryset.model
        if isinstance(model.objects.all(), ScopedQuerySet):
            yield basename, model


@pytest.mark.parametrize("username", ["cn_civil", "cn_housing", "cn_stats", "na_civil", "company_admin"])
def test_scoping_keeps_other_cities_and_companies_out(demo, username):
    """Independent of visible_to: from each model's declared region and organisation paths, an
    object of another city (or, for a company, of another organisation and not published) is
    never in the user's scope, so the matrix's "other" objects really are someone else's."""
    user = _user(username)
    leaks = []
    for basename, model in _scoped_models():
        queryset = model.objects.all()
        visible = _ids(model.objects.visible_to(user))
        published = _ids(queryset.published())
        if username in ROLE_REGION:
            if not queryset.region_path:
                continue
            outside = queryset.exclude(**{f"{queryset.region_path}__code__startswith": ROLE_REGION[username]})
            if queryset.organization_path:
                own_orgs = list(user.memberships.values_list("organization", flat=True))
                outside = outside.exclude(**{f"{queryset.organization_path}__in": own_orgs})
        else:
            if not queryset.organization_path:
                continue
            outside = queryset.exclude(**{f"{queryset.organization_path}__in": [demo["own_company"].pk]})
        leaked = (_ids(outside) & visible) - published
        if leaked:
            leaks.append(f"{basename}: {sorted(leaked)}")
    assert not leaks


def test_training_targets_are_not_read_across_cities(demo):
    nanan = _ids(TrainingTarget.objects.filter(region__code__startswith=NANAN))
    changning = _ids(TrainingTarget.objects.filter(region__code__startswith=CHANGNING))
    assert nanan and changning
    assert not nanan & _ids(TrainingTarget.objects.visible_to(_user("cn_civil")))
    response = _client(_user("na_civil")).get("/api/v1/training-targets/?page_size=200")
    assert not {row["id"] for row in response.json()["results"]} & changning


@pytest.mark.parametrize("basename", MATRIX_BASENAMES)
def test_permission_matrix(demo, basename):
    viewset = next(v for _p, v, name in router.registry if name == basename)
    model = _model(viewset)
    failures = []
    kinds_of_object = set()
    for role, username in ROLES:
        user = _user(username)
        if basename == "token" and user is not None:
            services.issue_token(user, name="matrix", by=user)
        visible, editable = _scope_sets(model, user)
        objects = _objects(model, user, visible)
        kinds_of_object |= set(objects)
        for action, route in ROUTES[basename].items():
            served_by = _viewset_serving(basename, action)
            public_endpoint = _is_public(served_by, action)
            if route.kind in (LIST, CREATE, COLLECTION):
                url = _url(basename, action)
                if route.kind == LIST:
                    url += "?page_size=200"
                elif route.query:
                    url += f"?{route.query}"
                response = _call(_user(username), route.method, url, format=_format(served_by, action))
                expected = _expected(route, user, None, visible, editable, public_endpoint)
                if route.method == "get" and response.status_code == 200 and _is_json(response):
                    # A list, or a collection action answering rows of the same model
                    # (expiring, nearby, overdue_visits): only rows the user may see.
                    body = response.json()
                    rows = body.get("results", []) if isinstance(body, dict) else body
                    leaked = {row["id"] for row in rows if "id" in row} - visible
                    if leaked:
                        failures.append(f"{role}: {route.method.upper()} {url} lists invisible {leaked}")
                if response.status_code not in expected:
                    failures.append(
                        f"{role}: {route.method.upper()} {url} → {response.status_code}, {expected}"
                    )
                continue
            for which, pk in objects.items():
                url = _url(basename, action, pk) + (f"?{route.query}" if route.query else "")
                response = _call(_user(username), route.method, url, route.body, _format(served_by, action))
                expected = _expected(route, user, pk, visible, editable, public_endpoint)
                if response.status_code not in expected:
                    failures.append(
                        f"{role} × {which}: {route.method.upper()} {url} → {response.status_code}, "
                        f"expected one of {sorted(expected)}"
                    )
    assert not failures, "\n".join(failures)
    # The demo data must give the matrix something to decide: an object some role may see, and
    # one some role may not see or one that is public (regions, announced programmes and pilots).
    assert "own" in kinds_of_object and kinds_of_object & {"other", "public"}, kinds_of_object


# --- Field-level writes ---------------------------------------------------------------------------


def _new_credit_code():
    body = "91310105MA1HX0099"
    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("kind", "civil_affairs", id="kind"),
        pytest.param("name", "改名物业有限公司", id="name"),
        pytest.param("region", "310105", id="region"),
        pytest.param("has_property_licence", None, id="licence"),
        pytest.param("credit_code", _new_credit_code(), id="credit_code"),
    ],
)
def test_company_admin_cannot_change_what_the_bureau_confirms(demo, field, value):
    company = demo["own_company"]
    if field == "has_property_licence":
        value = not company.has_property_licence
    before = Organization.objects.filter(pk=company.pk).values(field).get()
    with transaction.atomic():
        response = _client(_user("company_admin")).patch(
            f"/api/v1/organizations/{company.pk}/", {field: value}, format="json"
        )
        after = Organization.objects.filter(pk=company.pk).values(field).get()
        transaction.set_rollback(True)
    assert (response.status_code, after) == (403, before)


def test_station_cannot_be_moved_to_another_company(demo):
    station = Station.objects.editable_by(_user("company_admin")).order_by("pk").first()
    with transaction.atomic():
        response = _client(_user("company_admin")).patch(
            f"/api/v1/stations/{station.pk}/", {"operator": demo["other_company"].pk}, format="json"
        )
        operator_after = Station.objects.get(pk=station.pk).operator_id
        transaction.set_rollback(True)
    assert response.status_code in (400, 403), response.json()
    assert operator_after == station.operator_id


def test_resident_cannot_be_registered_at_another_companys_station(demo):
    user = _user("company_admin")
    resident = Resident.objects.editable_by(user).order_by("pk").first()
    foreign = demo["other_station"]
    stations_before = set(resident.stations.values_list("pk", flat=True))
    with transaction.atomic():
        response = _client(user).patch(
            f"/api/v1/residents/{resident.pk}/", {"station": foreign.pk}, format="json"
        )
        stations_after = set(Resident.objects.get(pk=resident.pk).stations.values_list("pk", flat=True))
        transaction.set_rollback(True)
    assert response.status_code in (400, 403), response.json()
    assert stations_after == stations_before


def test_order_cannot_be_placed_at_another_companys_station(demo):

    user = _user("company_admin")
    resident = Resident.objects.editable_by(user).order_by("pk").first()
    foreign = demo["other_station"]
    with transaction.atomic():
        count_before = ServiceOrder.objects.count()
        response = _client(user).post(
            "/api/v1/orders/",
            {
                "resident": resident.pk,
                "station": foreign.pk,
                "category": ServiceCategory.values[0],
                "requested_at": timezone.now().isoformat(),
            },
            format="json",
        )
        count_after = ServiceOrder.objects.count()
        transaction.set_rollback(True)
    assert response.status_code in (400, 403), response.json()
    assert count_after == count_before

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from accounts.api import urls as accounts_api
from accounts.forms import LockoutAdminAuthenticationForm
from accounts.views import healthz
from checklists.api import urls as checklists_api
from core.openapi import CachedSchemaView
from facilities.api import urls as facilities_api
from pilots.api import urls as pilots_api
from regions.api import urls as regions_api
from reports.api import urls as reports_api
from staff.api import urls as staff_api
from stations.api import urls as stations_api
from volunteers.api import urls as volunteers_api

admin.site.site_header = _("Property + Elderly Care Pilot Platform")
admin.site.site_title = _("Property + Elderly Care Pilot Platform")
admin.site.index_title = _("Administration")
admin.site.login_form = LockoutAdminAuthenticationForm

# Each app registers its viewsets in its own api/urls.py. This router only gathers them for the
# API root (and for the tests that walk every route).
APP_APIS = [
    regions_api,
    accounts_api,
    pilots_api,
    stations_api,
    staff_api,
    volunteers_api,
    facilities_api,
    checklists_api,
]
# Actions of the staff prefix served by the apps above staff (a staff member's eligibility at a
# station, the monthly duties): after the root's own entries, so the root lists staff once.
STAFF_ROUTES = [stations_api.staff_routes, reports_api.staff_routes]
router = DefaultRouter()
for app_api in APP_APIS:
    router.registry.extend(app_api.router.registry)
router.registry.extend(reports_api.router.registry)  # statistics, exports, evaluations
for routes in STAFF_ROUTES:
    router.registry.extend(routes.registry)

api_v1 = [
    path("schema/", CachedSchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # reports first: ``staff/duties/`` must not be read as the staff member with id "duties"
    path("", include(reports_api)),
    *(path("", include(app_api)) for app_api in APP_APIS),
    *format_suffix_patterns([path("", router.get_api_root_view(), name=router.root_view_name)]),
]

# The volunteers' admin pages were under staff until the volunteers app was cut out of it: old
# links and bookmarks lead to the same page.
VOLUNTEER_ADMIN = r"(?P<page>(volunteerteam|volunteeractivity|pointsrule|reward|pointsentry)/.*)"

# An unknown address under /api/ answers in the API's error format, any other the portal's page.
handler404 = "core.api.page_not_found"

urlpatterns = [
    re_path(
        rf"^admin/staff/{VOLUNTEER_ADMIN}$",
        RedirectView.as_view(url="/admin/volunteers/%(page)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pilots/", include("pilots.urls")),
    path("stations/", include("stations.urls")),
    path("staff/", include("staff.urls")),
    path("staff/", include("volunteers.urls")),
    path("", include("reports.urls")),
    path("facilities/", include("facilities.urls")),
    path("lists/", include("checklists.urls")),
    path("", include("accounts.urls")),
]

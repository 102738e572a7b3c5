from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api.views import ApiTokenViewSet, MeView, OrganizationViewSet
from accounts.forms import LockoutAdminAuthenticationForm
from accounts.views import healthz
from regions.api.views import RegionViewSet

admin.site.site_header = _("Property + Elderly Care Pilot Platform")
admin.site.site_title = _("Property + Elderly Care Pilot Platform")
admin.site.index_title = _("Administration")
admin.site.login_form = LockoutAdminAuthenticationForm

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("tokens", ApiTokenViewSet, basename="token")

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import ApiTokenViewSet, MeView, OrganizationViewSet
from accounts.forms import LockoutAdminAuthenticationForm
from accounts.views import healthz
from facilities.api import views as facilities_api
from pilots.api.views import (
    ApplicationViewSet,
    OpinionViewSet,
    PilotMilestoneViewSet,
    PilotViewSet,
    ProgrammeViewSet,
)
from regions.api.views import RegionViewSet
from staff.api import views as staff_api
from stations.api.views import (
    LinkRequestViewSet,
    OrderViewSet,
    PublicityViewSet,
    RecordViewSet,
    ResidentViewSet,
    StationViewSet,
    SurveyResponseViewSet,
    SurveyViewSet,
)
from volunteers.api import views as volunteers_api

admin.site.site_header = _("Property + Elderly Care Pilot Platform")
admin.site.site_title = _("Property + Elderly Care Pilot Platform")
admin.site.index_title = _("Administration")
admin.site.login_form = LockoutAdminAuthenticationForm

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("applications", ApplicationViewSet, basename="application")
router.register("opinions", OpinionViewSet, basename="opinion")
router.register("pilots", PilotViewSet, basename="pilot")
router.register("pilot-milestones", PilotMilestoneViewSet, basename="pilot-milestone")
router.register("stations", StationViewSet, basename="station")
router.register("residents", ResidentViewSet, basename="resident")
router.register("resident-link-requests", LinkRequestViewSet, basename="resident-link-request")
router.register("orders", OrderViewSet, basename="order")
router.register("service-records", RecordViewSet, basename="service-record")
router.register("publicity-events", PublicityViewSet, basename="publicity-event")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
router.register("staff", staff_api.StaffViewSet, basename="staff")
router.register("qualifications", staff_api.QualificationViewSet, basename="qualification")
router.register("training-sessions", staff_api.SessionViewSet, basename="training-session")
router.register("training-records", staff_api.RecordViewSet, basename="training-record")
router.register("training-targets", staff_api.TargetViewSet, basename="training-target")
router.register("station-resources", staff_api.ResourceViewSet, basename="station-resource")
router.register("volunteer-teams", volunteers_api.TeamViewSet, basename="volunteer-team")
router.register("volunteer-activities", volunteers_api.ActivityViewSet, basename="volunteer-activity")
router.register("rewards", volunteers_api.RewardViewSet, basename="reward")
router.register("points-ledger", volunteers_api.LedgerViewSet, basename="points-entry")
router.register("compounds", facilities_api.CompoundViewSet, basename="compound")
router.register("care-rooms", facilities_api.CareRoomViewSet, basename="care-room")
router.register("room-inspections", facilities_api.InspectionViewSet, basename="room-inspection")
router.register("room-violations", facilities_api.ViolationViewSet, basename="room-violation")
router.register("room-alterations", facilities_api.AlterationViewSet, basename="room-alteration")
router.register("room-applications", facilities_api.UseApplicationViewSet, basename="room-application")
router.register("entrustment-agreements", facilities_api.AgreementViewSet, basename="entrustment-agreement")
router.register("guidance-targets", facilities_api.GuidanceTargetViewSet, basename="guidance-target")

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

urlpatterns = [
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
    path("", include("accounts.urls")),
]

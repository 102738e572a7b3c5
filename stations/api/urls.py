"""The stations API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("stations", views.StationViewSet, basename="station")
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("resident-link-requests", views.LinkRequestViewSet, basename="resident-link-request")
router.register("orders", views.OrderViewSet, basename="order")
router.register("service-records", views.RecordViewSet, basename="service-record")
router.register("publicity-events", views.PublicityViewSet, basename="publicity-event")
router.register("station-expenditures", views.ExpenditureViewSet, basename="station-expenditure")
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("survey-responses", views.SurveyResponseViewSet, basename="survey-response")

# The stations' part of the staff API's prefix (see StaffEligibilityViewSet); config/urls.py
# adds it to the API root's registry after the staff app's own entry.
staff_routes = AppRouter()
staff_routes.register("staff", views.StaffEligibilityViewSet, basename="staff")

urlpatterns = router.urls + staff_routes.urls

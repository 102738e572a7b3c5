"""The staff API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("staff", views.StaffViewSet, basename="staff")
router.register("qualifications", views.QualificationViewSet, basename="qualification")
router.register("training-sessions", views.SessionViewSet, basename="training-session")
router.register("training-records", views.RecordViewSet, basename="training-record")
router.register("training-targets", views.TargetViewSet, basename="training-target")
router.register("station-resources", views.ResourceViewSet, basename="station-resource")

urlpatterns = router.urls

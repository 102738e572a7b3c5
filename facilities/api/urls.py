"""The facilities API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("care-rooms", views.CareRoomViewSet, basename="care-room")
router.register("room-inspections", views.InspectionViewSet, basename="room-inspection")
router.register("room-violations", views.ViolationViewSet, basename="room-violation")
router.register("room-alterations", views.AlterationViewSet, basename="room-alteration")
router.register("room-applications", views.UseApplicationViewSet, basename="room-application")
router.register("entrustment-agreements", views.AgreementViewSet, basename="entrustment-agreement")
router.register("guidance-targets", views.GuidanceTargetViewSet, basename="guidance-target")

urlpatterns = router.urls

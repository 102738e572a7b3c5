"""The pilots API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("opinions", views.OpinionViewSet, basename="opinion")
router.register("pilots", views.PilotViewSet, basename="pilot")
router.register("pilot-milestones", views.PilotMilestoneViewSet, basename="pilot-milestone")

urlpatterns = router.urls

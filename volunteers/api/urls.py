"""The volunteers API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("volunteer-teams", views.TeamViewSet, basename="volunteer-team")
router.register("volunteer-activities", views.ActivityViewSet, basename="volunteer-activity")
router.register("rewards", views.RewardViewSet, basename="reward")
router.register("points-ledger", views.LedgerViewSet, basename="points-entry")

urlpatterns = router.urls

"""The five lists' API routes (and the posted prices), mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("checklist-versions", views.VersionViewSet, basename="checklist-version")
router.register("checklist-items", views.ItemViewSet, basename="checklist-item")
router.register("checklist-checks", views.CheckViewSet, basename="checklist-check")
router.register("posted-prices", views.PostedPriceViewSet, basename="posted-price")

urlpatterns = router.urls

"""The regions API's routes, mounted under /api/v1/ by config/urls.py."""

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("regions", views.RegionViewSet, basename="region")

urlpatterns = router.urls

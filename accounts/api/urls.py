"""The accounts API's routes, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from config.api import AppRouter

from . import views

router = AppRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("tokens", views.ApiTokenViewSet, basename="token")

urlpatterns = [path("me/", views.MeView.as_view(), name="me"), *router.urls]

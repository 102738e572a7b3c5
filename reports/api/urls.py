"""The reports API's routes, mounted under /api/v1/ by config/urls.py (before the staff API, so
that ``staff/duties/`` is not read as a staff member's id)."""

from config.api import AppRouter

from . import evaluation, jobs, statistics, views

router = AppRouter()
router.register("statistics", statistics.StatisticsViewSet, basename="statistics")
router.register("export-jobs", jobs.ExportJobViewSet, basename="export-job")
router.register("evaluation-schemes", evaluation.SchemeViewSet, basename="evaluation-scheme")
router.register("evaluation-runs", evaluation.RunViewSet, basename="evaluation-run")
router.register("scorecards", evaluation.ScorecardViewSet, basename="scorecard")
router.register("evaluation-findings", evaluation.FindingViewSet, basename="evaluation-finding")

# The reports' part of the staff API's prefix (see StaffDutiesViewSet); config/urls.py adds it to
# the API root's registry after the staff app's own entry.
staff_routes = AppRouter()
staff_routes.register("staff", views.StaffDutiesViewSet, basename="staff")

urlpatterns = router.urls + staff_routes.urls

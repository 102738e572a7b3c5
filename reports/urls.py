from django.urls import path

from . import views
from .evaluation import views as evaluation

app_name = "reports"
urlpatterns = [
    path("staff/duties/", views.duties, name="duties"),
    path("evaluations/", evaluation.scorecards, name="evaluation_scorecards"),
    path("evaluations/run/", evaluation.run_now, name="evaluation_run"),
    path("evaluations/scorecards/<int:pk>/", evaluation.scorecard_detail, name="evaluation_scorecard"),
    path("evaluations/findings/", evaluation.findings, name="evaluation_findings"),
    path("evaluations/findings/<int:pk>/", evaluation.finding_detail, name="evaluation_finding"),
    path("evaluations/schemes/", evaluation.schemes, name="evaluation_schemes"),
    path("evaluations/schemes/new/", evaluation.scheme_edit, name="evaluation_scheme_new"),
    path("evaluations/schemes/<int:pk>/edit/", evaluation.scheme_edit, name="evaluation_scheme_edit"),
]

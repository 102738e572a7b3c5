from django.urls import path

from . import export_views, views
from .evaluation import views as evaluation

app_name = "reports"
urlpatterns = [
    path("staff/duties/", views.duties, name="duties"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/dashboard/", views.statistics_dashboard, name="dashboard"),
    path("statistics/workbooks/<slug:key>/", views.statistics_workbook, name="statistics-workbook"),
    path("todo/", views.todo, name="todo"),
    path("todo/count/", views.todo_count, name="todo-count"),
    path("exports/", export_views.export_jobs, name="export-jobs"),
    path("exports/status/", export_views.export_jobs_status, name="export-jobs-status"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export-job-download"),
    path("evaluations/", evaluation.scorecards, name="evaluation_scorecards"),
    path("evaluations/run/", evaluation.run_now, name="evaluation_run"),
    path("evaluations/scorecards/<int:pk>/", evaluation.scorecard_detail, name="evaluation_scorecard"),
    path("evaluations/findings/", evaluation.findings, name="evaluation_findings"),
    path("evaluations/findings/<int:pk>/", evaluation.finding_detail, name="evaluation_finding"),
    path("evaluations/schemes/", evaluation.schemes, name="evaluation_schemes"),
    path("evaluations/schemes/new/", evaluation.scheme_edit, name="evaluation_scheme_new"),
    path("evaluations/schemes/<int:pk>/edit/", evaluation.scheme_edit, name="evaluation_scheme_edit"),
]

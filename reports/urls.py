from django.urls import path

from . import export_views, views

app_name = "reports"
urlpatterns = [
    path("staff/duties/", views.duties, name="duties"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/dashboard/", views.statistics_dashboard, name="dashboard"),
    path("todo/", views.todo, name="todo"),
    path("todo/count/", views.todo_count, name="todo-count"),
    path("exports/", export_views.export_jobs, name="export-jobs"),
    path("exports/status/", export_views.export_jobs_status, name="export-jobs-status"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export-job-download"),
]

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("staff/duties/", views.duties, name="duties"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/dashboard/", views.statistics_dashboard, name="dashboard"),
]

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("staff/duties/", views.duties, name="duties"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/dashboard/", views.statistics_dashboard, name="dashboard"),
    path("todo/", views.todo, name="todo"),
    path("todo/count/", views.todo_count, name="todo-count"),
]

from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/reveal/", views.staff_reveal, name="reveal"),
    path("training/", views.training, name="training"),
    path("training/progress/", views.progress, name="progress"),
    path("duties/", views.duties, name="duties"),
    path("resources/", views.resources, name="resources"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/statement/", views.statement, name="statement"),
]

from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/reveal/", views.staff_reveal, name="reveal"),
    path("training/", views.training, name="training"),
    path("training/progress/", views.progress, name="progress"),
    path("resources/", views.resources, name="resources"),
]

from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("violations/<int:pk>/<str:action>/", views.violation_act, name="violation-act"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("agreements/", views.agreements, name="agreements"),
    path("progress/", views.progress, name="progress"),
]

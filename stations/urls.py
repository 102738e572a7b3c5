from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("<int:pk>/", views.station_public, name="station"),
    path("manage/", views.my_stations, name="my-stations"),
    path("manage/<int:pk>/", views.station_manage, name="manage"),
    path("orders/<int:pk>/<str:action>/", views.order_act, name="order-act"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("revenue/", views.revenue, name="revenue"),
    path("link-requests/", views.link_requests, name="link-requests"),
    path("link-requests/<int:pk>/consent-form/", views.link_consent_form, name="link-consent-form"),
]

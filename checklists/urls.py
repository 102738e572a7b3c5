from django.urls import path

from . import views

app_name = "checklists"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("samples/", views.samples, name="samples"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("queue/", views.queue, name="queue"),
    path("manage/stations/<int:pk>/", views.station_lists, name="station"),
    path("manage/stations/<int:pk>/check/", views.record_check, name="record-check"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("findings/<int:pk>/photo/", views.finding_photo, name="finding-photo"),
    path("templates/", views.excel_template, name="template"),
    path("templates/<slug:kind>/", views.excel_template, name="template"),
    path("versions/<int:pk>/workbook/", views.version_workbook, name="workbook"),
    path("versions/<int:pk>/workbook/<slug:kind>/", views.version_workbook, name="workbook"),
    path("stations/<int:pk>/", views.public, name="public"),
    path("stations/<int:pk>/poster/", views.poster, name="poster"),
]

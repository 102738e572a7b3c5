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
    path("progress/print/", views.progress_print, name="progress-print"),
    path("progress/print.pdf", views.progress_pdf, name="progress-pdf"),
    path("inspections/<int:pk>/print/", views.inspection_print, name="inspection-print"),
    path("inspections/<int:pk>/print.pdf", views.inspection_pdf, name="inspection-pdf"),
    path("agreements/<int:pk>/print/", views.agreement_print, name="agreement-print"),
    path("agreements/<int:pk>/print.pdf", views.agreement_pdf, name="agreement-pdf"),
]

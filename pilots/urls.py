from django.urls import path

from . import views

app_name = "pilots"
urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/pilots/", views.programme_pilots, name="programme-pilots"),
    path("programmes/<int:pk>/pilots/print/", views.programme_pilots_print, name="programme-pilots-print"),
    path("programmes/<int:pk>/pilots/print.pdf", views.programme_pilots_pdf, name="programme-pilots-pdf"),
    path("programmes/<int:pk>/apply/", views.application_create, name="apply"),
    path("programmes/<int:pk>/publish/", views.publish_list, name="publish-list"),
    path("programmes/<int:pk>/withdraw-list/", views.withdraw_list, name="withdraw-list"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/act/<str:action>/", views.application_act, name="application-act"),
    path("applications/<int:pk>/compare/", views.application_compare, name="application-compare"),
    path("applications/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("applications/<int:pk>/print/", views.application_print, name="application-print"),
    path("applications/<int:pk>/print.pdf", views.application_pdf, name="application-pdf"),
    path("applications/<int:pk>/print/opinions/", views.application_opinions, name="application-opinions"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot-detail"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("cases/<int:pk>/photo/", views.case_photo, name="case-photo"),
    path("opinions/<int:pk>/scan/", views.opinion_scan_download, name="opinion-scan"),
]

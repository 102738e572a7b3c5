from django.urls import path, re_path

from . import manage_views, order_views, views

app_name = "stations"
SECTIONS = "|".join(section.slug for section in manage_views.SECTIONS)
urlpatterns = [
    path("", views.finder, name="finder"),
    path("<int:pk>/", views.station_public, name="station"),
    path("manage/", views.my_stations, name="my-stations"),
    path("manage/<int:pk>/", manage_views.station_manage, name="manage"),
    re_path(
        rf"^manage/(?P<pk>[0-9]+)/(?P<section>{SECTIONS})/$",
        manage_views.station_manage,
        name="manage-section",
    ),
    path("orders/mine/", order_views.my_orders, name="my-orders"),
    path("orders/<int:pk>/assign/", order_views.order_assign, name="order-assign"),
    path("orders/<int:pk>/complete/", order_views.order_complete, name="order-complete"),
    path("orders/<int:pk>/cancel/", order_views.order_cancel, name="order-cancel"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("revenue/", views.revenue, name="revenue"),
    path("link-requests/", views.link_requests, name="link-requests"),
    path("link-requests/<int:pk>/consent-form/", views.link_consent_form, name="link-consent-form"),
]

# A company's own stations and residents: particulars, hours, photos, position; contact and consent.
from . import editing, resident_editing  # noqa: E402

urlpatterns += [
    path("manage/new/", editing.station_new, name="new"),
    path("manage/<int:pk>/details/", editing.station_edit, name="edit"),
    path("manage/<int:pk>/photos/", editing.station_photos, name="photos"),
    path("photos/<int:pk>/", editing.station_photo, name="photo"),
    path("residents/<int:pk>/edit/", resident_editing.resident_edit, name="resident-edit"),
    path(
        "residents/<int:pk>/consent-form/",
        resident_editing.resident_consent_form,
        name="resident-consent-form",
    ),
]

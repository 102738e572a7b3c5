from django.urls import path

from . import views

# Served under /staff/ as before the app was cut out of staff: the addresses people know stay.
app_name = "volunteers"
urlpatterns = [
    path("volunteers/", views.volunteers, name="index"),
    path("volunteers/ledger/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("volunteers/<int:pk>/statement/", views.statement, name="statement"),
]

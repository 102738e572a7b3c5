from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LockoutAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LockoutAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/notifications/", views.notification_list, name="notifications"),
    path("accounts/tokens/", views.token_list, name="token-list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/licence/", views.licence_download, name="licence-download"),
    path("organizations/<int:pk>/licence/upload/", views.licence_upload, name="licence-upload"),
    path("organizations/<int:pk>/licence/confirm/", views.licence_confirm, name="licence-confirm"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]

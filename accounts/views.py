import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, OrganizationContactForm, RegistrationForm
from .home import actions_for
from .models import ApiToken, Membership, Notification, Organization
from .scoping import is_editable, scoped_object_or_404


def home(request):
    return render(request, "accounts/home.html", {"sections": actions_for(request.user)})


def register(request):
    """Self-registration of an applicant unit and its first user."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _unit, user = services.register_organization(
                organization=form.organization_data(),
                username=data["username"],
                password=data["password1"],
                name=data["name"],
                email=data["email"],
            )
        except ValidationError as exc:
            # Checked again when saving: a unit registered in between is named beside its field.
            for field, errors in exc.message_dict.items():
                target = "password1" if field == "password" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            login(request, user, backend="accounts.backends.LockoutModelBackend")
            messages.success(request, _("Registered. Your bureau confirms the property-management licence."))
            return redirect("home")
    return render(request, "registration/register.html", {"form": form})


@login_required
def token_list(request):
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = services.issue_token(
                    request.user,
                    name=form.cleaned_data["name"],
                    read_only=form.cleaned_data["read_only"],
                    expires_days=form.cleaned_data["expires_days"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)  # names expires_days when it is too long
            else:
                messages.success(
                    request,
                    _("Token “%(name)s” issued. Copy the secret now: it will not be shown again.")
                    % {"name": token.name},
                )
                # Post/redirect/get: the secret rides in the session for exactly one page view,
                # so a reload neither shows it again nor issues a second token.
                request.session["issued_token_secret"] = secret
                return redirect("token-list")
    else:
        form = ApiTokenForm()
    issued_secret = request.session.pop("issued_token_secret", None)
    tokens = ApiToken.objects.visible_to(request.user).filter(user=request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "issued_secret": issued_secret}
    )


@login_required
def organization_detail(request, pk):
    """An organisation's record and members, for whoever may see it; its members with an
    editing role keep the contact details current."""
    organization = scoped_object_or_404(Organization.objects.select_related("region"), request.user, pk=pk)
    editable = is_editable(organization, request.user)
    form = OrganizationContactForm(instance=organization) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = OrganizationContactForm(request.POST, instance=Organization.objects.get(pk=pk))
        if form.is_valid():
            services.update_organization(organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("organization-detail", pk=pk)
    members = (
        Membership.objects.visible_to(request.user).filter(organization=organization).select_related("user")
    )
    return render(
        request,
        "accounts/organization_detail.html",
        {"organization": organization, "members": members, "form": form, "editable": editable},
    )


@login_required
def notification_list(request):
    """The user's notices, newest first; opening the page marks them read."""
    notifications = list(Notification.objects.visible_to(request.user)[:100])
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"notifications": notifications})


@login_required
@require_POST
def token_revoke(request, pk):
    token = scoped_object_or_404(ApiToken, request.user, edit=True, pk=pk)
    services.revoke_token(token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("token-list")


@never_cache
def healthz(request):
    """Whether the database and, when configured, Redis answer. 200 when all do, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # connection refused, timeout, auth
            checks["redis"] = f"error: {exc.__class__.__name__}"
    else:
        checks["redis"] = "not configured"
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)

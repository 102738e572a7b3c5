import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import ApiTokenForm, LicenceScanForm, OrganizationContactForm, RegistrationForm
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


def _organization_page(request, organization, *, form=None, licence_form=None):
    editable = is_editable(organization, request.user)
    if editable and form is None:
        form = OrganizationContactForm(instance=organization)
    may_upload = services.may_upload_licence(organization, request.user)
    if may_upload and licence_form is None:
        licence_form = LicenceScanForm()
    may_confirm, confirm_reason = services.can_confirm_licence(organization, request.user)
    members = (
        Membership.objects.visible_to(request.user).filter(organization=organization).select_related("user")
    )
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "members": members,
            "form": form if editable else None,
            "editable": editable,
            "licence_form": licence_form if may_upload else None,
            "confirming_offices": services.confirming_offices(organization),
            "may_confirm": may_confirm,
            "confirm_reason": confirm_reason,
        },
    )


def _organization(request, pk):
    return scoped_object_or_404(
        Organization.objects.select_related("region", "licence_confirmed_by"), request.user, pk=pk
    )


@login_required
def organization_detail(request, pk):
    """An organisation's record and members, for whoever may see it; its members with an
    editing role keep the contact details current and upload the business licence."""
    organization = _organization(request, pk)
    if request.method == "POST":
        if not is_editable(organization, request.user):
            raise PermissionDenied
        form = OrganizationContactForm(request.POST, instance=Organization.objects.get(pk=pk))
        if form.is_valid():
            services.update_organization(organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("organization-detail", pk=pk)
        return _organization_page(request, organization, form=form)
    return _organization_page(request, organization)


@login_required
@require_POST
def licence_upload(request, pk):
    organization = _organization(request, pk)
    licence_form = LicenceScanForm(request.POST, request.FILES)
    if licence_form.is_valid():
        try:
            services.upload_licence_scan(
                organization, by=request.user, upload=licence_form.cleaned_data["scan"]
            )
        except ValidationError as exc:
            licence_form.add_error("scan", exc)
        else:
            offices = "、".join(o.name for o in services.confirming_offices(organization))
            messages.success(
                request,
                _("Licence scan uploaded. It now awaits confirmation by %(offices)s.")
                % {"offices": offices or _("the civil-affairs bureau of its district")},
            )
            return redirect("organization-detail", pk=pk)
    return _organization_page(request, organization, licence_form=licence_form)


@login_required
def licence_download(request, pk):
    """The scan, to those who may see the organisation."""
    organization = _organization(request, pk)
    if not organization.licence_scan:
        raise Http404
    return FileResponse(
        organization.licence_scan.open("rb"),
        as_attachment=True,
        filename=organization.licence_scan.name.rsplit("/", 1)[-1],
    )


@login_required
@require_POST
def licence_confirm(request, pk):
    organization = _organization(request, pk)
    services.confirm_licence(organization, by=request.user)
    messages.success(
        request, _("The business licence of %(unit)s is confirmed.") % {"unit": organization.name}
    )
    return redirect("organization-detail", pk=pk)


@login_required
def notification_list(request):
    """The user's notices, newest first; opening the page marks them read."""
    notifications = list(Notification.objects.visible_to(request.user)[:100])
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return render(request, "accounts/notifications.html", {"notifications": notifications})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    """Revoking cannot be undone: the page first says what will happen, the POST does it."""
    token = scoped_object_or_404(ApiToken, request.user, edit=True, pk=pk)
    if token.revoked_at is not None:
        messages.info(request, _("Token “%(name)s” is already revoked.") % {"name": token.name})
        return redirect("token-list")
    if request.method == "POST":
        services.revoke_token(token, by=request.user)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("token-list")
    return render(request, "accounts/token_revoke.html", {"token": token})


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

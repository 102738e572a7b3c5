"""Portal pages where a station's operator keeps a person's contact details and consent up to
date: phone (never shown in full here), address, the date of her consent and the signed form.
Changes go through ``stations.services.update_resident`` and are audit-logged there (personal
values as ***); each download of the signed form is logged as a read of personal data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import audit
from accounts.scoping import scoped_object_or_404

from . import services
from .editing_forms import ResidentContactForm
from .models import Resident
from .views import _add_service_errors


@login_required
def resident_edit(request, pk):
    resident = scoped_object_or_404(
        Resident.objects.select_related("community"), request.user, edit=True, pk=pk
    )
    if request.method == "POST":
        form = ResidentContactForm(request.POST, request.FILES, resident=resident)
        if form.is_valid():
            try:
                services.update_resident(resident, by=request.user, **form.resident_fields())
            except (ValidationError, PermissionDenied) as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s's details are saved.") % {"name": resident.name})
                return redirect("stations:resident", pk=pk)
    else:
        form = ResidentContactForm(
            initial={
                "community": resident.community_id,
                "address": resident.address,
                "consent_on": resident.consent_on,
            },
            resident=resident,
        )
    return render(request, "stations/resident_form.html", {"resident": resident, "form": form})


@login_required
def resident_consent_form(request, pk):
    """The signed consent form, for those who may change the person's file; every download is
    logged."""
    resident = scoped_object_or_404(Resident, request.user, edit=True, pk=pk)
    if not resident.consent_form:
        raise Http404
    audit.record(resident, "pii_read", note="consent_form", actor=request.user)
    return FileResponse(resident.consent_form.open("rb"), as_attachment=True)

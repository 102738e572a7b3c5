from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import params
from accounts.scoping import is_editable, scoped_object_or_404
from core.pdf import pdf_response

from . import services
from .forms import (
    STEPS,
    ApplicationForm,
    AttachmentForm,
    MilestoneCompletionForm,
    OpinionForm,
    ShowcaseCaseForm,
    SummaryReportForm,
    applicant_organizations,
)
from .models import (
    Application,
    Attachment,
    Opinion,
    Pilot,
    PilotMilestone,
    PilotType,
    Programme,
    ShowcaseCase,
    Stage,
)


def _messages_of(exc):
    return getattr(exc, "messages", None) or [str(exc)]


def programme_list(request):
    programmes = (
        Programme.objects.visible_to(request.user)
        .select_related("region")
        .prefetch_related("quotas", "phases", "issuers")
        .order_by("-created_at")
    )
    return render(request, "pilots/programme_list.html", {"programmes": programmes})


def programme_detail(request, pk):
    programme = scoped_object_or_404(
        Programme.objects.select_related("region").prefetch_related(
            "quotas", "phases", "milestones", "issuers"
        ),
        request.user,
        pk=pk,
    )
    can_apply = (
        request.user.is_authenticated
        and programme.application_window_open()
        and (applicant_organizations(request.user).exists())
    )
    can_publish = services.PROGRAMMES.can(programme, request.user, "publish_list")[0]
    return render(
        request,
        "pilots/programme_detail.html",
        {"programme": programme, "can_apply": can_apply, "can_publish": can_publish},
    )


def _published_pilots(request, pk):
    """The programme and its pilots as the user may see them: public once the bureau publishes
    the list; before that only to those who see a pilot of it."""
    programme = scoped_object_or_404(Programme.objects.prefetch_related("issuers"), request.user, pk=pk)
    pilots = (
        Pilot.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("organization", "site_region__parent")
    )
    if programme.list_published_at is None and not pilots.exists():
        raise Http404
    return programme, pilots


def programme_pilots(request, pk):
    """The published pilot list: public once the bureau publishes it."""
    programme, pilots = _published_pilots(request, pk)
    return render(request, "pilots/programme_pilots.html", {"programme": programme, "pilots": pilots})


def _pilot_list_context(programme, pilots):
    return {
        "programme": programme,
        # the form's order of the types ("property_care" before "mutual_aid"), then by site
        "pilots": pilots.order_by("-pilot_type", "site_region__code", "organization__name"),
        "pdf_url": reverse("pilots:programme-pilots-pdf", args=[programme.pk]),
        "back_url": reverse("pilots:programme-pilots", args=[programme.pk]),
    }


def programme_pilots_print(request, pk):
    """The pilot list laid out for posting: unit, type, street, site, date and the bureau."""
    programme, pilots = _published_pilots(request, pk)
    return render(request, "pilots/programme_pilots_print.html", _pilot_list_context(programme, pilots))


def programme_pilots_pdf(request, pk):
    programme, pilots = _published_pilots(request, pk)
    return pdf_response(
        request,
        "pilots/programme_pilots_print.html",
        _pilot_list_context(programme, pilots),
        filename=f"{programme.title}-{_('Pilot list')}",
    )


@login_required
@require_POST
def publish_list(request, pk):
    programme = scoped_object_or_404(Programme, request.user, pk=pk)
    try:
        services.publish_pilot_list(programme, by=request.user)
    except (PermissionDenied, ValidationError) as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The pilot list is published."))
    return redirect("pilots:programme-pilots", pk=pk)


@login_required
def application_list(request):
    applications = (
        Application.objects.visible_to(request.user)
        .select_related("programme", "organization", "site_region")
        .order_by("-updated_at")
    )
    status = request.GET.get("status")
    if status:
        applications = applications.filter(status=status)
    return render(
        request, "pilots/application_list.html", {"applications": applications[:200], "status": status}
    )


@login_required
def application_create(request, pk):
    """Step 1 of the application form creates the draft."""
    programme = scoped_object_or_404(Programme, request.user, pk=pk)
    organizations = applicant_organizations(request.user)
    form = ApplicationForm(request.POST or None, programme=programme, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            application = services.create_application(
                by=request.user,
                programme=programme,
                organization=data.pop("organization"),
                pilot_type=data.pop("pilot_type"),
                site_region=data.pop("site_region"),
                **data,
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(f"{reverse('pilots:application-edit', args=[application.pk])}?step=2")
    return render(
        request,
        "pilots/application_form.html",
        {"form": form, "programme": programme, "steps": STEPS, "step": 1},
    )


def _visible_application(request, pk):
    return scoped_object_or_404(
        Application.objects.select_related(
            "programme__region", "organization", "site_region__parent"
        ).prefetch_related(
            "attachments",
            "versions",
            Prefetch("opinions", queryset=Opinion.objects.select_related("officer", "organization")),
        ),
        request.user,
        pk=pk,
    )


@login_required
def application_edit(request, pk):
    """Steps 1–4 of the form; each saves the draft and goes on. After the last step the
    applicant adds attachments and submits on the application's page."""
    application = _visible_application(request, pk)
    try:
        step = min(max(int(request.GET.get("step", 1)), 1), len(STEPS))
    except ValueError:
        step = 1
    form = ApplicationForm(
        request.POST or None, instance=application, programme=application.programme, step=step
    )
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data
        }
        try:
            services.update_application(application, by=request.user, **fields)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Draft saved."))
            if "exit" in request.POST or step == len(STEPS):
                return redirect("pilots:application-detail", pk=pk)
            return redirect(f"{reverse('pilots:application-edit', args=[pk])}?step={step + 1}")
    return render(
        request,
        "pilots/application_form.html",
        {
            "form": form,
            "programme": application.programme,
            "application": application,
            "steps": STEPS,
            "step": step,
        },
    )


@login_required
def application_detail(request, pk):
    application = _visible_application(request, pk)
    actions = [(a.name, a.label) for a in services.APPLICATIONS.available(application, request.user)]
    problems = services.eligibility_problems(application) if application.is_editable_by_applicant else []
    editable = application.is_editable_by_applicant and (
        services.is_applicant_member(request.user, application)
        or services.files_on_behalf(request.user, application)
    )
    return render(
        request,
        "pilots/application_detail.html",
        {
            "application": application,
            "actions": actions,
            "problems": problems,
            "editable": editable,
            "opinion_form": OpinionForm(),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
@require_POST
def application_act(request, pk, action):
    application = _visible_application(request, pk)
    form = OpinionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.transition(application, action, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": services.APPLICATIONS.label(action)}
            )
    return redirect("pilots:application-detail", pk=pk)


@login_required
@require_POST
def attachment_add(request, pk):
    application = _visible_application(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                application, by=request.user, upload=form.cleaned_data["file"], name=form.cleaned_data["name"]
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("File added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("pilots:application-detail", pk=pk)


@login_required
def attachment_download(request, pk):
    """Attachments and opinion scans are served only to those who may see the application."""
    attachment = scoped_object_or_404(Attachment, request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name if "." in attachment.name else attachment.file.name.rsplit("/", 1)[-1],
    )


@login_required
def opinion_scan_download(request, pk):
    opinion = scoped_object_or_404(Opinion.objects.exclude(scan=""), request.user, pk=pk)
    return FileResponse(
        opinion.scan.open("rb"), as_attachment=True, filename=opinion.scan.name.rsplit("/", 1)[-1]
    )


# 001 附件2: the two pilot types as the form words them, and the four guarantees of 项目实施保障
# under the words of the form's own hint.
FORM_PILOT_TYPES = (
    (PilotType.PROPERTY_PLUS_CARE, "“物业服务+养老服务”"),
    (PilotType.MUTUAL_AID, "互助式养老服务"),
)
FORM_GUARANTEES = (
    ("场地设施", "guarantee_premises"),
    ("服务资源", "guarantee_resources"),
    ("人力保障", "guarantee_staff"),
    ("资金保障", "guarantee_funds"),
)
FORM_TITLE = "居家社区养老服务改革试点申报表"


def _printed_application(request, pk):
    return scoped_object_or_404(
        Application.objects.select_related(
            "programme", "organization", "site_region__parent"
        ).prefetch_related(
            "programme__issuers",
            Prefetch("opinions", queryset=Opinion.objects.select_related("officer", "organization")),
        ),
        request.user,
        pk=pk,
    )


def _application_form_context(application):
    """What 附件2 prints: the standing opinion of each stage, under the bureau's own name."""
    standing = application.standing_opinions()
    bureau_opinion = standing[Stage.BUREAU]
    bureau = bureau_opinion.organization if bureau_opinion else application.programme.opinion_bureau
    site = " ".join(part for part in (application.site_region.name, application.site_address) if part)
    return {
        "application": application,
        "pilot_types": FORM_PILOT_TYPES,
        "site": site,
        "guarantees": [(words, getattr(application, field)) for words, field in FORM_GUARANTEES],
        # each label broken where the form breaks it: 镇街民政工作 / 部门意见, 市民政局 / 意见
        "opinion_boxes": [
            (("镇街民政工作", "部门意见"), standing[Stage.STREET]),
            ((bureau.name if bureau else "市民政局", "意见"), bureau_opinion),
        ],
        "pdf_url": reverse("pilots:application-pdf", args=[application.pk]),
        "back_url": reverse("pilots:application-detail", args=[application.pk]),
    }


@login_required
def application_print(request, pk):
    """001 附件2 laid out for signing and sealing, with the opinions that stand."""
    application = _printed_application(request, pk)
    return render(request, "pilots/application_print.html", _application_form_context(application))


@login_required
def application_pdf(request, pk):
    """The same form as a PDF rendered on the server."""
    application = _printed_application(request, pk)
    return pdf_response(
        request,
        "pilots/application_print.html",
        _application_form_context(application),
        filename=f"{FORM_TITLE}-{application.organization.name}-{application.pk}",
    )


@login_required
def application_opinions(request, pk):
    """Every opinion given on the application, the superseded ones included: the history the
    printed form leaves out."""
    application = _printed_application(request, pk)
    standing = {o.pk for o in application.standing_opinions().values() if o is not None}
    opinions = list(application.opinions.all())
    for opinion in opinions:
        opinion.stands = opinion.pk in standing
    return render(
        request,
        "pilots/application_opinions.html",
        {
            "application": application,
            "opinions": opinions,
            "back_url": reverse("pilots:application-print", args=[application.pk]),
        },
    )


def _visible_pilot(request, pk):
    return scoped_object_or_404(
        Pilot.objects.select_related("programme", "organization", "site_region").prefetch_related(
            Prefetch("milestones", queryset=PilotMilestone.objects.select_related("milestone")), "cases"
        ),
        request.user,
        pk=pk,
    )


def pilot_detail(request, pk):
    """A pilot: its milestones, showcase cases and summary report. The pilot unit (and the
    region's officers) keep it current; the issuing bureau marks demonstration projects."""
    pilot = _visible_pilot(request, pk)
    editable = is_editable(pilot, request.user)
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        try:
            _pilot_post(request, pilot)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
        return redirect("pilots:pilot-detail", pk=pk)
    is_issuer = (
        request.user.is_authenticated
        and services.issuing_bureau_of(request.user, pilot.programme) is not None
    )
    today = timezone.localdate()
    return render(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "editable": editable,
            "is_issuer": is_issuer,
            "milestones": [(m, m.is_overdue(today)) for m in pilot.milestones.all()],
            "milestone_form": MilestoneCompletionForm(),
            "case_form": ShowcaseCaseForm(),
            "summary_form": SummaryReportForm(initial={"summary_report": pilot.summary_report}),
        },
    )


def _pilot_post(request, pilot):
    what = request.POST.get("what")
    if what == "milestone":
        form = MilestoneCompletionForm(request.POST)
        milestone = params.object_or_404(pilot.milestones.all(), request.POST.get("milestone"))
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        services.complete_milestone(milestone, by=request.user, **form.cleaned_data)
    elif what == "case":
        form = ShowcaseCaseForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        services.add_showcase_case(pilot, by=request.user, **form.cleaned_data)
    elif what == "summary":
        form = SummaryReportForm(request.POST)
        form.is_valid()
        services.save_summary_report(pilot, by=request.user, text=form.cleaned_data.get("summary_report", ""))
    elif what == "demonstration":
        services.set_demonstration(pilot, by=request.user, value=request.POST.get("value") == "1")
    else:
        raise ValidationError(_("Unknown request."))


def case_photo(request, pk):
    case = scoped_object_or_404(ShowcaseCase.objects.exclude(photo=""), request.user, pk=pk)
    return FileResponse(case.photo.open("rb"))

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import audit, params
from accounts.portal import export_query
from accounts.scoping import is_editable, scoped_object_or_404
from core.admin_actions import add_refusal
from core.pdf import official_print, pdf_response

from . import exports, services
from .api.filters import PortalApplicationFilter
from .forms import (
    STEPS,
    ApplicationForm,
    AttachmentForm,
    MilestoneCompletionForm,
    OpinionForm,
    PilotListWithdrawalForm,
    ShowcaseCaseForm,
    SummaryReportForm,
    applicant_organizations,
)
from .models import (
    Application,
    Attachment,
    MilestoneEvidence,
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


def _refuse(form, exc, field=None):
    """A service's refusal on the form: beside the fields it names, else above the form."""
    if isinstance(exc, PermissionDenied):
        form.add_error(field, str(exc) or _("You may not do this."))
    else:
        add_refusal(form, exc, field)


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
    can_withdraw = services.PROGRAMMES.can(programme, request.user, "withdraw_list")[0]
    return render(
        request,
        "pilots/programme_detail.html",
        {
            "programme": programme,
            "can_apply": can_apply,
            "can_publish": can_publish,
            "can_withdraw": can_withdraw,
        },
    )


def _published_pilots(request, pk, *, withdrawn_too=False):
    """The programme and its pilots as the user may see them: public once the bureau publishes
    the list; before that only to those who see a pilot of it. The list's page (``withdrawn_too``)
    also answers for a withdrawn list, to say so."""
    programme = scoped_object_or_404(Programme.objects.prefetch_related("issuers"), request.user, pk=pk)
    pilots = (
        Pilot.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("organization", "site_region__parent")
    )
    shown = programme.list_published_at is not None or (withdrawn_too and programme.list_withdrawn_at)
    if not shown and not pilots.exists():
        raise Http404
    return programme, pilots


def programme_pilots(request, pk):
    """The published pilot list: public once the bureau publishes it."""
    programme, pilots = _published_pilots(request, pk, withdrawn_too=True)
    return render(request, "pilots/programme_pilots.html", {"programme": programme, "pilots": pilots})


def _pilot_list_context(programme, pilots):
    return {
        "programme": programme,
        # the form's order of the types ("property_care" before "mutual_aid"), then by site
        "pilots": pilots.order_by("-pilot_type", "site_region__code", "organization__name"),
        "pdf_url": reverse("pilots:programme-pilots-pdf", args=[programme.pk]),
        "back_url": reverse("pilots:programme-pilots", args=[programme.pk]),
    }


@official_print
def programme_pilots_print(request, pk):
    """The pilot list laid out for posting: unit, type, street, site, date and the bureau."""
    programme, pilots = _published_pilots(request, pk)
    return render(request, "pilots/programme_pilots_print.html", _pilot_list_context(programme, pilots))


@official_print
def programme_pilots_pdf(request, pk):
    programme, pilots = _published_pilots(request, pk)
    return pdf_response(
        request,
        "pilots/programme_pilots_print.html",
        _pilot_list_context(programme, pilots),
        filename=programme.pilot_list_title,
    )


def _publication_programme(request, pk):
    return scoped_object_or_404(Programme.objects.prefetch_related("issuers", "phases"), request.user, pk=pk)


@login_required
def publish_list(request, pk):
    """Publishing asks first, on its own page: what will happen, and what is still open (the
    application phase, drafts and applications under review, with their numbers)."""
    programme = _publication_programme(request, pk)
    allowed, reason = services.PROGRAMMES.can(programme, request.user, "publish_list")
    if request.method == "POST":
        try:
            services.publish_pilot_list(programme, by=request.user)
        except (PermissionDenied, ValidationError) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
            return redirect("pilots:programme-detail", pk=pk)
        messages.success(request, _("The pilot list is published."))
        return redirect("pilots:programme-pilots", pk=pk)
    if not allowed:
        messages.error(request, reason)
        return redirect("pilots:programme-detail", pk=pk)
    return render(
        request,
        "pilots/confirm_publication.html",
        {
            "programme": programme,
            "action": services.PROGRAMMES.step("publish_list", programme.publication_state),
            "warnings": services.publication_warnings(programme),
            "pilot_count": Pilot.objects.filter(programme=programme).count(),
        },
    )


@login_required
def withdraw_list(request, pk):
    """A published pilot list is withdrawn by its bureau with a reason (required, announced)."""
    programme = _publication_programme(request, pk)
    allowed, reason = services.PROGRAMMES.can(programme, request.user, "withdraw_list")
    form = PilotListWithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_pilot_list(programme, by=request.user, reason=form.cleaned_data["reason"])
        except (PermissionDenied, ValidationError) as exc:
            _refuse(form, exc, "reason")
        else:
            messages.success(request, _("The pilot list is withdrawn; those it concerns are told."))
            return redirect("pilots:programme-pilots", pk=pk)
    elif request.method == "GET" and not allowed:
        messages.error(request, reason)
        return redirect("pilots:programme-detail", pk=pk)
    return render(
        request,
        "pilots/confirm_publication.html",
        {
            "programme": programme,
            "action": services.PROGRAMMES.step("withdraw_list", "list_published"),
            "form": form,
            "pilot_count": Pilot.objects.filter(programme=programme).count(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def application_list(request):
    """Applications with search and filters; reviewers start on those awaiting their opinion.
    Others' drafts are never listed. The export holds exactly the filtered rows."""
    if not request.GET and services.is_reviewer(request.user):
        return redirect(f"{reverse('pilots:application-list')}?awaiting=yes")
    queryset = services.without_others_drafts(
        Application.objects.visible_to(request.user)
        .select_related("programme", "organization", "site_region")
        .order_by("-updated_at", "-id"),
        request.user,
    )
    filterset = PortalApplicationFilter(request.GET, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    if request.GET.get("export") == "xlsx":
        return exports.APPLICATIONS.response(rows, request)
    return render(
        request,
        "pilots/application_list.html",
        {
            "filter": filterset,
            "applications": rows[:200],
            "count": rows.count(),
            "export_query": export_query(request),
        },
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
            _refuse(form, exc)
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
            _refuse(form, exc)
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


def _review_context(request, application):
    """What reviewers see beside their card: the quota of the type (approved, remaining)."""
    if application.status not in (services.S.SUBMITTED, services.S.RECOMMENDED):
        return {}
    if not services.is_reviewer(request.user):
        return {}
    return {"quota": services.quota_standing(application.programme, application.pilot_type)}


@login_required
def application_detail(request, pk, attachment_form=None):
    application = _visible_application(request, pk)
    # Each person sees only their own steps: the applicant submits or withdraws, the street and
    # the bureau give their opinions on a page of their own.
    actions = services.APPLICATIONS.available(application, request.user)
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
            "attachment_form": attachment_form or AttachmentForm(),
            "comparison": services.default_comparison(application),
            **_review_context(request, application),
        },
        status=400 if attachment_form is not None else 200,
    )


@login_required
def application_act(request, pk, action):
    """A step of the review on a page of its own: what it will do (asked first when it cannot be
    undone), the quota for the bureau, and the card the step takes (opinion, scan, reason). A
    refused step comes back with what was typed and the errors beside the fields. Submitting
    has no card: the button on the application's page posts here directly."""
    application = _visible_application(request, pk)
    if action not in services.APPLICATIONS.actions:
        raise Http404
    if action == "submit":
        if request.method != "POST":
            return redirect("pilots:application-detail", pk=pk)
        try:
            services.transition(application, "submit", by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": services.APPLICATIONS.label(action)}
            )
        return redirect("pilots:application-detail", pk=pk)
    step = services.APPLICATIONS.step(action, application.status)
    allowed, reason = services.APPLICATIONS.can(application, request.user, action)
    if request.method == "GET" and not allowed:
        messages.error(request, reason)
        return redirect("pilots:application-detail", pk=pk)
    posted = request.method == "POST"
    form = OpinionForm(request.POST if posted else None, request.FILES if posted else None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition(application, action, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": services.APPLICATIONS.label(action)}
            )
            return redirect("pilots:application-detail", pk=pk)
    return render(
        request,
        "pilots/application_act.html",
        {
            "application": application,
            "action": action,
            "label": services.APPLICATIONS.label(action),
            "step": step,
            "consequence": services.CONSEQUENCES.get(action),
            "form": form,
            **_review_context(request, application),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def application_compare(request, pk):
    """Two submitted versions side by side, field by field: by default the one returned and
    the one resubmitted."""
    application = _visible_application(request, pk)
    versions = {v.number: v for v in application.versions.all()}
    default = services.default_comparison(application)
    if default is None:
        raise Http404
    try:
        old = versions[int(request.GET.get("from", default[0]))]
        new = versions[int(request.GET.get("to", default[1]))]
    except (KeyError, ValueError):
        raise Http404 from None
    rows = services.version_changes(old, new)
    return render(
        request,
        "pilots/application_compare.html",
        {
            "application": application,
            "old": old,
            "new": new,
            "versions": sorted(versions),
            "changed": [row for row in rows if row["changed"]],
            "unchanged": [row for row in rows if not row["changed"]],
        },
    )


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
            _refuse(form, exc, "file")
        else:
            messages.success(request, _("File added."))
            return redirect("pilots:application-detail", pk=pk)
    return application_detail(request, pk, attachment_form=form)


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
# A text box of the form moves whole to the next page when it does not fit in what remains of
# this one, unless it is longer than about half a page (the A4 form's text cell holds some 30
# characters a line and 40 lines a page): such a box may break across pages (its label and a few
# lines on each side), so that no page is left more than half empty. The opinion boxes and the
# signature lines never break.
CHARS_PER_LINE = 30
BREAKABLE_LINES = 18


def printed_lines(*texts: str) -> int:
    """About how many lines ``texts`` take in a text cell of the printed form."""
    return sum(
        max(1, math.ceil(len(line.strip()) / CHARS_PER_LINE))
        for text in texts
        if text
        for line in text.splitlines()
    )


def _printed_application(request, pk, *, medium=""):
    """The application to print, in the user's scope. ``medium`` ("print" or "pdf") marks a
    paper copy: the form carries the applicant's contact phone in full (a masked number is of no
    use to the office that must call it), so each copy made with a phone on it is audit-logged
    as a read of personal data in full."""
    application = scoped_object_or_404(
        Application.objects.select_related(
            "programme", "organization", "site_region__parent"
        ).prefetch_related(
            "programme__issuers",
            Prefetch("opinions", queryset=Opinion.objects.select_related("officer", "organization")),
        ),
        request.user,
        pk=pk,
    )
    if medium and application.phone:
        audit.record(application, "pii_read", note=f"phone ({medium})", actor=request.user)
    return application


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
        # the text boxes long enough to break across pages (hints count as two lines)
        "long": {
            field: printed_lines(*texts) + 2 > BREAKABLE_LINES
            for field, texts in (
                ("unit_introduction", [application.unit_introduction]),
                ("background", [application.background]),
                ("goals", [application.goals]),
                ("execution_plan", [application.execution_plan]),
                ("guarantees", [getattr(application, field) for _words, field in FORM_GUARANTEES]),
            )
        },
        # each label broken where the form breaks it: 镇街民政工作 / 部门意见, 市民政局 / 意见
        "opinion_boxes": [
            (("镇街民政工作", "部门意见"), standing[Stage.STREET]),
            ((bureau.name if bureau else "市民政局", "意见"), bureau_opinion),
        ],
        "pdf_url": reverse("pilots:application-pdf", args=[application.pk]),
        "back_url": reverse("pilots:application-detail", args=[application.pk]),
    }


@login_required
@official_print
def application_print(request, pk):
    """001 附件2 laid out for signing and sealing, with the opinions that stand."""
    application = _printed_application(request, pk, medium="print")
    return render(request, "pilots/application_print.html", _application_form_context(application))


@login_required
@official_print
def application_pdf(request, pk):
    """The same form as a PDF rendered on the server."""
    application = _printed_application(request, pk, medium="pdf")
    return pdf_response(
        request,
        "pilots/application_print.html",
        _application_form_context(application),
        filename=f"{FORM_TITLE}-{application.organization.name}-{application.pk}",
    )


@login_required
@official_print
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
            Prefetch(
                "milestones",
                queryset=PilotMilestone.objects.select_related("milestone").prefetch_related("files"),
            ),
            "cases",
        ),
        request.user,
        pk=pk,
    )


def _milestone_form(milestone, data=None, files=None):
    # one form per row: ids of its own, the field names the post reads
    return MilestoneCompletionForm(data, files, auto_id=f"id_m{milestone.pk}_%s")


def pilot_detail(request, pk):
    """A pilot: its milestones (with evidence text and files), showcase cases and summary report.
    The pilot unit (and the region's officers) keep it current; the issuing bureau marks
    demonstration projects. A refused form comes back with its input and errors beside it."""
    pilot = _visible_pilot(request, pk)
    editable = is_editable(pilot, request.user)
    bound = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        bound = _pilot_post(request, pilot)
        if not bound:
            messages.success(request, _("Saved."))
            return redirect("pilots:pilot-detail", pk=pk)
    is_issuer = (
        request.user.is_authenticated
        and services.issuing_bureau_of(request.user, pilot.programme) is not None
    )
    # evidence files are for the unit and the officers over it, not for the public list
    sees_files = (
        request.user.is_authenticated and Pilot.objects.known_to(request.user).filter(pk=pilot.pk).exists()
    )
    today = timezone.localdate()
    rows = []
    for milestone in pilot.milestones.all():
        form = bound.get(("milestone", milestone.pk)) or _milestone_form(milestone)
        rows.append((milestone, milestone.is_overdue(today), form))
    return render(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "editable": editable,
            "is_issuer": is_issuer,
            "sees_files": sees_files,
            "milestones": rows,
            "case_form": bound.get("case") or ShowcaseCaseForm(),
            "summary_form": bound.get("summary")
            or SummaryReportForm(initial={"summary_report": pilot.summary_report}),
        },
        status=400 if bound else 200,
    )


def _pilot_post(request, pilot) -> dict:
    """Take the posted step; {} when done, else the refused form under its key."""
    what = request.POST.get("what")
    if what == "milestone":
        milestone = params.object_or_404(pilot.milestones.all(), request.POST.get("milestone"))
        form, key = _milestone_form(milestone, request.POST, request.FILES), ("milestone", milestone.pk)
        call = lambda data: services.complete_milestone(milestone, by=request.user, **data)  # noqa: E731
    elif what == "case":
        form, key = ShowcaseCaseForm(request.POST, request.FILES), "case"
        call = lambda data: services.add_showcase_case(pilot, by=request.user, **data)  # noqa: E731
    elif what == "summary":
        form, key = SummaryReportForm(request.POST), "summary"
        call = lambda data: services.save_summary_report(  # noqa: E731
            pilot, by=request.user, text=data.get("summary_report", "")
        )
    elif what == "demonstration":
        try:
            services.set_demonstration(pilot, by=request.user, value=request.POST.get("value") == "1")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return {}
    else:
        raise BadRequest(_("Unknown request."))
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _refuse(form, exc)
        else:
            return {}
    return {key: form}


@login_required
def evidence_download(request, pk):
    """A milestone's evidence file: for the pilot unit and the officers over it."""
    evidence = scoped_object_or_404(MilestoneEvidence, request.user, pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


def case_photo(request, pk):
    case = scoped_object_or_404(ShowcaseCase.objects.exclude(photo=""), request.user, pk=pk)
    return FileResponse(case.photo.open("rb"))

"""我的导出: the person's background exports, their progress and their files."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import ExportJob

PAGE_SIZE = 50


def _jobs(request):
    return ExportJob.objects.visible_to(request.user).defer("query")[:PAGE_SIZE]


@login_required
@require_GET
def export_jobs(request):
    return render(
        request,
        "reports/export_jobs.html",
        {"jobs": _jobs(request), "retention_days": settings.EXPORT_RETENTION_DAYS},
    )


@login_required
@require_GET
def export_jobs_status(request):
    """What the page's progress bars poll: the state of the person's latest jobs."""
    jobs = [
        {
            "id": job.pk,
            "state": job.state,
            "state_display": job.get_state_display(),
            "progress": job.progress,
            "rows_written": job.rows_written,
            "rows_total": job.rows_total,
            "error": job.error,
            "download_url": job.get_download_url() if job.downloadable else None,
        }
        for job in _jobs(request)
    ]
    return JsonResponse({"jobs": jobs})


@login_required
@require_GET
def export_job_download(request, pk):
    job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)
    if not job.downloadable:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=job.filename or "export.xlsx")

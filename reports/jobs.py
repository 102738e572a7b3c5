"""Background exports: a list or a workbook too large to write inside a request becomes an
:class:`~reports.models.ExportJob`, written by a Celery worker (``reports.tasks``).

What a job runs, fixed when it is asked for
    A list export (``reports.exporting.ExportDefinition``) stores the list's queryset exactly as
    the page, the admin change list or the API list had it — already narrowed by
    ``visible_to(user)`` and by the filters — as a pickle of ``QuerySet.query`` (with its
    iterable class and prefetches), the label of its model and the definition's key. The worker
    rebuilds the queryset from these (Django documents pickling ``QuerySet.query`` to recreate a
    queryset; the pickle is only read by the same code version, and only ever written by the
    server, never taken from a request), so it writes exactly the rows the person saw. A
    workbook (:func:`register_workbook`) stores its key and parameters and is built by its
    function, with the asking user, when it runs.

    The user's scope when asking (the regions and organisations they could see, superuser, admin
    access) is stored too: when the job runs, a user who is no longer active, or no longer holds
    every membership that scope came from, gets a failed job saying so instead of the file.

Running
    :func:`run_export_job` claims the job under a row lock (only a queued job, or a running one
    whose worker stopped giving signs of life, is claimed; a second delivery of the same job
    finds it running and does nothing), writes the workbook to ``<name>.xlsx.part`` and renames it
    to ``<name>.xlsx`` once complete, so no half-written file is ever offered. Progress (rows
    written, %) and the heartbeat are saved at most once a second, checked every
    ``PROGRESS_EVERY`` rows: no query per row.

Never lost
    The row is saved before the task is handed to the broker (after the commit); if the broker
    is down the job stays queued. :func:`sweep_export_jobs` (every five minutes, in
    django-celery-beat) hands again to a worker the jobs queued and not picked up, and the jobs
    running with a stale heartbeat (their worker died); after ``MAX_ATTEMPTS`` a job fails with
    a message. :func:`purge_expired_exports` (nightly) deletes files older than
    ``settings.EXPORT_RETENTION_DAYS`` and forgets old jobs.

Statistics workbooks
    ``register_workbook(key, label, builder)`` names a workbook built by
    ``builder(user, params) -> list[(SheetSpec, rows)]``; ``submit_workbook(user, key, params)``
    asks for it in the background and returns the job (its page: ``job.get_absolute_url()``).
    Register the workbooks in ``reports/workbooks/__init__.py`` (imported here, in every process,
    through ``autodiscover_modules("workbooks")``) so a worker knows them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts.scoping import fresh_scope_for, scope_for

from .exporting import registered_definition
from .models import ExportJob, ExportJobState
from .models.jobs import ExportJobChannel, ExportJobKind
from .spreadsheets.writer import ConvertedRows, content_disposition_filename, write_workbook

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between two looks at the clock
PROGRESS_SECONDS = 1.0  # at most one progress update a second
STALE_AFTER = timedelta(minutes=10)  # a running job without a heartbeat for this long: its worker died
QUEUED_GRACE = timedelta(minutes=5)  # a queued job not picked up for this long is handed again
MAX_ATTEMPTS = 3
FORGET_AFTER = timedelta(days=30)  # a job's row is kept this long after its file expired
EXPORT_FOLDER = "exports"


class ExportRefused(Exception):
    """The job may not run (lost access, unknown export): its message is shown to the person."""


class JobTakenOver(Exception):
    """Another worker now runs this job (this one was thought dead): stop without a trace."""


# -- workbooks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookDefinition:
    key: str
    label: str | Promise
    builder: Callable[[Any, dict], list]


_WORKBOOKS: dict[str, WorkbookDefinition] = {}


def register_workbook(key: str, label, builder: Callable[[Any, dict], list]) -> WorkbookDefinition:
    """Name a workbook that ``builder(user, params)`` builds as ``[(SheetSpec, rows), ...]``
    (rows: any iterable; a list or a queryset lets the progress bar know the total)."""
    definition = WorkbookDefinition(key, label, builder)
    _WORKBOOKS[key] = definition
    return definition


def workbook(key: str) -> WorkbookDefinition | None:
    if key not in _WORKBOOKS:
        autodiscover_modules("workbooks")
    return _WORKBOOKS.get(key)


def filter_pairs(filters: dict) -> list[list[str]]:
    """``filters`` as [name, value] pairs, so their order survives the database (see ExportJob)."""
    return [[str(name), value] for name, value in filters.items()]


def submit_workbook(
    user,
    key: str,
    params: dict | None = None,
    *,
    channel: str = ExportJobChannel.PORTAL,
    filename: str = "",
    filters: dict | None = None,
):
    """Ask for the workbook ``key`` with ``params`` (JSON-serialisable) in the background;
    ``filename`` (without extension) names the download, the workbook's label by default;
    ``filters`` are the choices as the person reads them on 我的导出 (the params by default)."""
    definition = workbook(key)
    if definition is None:
        raise KeyError(key)
    job = ExportJob.objects.create(
        user=user,
        kind=ExportJobKind.WORKBOOK,
        channel=channel,
        key=key,
        label=str(definition.label)[:200],
        params=params or {},
        filters=filter_pairs((params or {}) if filters is None else filters),
        scope=scope_snapshot(user, channel),
        filename=str(filename or definition.label)[:200],
    )
    transaction.on_commit(partial(enqueue, job.pk))
    return job


# -- list exports ------------------------------------------------------------------------------


def freeze_queryset(queryset: QuerySet) -> bytes:
    """The queryset's query, as Django recreates it (``qs.query = pickle.loads(...)``)."""
    state = {
        "query": queryset.query,
        "iterable": queryset._iterable_class,
        "fields": queryset._fields,
        "prefetch": queryset._prefetch_related_lookups,
    }
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def thaw_queryset(model_label: str, frozen: bytes) -> QuerySet:
    model = apps.get_model(model_label)
    state = pickle.loads(bytes(frozen))  # noqa: S301 - written by the server itself (freeze_queryset)
    queryset = model._base_manager.all()
    queryset.query = state["query"]
    queryset._iterable_class = state["iterable"]
    queryset._fields = state["fields"]
    if state["prefetch"]:
        queryset = queryset.prefetch_related(*state["prefetch"])
    return queryset


def submit_export(definition, queryset: QuerySet, *, user, channel: str, filters: dict) -> ExportJob | None:
    """Record the export of ``queryset`` (scoped and filtered already) and hand it to a worker
    once the transaction commits. The job is recorded even when the broker is down. None (the
    export is then written at once) for a query that cannot be stored."""
    try:
        frozen = freeze_queryset(queryset)
    except (pickle.PicklingError, TypeError, AttributeError):
        logger.exception("export %s: its query cannot be stored, written at once", definition.export_key)
        return None
    job = ExportJob.objects.create(
        user=user,
        kind=ExportJobKind.LIST,
        channel=channel,
        key=definition.export_key,
        label=str(definition.title or definition.filename)[:200],
        filters=filter_pairs(filters),
        query=frozen,
        model_label=queryset.model._meta.label,
        scope=scope_snapshot(user, channel),
        filename=str(definition.filename)[:200],
    )
    transaction.on_commit(partial(enqueue, job.pk))
    return job


def list_definition(key: str):
    definition = registered_definition(key)
    if definition is None:
        autodiscover_modules("exports")
        definition = registered_definition(key)
    return definition


# -- scope -------------------------------------------------------------------------------------


def scope_snapshot(user, channel: str) -> dict:
    scope = scope_for(user)
    return {
        "superuser": bool(user.is_superuser),
        "admin": channel == ExportJobChannel.ADMIN,
        "regions": list(scope.view_region_codes),
        "organizations": list(scope.view_organization_ids),
    }


def lost_access(job: ExportJob) -> str | None:
    """Why the asking user may no longer have this export, or None. Read afresh from the
    database: the user's account and memberships as they are now."""
    user = get_user_model().objects.get(pk=job.user_id)
    if not user.is_active:
        return _("Your account has been deactivated since you asked for this export, so it was not produced.")
    snapshot = job.scope or {}
    if snapshot.get("admin") and not user.is_staff:
        return _(
            "You no longer have access to the administration since you asked for this export, "
            "so it was not produced."
        )
    if user.is_superuser:
        return None
    scope = fresh_scope_for(user)
    lost_regions = [
        code
        for code in snapshot.get("regions", [])
        if not any(code.startswith(prefix) for prefix in scope.view_region_codes)
    ]
    lost_organizations = set(snapshot.get("organizations", [])) - set(scope.view_organization_ids)
    if snapshot.get("superuser") or lost_regions or lost_organizations:
        return _(
            "You no longer hold the membership or role under which you asked for this export "
            "(it covered data you can no longer see), so it was not produced. Ask for it again "
            "from the list if you still need it."
        )
    return None


# -- handing to a worker -----------------------------------------------------------------------


def enqueue(job_id: int) -> bool:
    """Hand the job to a worker. False when the broker cannot be reached: the job stays queued
    and the sweeper hands it again when the broker is back."""
    from .tasks import run_export_job  # noqa: PLC0415 - reports.tasks imports this module

    try:
        run_export_job.apply_async((job_id,))
    except (OperationalError, OSError) as exc:
        logger.warning("export job %s recorded but not handed to a worker: %s", job_id, exc)
        return False
    ExportJob.objects.filter(pk=job_id, state=ExportJobState.QUEUED).update(enqueued_at=timezone.now())
    return True


def sweep_export_jobs(now=None) -> int:
    """Hand again to a worker the jobs queued and not picked up, and those whose worker died
    (running without a heartbeat for STALE_AFTER). Returns how many were handed again."""
    now = now or timezone.now()
    stale, forgotten = now - STALE_AFTER, now - QUEUED_GRACE
    died = Q(state=ExportJobState.RUNNING) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)
    )
    waiting = Q(state=ExportJobState.QUEUED) & (
        Q(enqueued_at__lt=forgotten) | Q(enqueued_at__isnull=True, created_at__lt=forgotten)
    )
    handed = 0
    for pk in ExportJob.objects.filter(died | waiting).values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            job = ExportJob.objects.select_for_update(skip_locked=True).filter(died | waiting, pk=pk).first()
            if job is None:
                continue
            if job.state == ExportJobState.RUNNING:
                if job.attempts >= MAX_ATTEMPTS:
                    _fail_now(
                        job,
                        _(
                            "The export was interrupted %(count)s times before it could be completed. "
                            "Please ask for it again, or export fewer rows."
                        )
                        % {"count": job.attempts},
                    )
                    continue
                job.state = ExportJobState.QUEUED
                job.run_token = ""
                job.save(update_fields=["state", "run_token"])
        if enqueue(pk):
            handed += 1
    return handed


# -- running -----------------------------------------------------------------------------------


def _claim(job_id: int, token: str) -> ExportJob | None:
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        if job.state == ExportJobState.RUNNING:
            last_sign = job.heartbeat_at or job.started_at
            if last_sign and last_sign >= now - STALE_AFTER:
                return None  # running elsewhere: never twice at once
        elif job.state != ExportJobState.QUEUED:
            return None  # done or failed already
        job.state = ExportJobState.RUNNING
        job.run_token = token
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.progress = job.rows_written = 0
        job.error = ""
        job.save(
            update_fields=[
                "state",
                "run_token",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "rows_written",
                "error",
            ]
        )
    return job


def _mine(job: ExportJob, token: str):
    return ExportJob.objects.filter(pk=job.pk, run_token=token, state=ExportJobState.RUNNING)


class _Progress:
    """Counts the rows as they stream to the writer and saves the count now and then."""

    def __init__(self, job: ExportJob, token: str, total: int | None):
        self.job, self.token, self.total = job, token, total
        self.written = 0
        self.saved_at = time.monotonic()

    def watched(self, rows):
        """``rows`` counted as they are written (a values-path export keeps its converters)."""
        if isinstance(rows, ConvertedRows):
            return ConvertedRows(self.rows(rows.rows), rows.converters)
        return self.rows(rows)

    def rows(self, rows: Iterable):
        for row in rows:
            yield row
            self.written += 1
            if self.written % PROGRESS_EVERY == 0 and time.monotonic() - self.saved_at >= PROGRESS_SECONDS:
                self.save()

    def percent(self) -> int:
        if not self.total:
            return 0
        return min(99, self.written * 100 // self.total)

    def save(self):
        self.saved_at = time.monotonic()
        updated = _mine(self.job, self.token).update(
            rows_written=self.written, progress=self.percent(), heartbeat_at=timezone.now()
        )
        if not updated:
            raise JobTakenOver


def _rows_known(rows) -> int | None:
    if isinstance(rows, list | tuple):
        return len(rows)
    if isinstance(rows, QuerySet):
        return rows.count()
    return None


def _sheets_for(job: ExportJob):
    """[(SheetSpec, rows)] and the number of rows to write (None if unknown)."""
    if job.kind == ExportJobKind.WORKBOOK:
        definition = workbook(job.key)
        if definition is None:
            raise ExportRefused(_("This statistics workbook is no longer offered."))
        user = get_user_model().objects.get(pk=job.user_id)
        sheets = list(definition.builder(user, job.params or {}))
        counts = [_rows_known(rows) for _spec, rows in sheets]
        return sheets, None if None in counts else sum(counts)
    definition = list_definition(job.key)
    if definition is None or not job.query:
        raise ExportRefused(_("This list can no longer be exported."))
    queryset = thaw_queryset(job.model_label, job.query)
    total = queryset.count()
    return definition.sheets(queryset), total


def _file_names(job: ExportJob) -> tuple[str, Path]:
    """The storage name of the finished file, and the path it is written to first."""
    name = f"{EXPORT_FOLDER}/{timezone.localtime():%Y/%m}/{job.pk}-{secrets.token_hex(8)}.xlsx"
    storage = job.file.storage
    try:
        final = Path(storage.path(name))
    except NotImplementedError:  # a storage without local paths: write locally, then save
        final = Path(settings.MEDIA_ROOT) / name
    return name, final


def _publish(job: ExportJob, name: str, final: Path) -> str:
    """Make the complete file visible under its final name (a rename on the same disk)."""
    partial_path = final.with_name(final.name + ".part")
    storage = job.file.storage
    try:
        storage.path(name)
    except NotImplementedError:
        with partial_path.open("rb") as fp:
            name = storage.save(name, File(fp))
        partial_path.unlink()
        return name
    os.replace(partial_path, final)
    return name


def run_export_job(job_id: int) -> str:
    """Run one job (the Celery task's body). Returns the state it left the job in, or
    "skipped" when the job was not this worker's to run."""
    token = secrets.token_hex(8)
    job = _claim(job_id, token)
    if job is None:
        return "skipped"
    partial_path = None
    try:
        refusal = lost_access(job)
        if refusal:
            raise ExportRefused(refusal)
        sheets, total = _sheets_for(job)
        progress = _Progress(job, token, total)
        _mine(job, token).update(rows_total=total, heartbeat_at=timezone.now())
        name, final = _file_names(job)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial_path = final.with_name(final.name + ".part")
        with partial_path.open("wb") as fp:
            write_workbook(fp, [(spec, progress.watched(rows)) for spec, rows in sheets])
        name = _publish(job, name, final)
        partial_path = None
        now = timezone.now()
        finished = _mine(job, token).update(
            state=ExportJobState.DONE,
            file=name,
            filename=content_disposition_filename(f"{job.filename}-{timezone.localtime():%Y%m%d-%H%M}"),
            progress=100,
            rows_written=progress.written,
            rows_total=progress.written,
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
        )
        if not finished:
            job.file.storage.delete(name)
            return "skipped"
        return ExportJobState.DONE
    except JobTakenOver:
        return "skipped"
    except ExportRefused as refused:
        return _fail(job, token, str(refused))
    except PermissionDenied as refused:  # a workbook's region no longer within the person's scope
        return _fail(job, token, str(refused) or _("You no longer have access to these figures."))
    except ValidationError as refused:
        return _fail(job, token, " ".join(refused.messages))
    except Exception:
        logger.exception("export job %s failed", job_id)
        return _fail(
            job,
            token,
            _(
                "The export could not be produced because of an error on the server. Please ask "
                "for it again; if it fails again, tell the platform's administrator."
            ),
        )
    finally:
        if partial_path is not None:
            with contextlib.suppress(FileNotFoundError):
                partial_path.unlink()


def _fail(job: ExportJob, token: str, message: str) -> str:
    now = timezone.now()
    _mine(job, token).update(
        state=ExportJobState.FAILED,
        error=message,
        finished_at=now,
        heartbeat_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    return ExportJobState.FAILED


def _fail_now(job: ExportJob, message: str) -> None:
    now = timezone.now()
    job.state = ExportJobState.FAILED
    job.error = message
    job.finished_at = now
    job.expires_at = now + timedelta(days=settings.EXPORT_RETENTION_DAYS)
    job.save(update_fields=["state", "error", "finished_at", "expires_at"])


# -- expiry ------------------------------------------------------------------------------------


def purge_expired_exports(now=None) -> int:
    """Delete the files of the jobs past their expiry (and the jobs FORGET_AFTER later), and the
    partial files a dead worker left behind. Returns the number of files deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = ExportJob.objects.filter(expires_at__lt=now).exclude(file="")
    for job in expired.only("pk", "file").iterator():
        job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        deleted += 1
    ExportJob.objects.filter(expires_at__lt=now - FORGET_AFTER).delete()
    folder = Path(settings.MEDIA_ROOT) / EXPORT_FOLDER
    if folder.is_dir():
        cutoff = (now - timedelta(days=1)).timestamp()
        for leftover in folder.rglob("*.part"):
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    deleted += 1
    return deleted

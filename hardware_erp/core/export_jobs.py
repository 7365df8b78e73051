"""Background list exports: a list too long to export inside the request becomes an `ExportJob`, written by a
worker on the `io` queue, offered on its page (progress polled by htmx) and by a notification, then deleted.

    job = start_export(user=..., path="/crm/customers/", query="level=a&sort=name", fmt="csv",
                       filename="customers.csv", rows_total=104211, actor=user)   # in the request
    run_export(job.pk)                                                             # in the worker

The worker asks the list page itself for its table, as the user who asked and in their language (the page's
own permission checks, `for_user` scoping, filters and sort apply again), and streams the rows that
`hardware_erp.core.exports.table_rows` gives to a file through `write_export`: the same cells, neutralised the
same way, as the synchronous export of the same list.
"""

import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, transaction
from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import db_routing
from .exports import export_title, table_rows, write_export
from .models import ExportJob
from .outbox import enqueue_after_commit

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2000  # rows between two progress updates


def export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def start_export(*, user, path: str, query: str, fmt: str, filename: str, rows_total=None, actor) -> ExportJob:
    """Queue the export of the list page at `path` with the filters and sort in `query` (without `_export`)."""
    if actor.pk != user.pk:
        raise PermissionDenied("an export is asked for by its own user")
    job = ExportJob.objects.create(user=user, path=path[:300], query=query[:2000], fmt=fmt, filename=filename[:200],
                                   rows_total=rows_total, language=translation.get_language() or "")
    enqueue_after_commit("core.run_export_task", job.pk)
    return job


def list_table(job: ExportJob):
    """(table, excluded columns) the list page at `job.path` shows `job.user` for `job.query` (all rows, in the
    page's order). PermissionDenied when the user may no longer open or export the list."""
    match = resolve(job.path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.path
    request.GET = QueryDict(job.query, mutable=True)
    request.GET["_export"] = job.fmt
    request.user = job.user
    request.LANGUAGE_CODE = translation.get_language()
    request.htmx = False
    request.export_capture = captured = []
    match.func(request, *match.args, **match.kwargs)
    if not captured:
        raise PermissionDenied(f"{job.path} gave no table to export")
    return captured[0]


def run_export(job_id) -> ExportJob | None:
    """Write the job's file (again, if a worker died halfway: the task is acknowledged late)."""
    # the job and its user from the primary (a read replica may not have the row yet); the list's rows may come
    # from the replica (core.db_routing.READ_TASKS)
    job = ExportJob.objects.using("default").select_related("user").filter(pk=job_id).first()
    if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=timezone.now(),
                                               rows_done=0)
    target = export_dir() / f"{job.pk}-{uuid.uuid4().hex}.{job.fmt}"
    part = target.with_name(target.name + ".part")
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if not job.user.is_active:
                raise PermissionDenied("inactive user")
            table, exclude = list_table(job)
            rows = table_rows(table, exclude_columns=exclude)
            headers = next(rows)
            written = write_export(part, headers, rows, fmt=job.fmt, title=export_title(table), every=PROGRESS_EVERY,
                                   progress=lambda n: ExportJob.objects.filter(pk=job.pk).update(rows_done=n))
        os.replace(part, target)
    except Exception as exc:
        part.unlink(missing_ok=True)
        if db_routing.reading_replica() and isinstance(exc, (DatabaseError, InterfaceError)):
            raise  # the replica broke under the export: the task runs it again on the primary (hardware_erp.celery)
        log.exception("export %s of %s failed", job.pk, job.path)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"{type(exc).__name__}: {exc}"[:300])
        _tell(job, _("Your export %(name)s could not be written. Try again, or narrow the filters."), "danger")
        return ExportJob.objects.using("default").get(pk=job.pk)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=written, rows_total=written, file=target.name,
        size_bytes=target.stat().st_size, finished_at=now,
        expires_at=now + timezone.timedelta(hours=settings.EXPORT_KEEP_HOURS))
    _tell(job, _("Your export %(name)s is ready to download."), "success")
    log.info("export %s of %s: %d rows, %d bytes", job.pk, job.path, written, target.stat().st_size)
    return ExportJob.objects.using("default").get(pk=job.pk)


def _tell(job, message, level):
    from .services import lazy_format, notify

    notify(job.user, lazy_format(message, name=job.filename), job.get_absolute_url(), level=level,
           key=f"export:{job.pk}:{level}", email=False)


def file_path(job: ExportJob) -> Path | None:
    """The written file of a ready job, or None."""
    if not job.is_ready or not job.file:
        return None
    path = export_dir() / Path(job.file).name
    return path if path.is_file() else None


def prune_exports(now=None) -> int:
    """Delete the files of expired exports (and leftovers of failed ones); the jobs stay, marked expired."""
    now = now or timezone.now()
    pruned = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file:
            (export_dir() / Path(job.file).name).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        pruned += 1
    keep = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    day_ago = now.timestamp() - 86400
    for leftover in export_dir().iterdir():
        if leftover.name not in keep and leftover.stat().st_mtime < day_ago:
            leftover.unlink(missing_ok=True)
    return pruned

"""Governance services: changes of key data through approval, the security log, segregation of duties.

    submit_change(customer, {"credit_code": "9144…", "phone": "…"}, actor=rep, reason="new licence")
        -> the phone is saved at once; a pending ChangeRequest holds the credit code (or None when
           nothing needed approval, e.g. the actor may approve key data themselves).
    approve_change(cr, actor=manager, comment="ok")   # atomic; refuses stale and own requests
    reject_change(cr, actor=manager, comment="licence not valid")
"""

import contextlib
import json
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.services import lazy_format, notify

from . import keydata
from .models import BackupRun, ChangeRequest, ImportLog, SecurityEvent

log = logging.getLogger(__name__)
APPROVE_PERM = "governance.approve_changerequest"


# --- segregation of duties -------------------------------------------------------------------

def ensure_not_creator(obj, actor, *, field: str = "created_by", message=None) -> None:
    """Refuse when `actor` created `obj` (segregation of duties: who makes it does not approve it).

    `obj` is a record with a `<field>` user foreign key (created_by, requester, ...) or a user.
    Rules that approve automatically do not call this (they have no human actor).
    """
    User = get_user_model()
    if obj is None or actor is None:
        return
    creator_id = obj.pk if isinstance(obj, User) else getattr(obj, f"{field}_id", None)
    if creator_id is not None and creator_id == actor.pk:
        raise BusinessRuleError(message or _("You created this record, so someone else must approve it "
                                             "(segregation of duties)."))


# --- security log ------------------------------------------------------------------------------

def client_ip(request) -> str | None:
    """The client's address, behind the configured number of trusted proxies (hardware_erp/core/network.py)."""
    from hardware_erp.core.network import client_ip as address

    return address(request)


def log_event(kind, *, user=None, request=None, username="", **detail) -> SecurityEvent:
    """Append one row to the security log (never raises into the caller's request)."""
    if user is None and request is not None and getattr(request, "user", None) is not None \
            and request.user.is_authenticated:
        user = request.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return SecurityEvent.objects.create(
        kind=kind, user=user, username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        path=(request.get_full_path() if request is not None and hasattr(request, "get_full_path") else "")[:500],
        detail={k: v for k, v in detail.items() if v not in (None, "")},
    )


# --- change requests ---------------------------------------------------------------------------


def approvers_for(requester):
    """Who is told about a new request: the requester's manager when that person may approve,
    otherwise everyone who may approve key data (never the requester)."""
    User = get_user_model()
    manager = getattr(getattr(requester, "employee", None), "manager", None)
    if manager is not None and manager.is_active and manager.pk != requester.pk and manager.has_perm(APPROVE_PERM):
        return [manager]
    app_label, codename = APPROVE_PERM.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if perm is None:
        return []
    return list(User.objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True),
                                     is_active=True).exclude(pk=requester.pk).distinct())


def hold_key_values_on_create(model, data: dict, *, actor) -> tuple[dict, dict]:
    """Split the values of a record about to be created into (save now, hold for approval).

    Someone who may approve key data saves everything at once. Anyone else creates the record with the safe
    default of each key value in `keydata.CREATE_DEFAULTS` (a new customer: no credit, cash terms); a
    different value entered is returned in the second dict, for `submit_change(record, held, actor=actor)`
    once the record is saved, so a new record's key data waits for a reviewer exactly as an edit would.
    """
    now = dict(data)
    if actor is not None and actor.has_perm(APPROVE_PERM):
        return now, {}
    held = {}
    for name, safe in keydata.create_defaults_for(model).items():
        if name not in now:
            continue
        field = model._meta.get_field(name)
        if now[name] is None or keydata.field_json(field, now[name]) == keydata.field_json(field, safe):
            continue
        held[name] = now[name]
        now[name] = safe
    return now, held


def held_on_create_message(cr) -> str:
    """What the page says after creating a record whose key values wait for approval."""
    fields = ", ".join(d["label"] for d in cr.diff())
    return _("%(record)s was created; %(fields)s wait for a reviewer's approval and apply once approved.") % {
        "record": cr.object_repr, "fields": fields}


@transaction.atomic
def submit_change(instance, changes: dict, *, actor, reason: str = "") -> ChangeRequest | None:
    """Save `changes` ({field name: new value}) of an existing record.

    Fields that are not key data are saved at once. Key fields (see `keydata.KEY_FIELDS`) are saved at
    once too when the actor may approve key data; otherwise they are kept in a new pending
    ChangeRequest, which is returned, and the record keeps its old values. The record is read again
    from the database (locked), so an instance a ModelForm already modified in memory is fine; the
    passed instance is refreshed afterwards and shows what is really stored.
    """
    if instance.pk is None:
        raise ValueError("submit_change() changes saved records; create new ones with the app's service")
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    key_names = set(keydata.key_fields_for(model))
    immediate, queued = {}, {}
    for name, value in changes.items():
        field = model._meta.get_field(name)  # FieldDoesNotExist for a typo: a programming error
        if not field.concrete or field.many_to_many:
            raise ValueError(f"{name} cannot be changed through submit_change()")
        old = keydata.current_json(current, name)
        new = keydata.field_json(field, value)
        if old == new:
            continue
        if name in key_names and not actor.has_perm(APPROVE_PERM):
            queued[name] = {"old": old, "new": new}
        else:
            immediate[name] = value
    if queued:
        _validate(current, model, queued)
    base = keydata.fingerprint(current)
    if immediate:
        for name, value in immediate.items():
            field = model._meta.get_field(name)
            setattr(current, field.attname, value.pk if hasattr(value, "_meta") else value)
        current._history_user = actor
        current.save()
    cr = None
    if queued:
        cr = ChangeRequest.objects.create(
            content_type=ContentType.objects.get_for_model(model), object_id=current.pk,
            object_repr=str(current)[:200], field_names=",".join(queued)[:500],
            changes_data=json.dumps(queued, ensure_ascii=False), base_fingerprint=base,
            requester=actor, reason=reason)
        link = cr.get_absolute_url()
        notify(approvers_for(actor), lazy_format(_("%(user)s asks to change key data of %(record)s"),
                                                 user=actor.get_full_name() or actor.get_username(),
                                                 record=cr.object_repr),
            link, level="warning", key=f"changerequest:{cr.pk}:submitted")
        log_event(SecurityEvent.Kind.CHANGE_REQUESTED, user=actor, change_request=cr.pk,
                  record=f"{keydata._label(model)}#{current.pk}", fields=cr.field_names)
    instance.refresh_from_db()
    return cr


def _validate(current, model, queued):
    """Check the requested key values against the fields' own validation before queueing them."""
    errors = {}
    for name, pair in queued.items():
        field = model._meta.get_field(name)
        try:
            field.clean(keydata.python_value(field, pair["new"]), current)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise BusinessRuleError(errors)


def _record_link(cr) -> str:
    """Where the requester reads the outcome: the record's own page (requesters seldom open governance)."""
    record = cr.record
    url = getattr(record, "get_absolute_url", None)
    try:
        return url() if url else ""
    except Exception:  # a model whose URL needs more than itself
        return ""


def _lock(cr) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().select_related("content_type", "requester").get(pk=cr.pk)


def _check_reviewer(cr, actor):
    if not actor.has_perm(APPROVE_PERM):
        raise BusinessRuleError(_("You may not approve or reject changes of key data."))
    if not cr.is_pending:
        raise BusinessRuleError(_("This change request was already %(status)s.") % {
            "status": cr.get_status_display().lower()})
    ensure_not_creator(cr, actor, field="requester",
                       message=_("You cannot approve or reject your own change request (segregation of duties)."))


@transaction.atomic
def approve_change(cr: ChangeRequest, *, actor, comment: str = "") -> ChangeRequest:
    """Apply a pending change request to its record, atomically. Refuses a stale request (the record's
    key data changed since it was made), a deleted record and the requester's own approval."""
    cr = _lock(cr)
    _check_reviewer(cr, actor)
    model = cr.content_type.model_class()
    record = model._default_manager.select_for_update().filter(pk=cr.object_id).first() if model else None
    if record is None:
        raise BusinessRuleError(_("The record of this change request no longer exists; reject the request."))
    if keydata.fingerprint(record) != cr.base_fingerprint:
        raise BusinessRuleError(_("The key data of %(record)s changed after this request was made, so it cannot "
                                  "be approved as it is. Reject it and ask for a new request.")
                                % {"record": cr.object_repr})
    for name, pair in cr.changes.items():
        field = model._meta.get_field(name)
        setattr(record, field.attname, keydata.python_value(field, pair["new"]))
    record._history_user = actor
    record._change_reason = f"change request #{cr.pk}"
    record.save()
    cr.status = ChangeRequest.Status.APPROVED
    cr.reviewer, cr.reviewed_at, cr.comment = actor, timezone.now(), comment
    cr.save(update_fields=["status", "reviewer", "reviewed_at", "comment"])
    log_event(SecurityEvent.Kind.CHANGE_APPROVED, user=actor, change_request=cr.pk,
              record=f"{model._meta.label_lower}#{cr.object_id}", fields=cr.field_names)
    notify(cr.requester, lazy_format(_("Your change of %(record)s was approved."), record=cr.object_repr),
           _record_link(cr), level="success", key=f"changerequest:{cr.pk}:decided")
    return cr


@transaction.atomic
def reject_change(cr: ChangeRequest, *, actor, comment: str = "") -> ChangeRequest:
    """Close a pending request without changing the record; the requester is told why."""
    cr = _lock(cr)
    _check_reviewer(cr, actor)
    cr.status = ChangeRequest.Status.REJECTED
    cr.reviewer, cr.reviewed_at, cr.comment = actor, timezone.now(), comment
    cr.save(update_fields=["status", "reviewer", "reviewed_at", "comment"])
    log_event(SecurityEvent.Kind.CHANGE_REJECTED, user=actor, change_request=cr.pk,
              record=f"{cr.model_label}#{cr.object_id}", fields=cr.field_names, comment=comment[:200])
    notify(cr.requester, lazy_format(_("Your change of %(record)s was rejected: %(comment)s"), record=cr.object_repr,
                                     comment=comment or "—"), _record_link(cr), level="warning",
        key=f"changerequest:{cr.pk}:decided")
    return cr


def decide_many(requests, *, actor, approve: bool, comment: str = "") -> tuple[list, list]:
    """Approve or reject several requests, each in its own transaction: (done, [(cr, message)])."""
    done, failed = [], []
    for cr in requests:
        try:
            done.append((approve_change if approve else reject_change)(cr, actor=actor, comment=comment))
        except BusinessRuleError as exc:
            failed.append((cr, " ".join(exc.messages)))
    return done, failed


# --- backups: runs recorded for the IT page; failures notify IT ------------------------------------------------

def _it_staff():
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="governance", codename="view_backuprun").first()
    if perm is None:
        return []
    User = get_user_model()
    return list(User.objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True)
                .distinct())


def _failed(run, message):
    run.ok, run.error, run.finished_at = False, message, timezone.now()
    run.save()
    notify(_it_staff(), lazy_format(_("%(kind)s failed: %(error)s"), kind=BackupRun.Kind(run.kind).label,
                                      error=message[:300]),
           "/governance/backups/", level="danger", key=f"backuprun:{run.pk}:failed")
    log_event(SecurityEvent.Kind.BACKUP, run=run.pk, what=run.kind, ok=False, error=message[:200])
    log.error("%s failed: %s", run.kind, message)


INTERRUPTED = "interrupted: the process running it stopped (killed or restarted) before it finished"


def close_interrupted_runs() -> list[BackupRun]:
    """Runs still open (no finish time) long after they started were killed mid-run (a restart, the OOM killer, a
    deploy): each is marked failed with that reason and IT is told, instead of staying 'running' with no reason.
    Called when the next backup or verification starts."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = timezone.now() - timedelta(hours=settings.BACKUP_STALE_HOURS)
    closed = []
    for run in BackupRun.objects.filter(finished_at__isnull=True, started_at__lt=cutoff).order_by("pk"):
        run.detail = {**(run.detail or {}), "reason": "interrupted"}
        _failed(run, INTERRUPTED)
        closed.append(run)
    return closed


def record_backup(*, directory=None, retention=True) -> BackupRun:
    """Make a backup and record it (the nightly task calls this); IT is notified when it fails."""
    from . import backup

    close_interrupted_runs()
    run = BackupRun.objects.create(kind=BackupRun.Kind.BACKUP)
    try:
        result = backup.create_backup(directory, run_id=run.pk)
        deleted = backup.apply_retention(directory) if retention else []
    except Exception as exc:  # every failure must reach IT, whatever raised it
        _failed(run, str(exc) or type(exc).__name__)
        return run
    m = result.manifest
    run.ok, run.finished_at, run.file_name = True, timezone.now(), result.path.name
    run.size_bytes, run.checksum = result.path.stat().st_size, m["payload_sha256"]
    run.detail = {"tables": len(m["row_counts"]), "rows": sum(m["row_counts"].values()),
                  "database_bytes": m["database_bytes"], "media_bytes": m["media_bytes"],
                  "deleted_by_retention": [p.name for p in deleted], "app_version": m["app_version"]}
    run.save()
    log_event(SecurityEvent.Kind.BACKUP, run=run.pk, what="backup", ok=True, file=run.file_name)
    return run


def record_verification(path=None) -> BackupRun:
    """Restore the newest backup (or `path`) into a scratch database and compare row counts; recorded."""
    from . import backup

    close_interrupted_runs()
    run = BackupRun.objects.create(kind=BackupRun.Kind.VERIFY)
    try:
        if path is None:
            files = backup.backup_files()
            if not files:
                raise backup.BackupError("there is no backup to verify")
            path = files[0]
        run.file_name = path.name
        result = backup.verify_backup(path)
    except Exception as exc:
        _failed(run, str(exc) or type(exc).__name__)
        return run
    run.detail = result
    run.finished_at = timezone.now()
    if not result["ok"]:
        _failed(run, "row counts differ: " + ", ".join(f"{t} {e}→{f}" for t, (e, f) in
                                                       list(result["differences"].items())[:10]))
        return run
    run.ok = True
    run.save()
    return run


def _manifest_time(manifest):
    from datetime import datetime

    try:
        return datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        return timezone.now()


def _record_known_backup(runs, path, manifest, run_id=None):
    """Make the restored database know a backup file as the successful backup it is."""
    facts = {"ok": True, "finished_at": _manifest_time(manifest), "file_name": path.name, "error": "",
             "size_bytes": path.stat().st_size if path.exists() else None,
             "checksum": manifest.get("payload_sha256", "")}
    row = runs.filter(kind=BackupRun.Kind.BACKUP, pk=run_id).first() if run_id else None
    row = row or runs.filter(kind=BackupRun.Kind.BACKUP, file_name=path.name).first()
    if row is None:
        return runs.create(kind=BackupRun.Kind.BACKUP, started_at=_manifest_time(manifest),
                           detail={"rows": sum(manifest.get("row_counts", {}).values()),
                                   "tables": len(manifest.get("row_counts", {})),
                                   "app_version": manifest.get("app_version", "")}, **facts)
    if not row.ok or not row.file_name:
        for name, value in facts.items():
            setattr(row, name, value)
        row.save(update_fields=list(facts))
    return row


def record_restore(path, manifest, *, found_counts=None, media_files=0, using=None) -> BackupRun:
    """After `manage.py restore` wrote a backup into a database (`using`, default the configured one), tell that
    database what happened, so the backups page and the status page are right at once:

    - the restored backup's own run was still "in progress" when it was dumped: it is marked done from the
      manifest (file, size, checksum), so "Last backup" is not "never" and the file does not show ✘;
    - backup files in BACKUP_DIR newer than the restored database knows of are recorded too;
    - the restore compared every table's row count with the manifest: recorded as a verification of that file;
    - a Restore run and a security-log event (who ran it on this machine, which file, made when).
    """
    import getpass
    from pathlib import Path

    from django.db import DEFAULT_DB_ALIAS

    from . import backup

    using = using or DEFAULT_DB_ALIAS
    path = Path(path)
    # the file's own manifest line carries the payload checksum that the unpacked manifest has not
    with contextlib.suppress(OSError, backup.BackupError):
        manifest = {**manifest, **backup.read_manifest(path)}
    runs = BackupRun.objects.using(using)
    now = timezone.now()
    with transaction.atomic(using=using):
        _record_known_backup(runs, path, manifest, manifest.get("run_id"))
        try:
            others = [p for p in backup.backup_files() if p.name != path.name]
        except OSError:
            others = []
        for other in others:
            if not runs.filter(kind=BackupRun.Kind.BACKUP, file_name=other.name).exists():
                try:
                    _record_known_backup(runs, other, backup.read_manifest(other))
                except backup.BackupError:
                    continue
        detail = {"backup_made": manifest.get("created_at", ""), "media_files": media_files}
        if found_counts is not None:
            expected = manifest.get("row_counts", {})
            differences = {t: [expected.get(t), found_counts.get(t)] for t in sorted(set(expected) | set(found_counts))
                           if expected.get(t) != found_counts.get(t)}
            runs.create(kind=BackupRun.Kind.VERIFY, started_at=now, finished_at=now, ok=not differences,
                        file_name=path.name, error="" if not differences else "row counts differ after restore",
                        detail={"ok": not differences, "tables": len(expected), "rows": sum(expected.values()),
                                "differences": differences, "by_restore": True})
        run = runs.create(kind=BackupRun.Kind.RESTORE, started_at=now, finished_at=timezone.now(), ok=True,
                          file_name=path.name, detail=detail)
        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):
            os_user = ""
        SecurityEvent.objects.using(using).create(
            kind=SecurityEvent.Kind.RESTORE, username=os_user[:150],
            detail={k: v for k, v in {"run": run.pk, "what": "restore", "file": path.name,
                                      "backup_made": manifest.get("created_at", ""), "os_user": os_user}.items()
                    if v not in (None, "")})
    return run


def record_import(*, actor, model_label: str, total_rows: int, error_rows: int, file_name: str = "") -> ImportLog:
    """Apps call this after a spreadsheet import (django-import-export) so error rates per person are known."""
    return ImportLog.objects.create(user=actor, model_label=model_label, file_name=file_name[:255],
                                    total_rows=total_rows, error_rows=error_rows)

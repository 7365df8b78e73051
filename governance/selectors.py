"""Read-side functions of governance: backup status (support's status page) and KPI evidence (performance)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from . import quality
from .models import AgreementAcceptance, AgreementVersion, BackupRun, ChangeRequest

BACKUP_MAX_AGE = timedelta(hours=26)
VERIFY_MAX_AGE = timedelta(days=8)
CORRECTION_WINDOW = timedelta(days=30)
BUSINESS_APPS = ("crm", "inventory", "orders")


def backup_status() -> dict:
    """{"last_backup_at", "size_bytes", "last_verified_at", "verify_ok", "ok"}: ok when a backup succeeded within
    26 hours and the latest verification (within 8 days) passed."""
    last = BackupRun.objects.filter(kind=BackupRun.Kind.BACKUP, ok=True).order_by("-started_at").first()
    verify = BackupRun.objects.filter(kind=BackupRun.Kind.VERIFY).exclude(finished_at=None) \
        .order_by("-started_at").first()
    now = timezone.now()
    fresh = last is not None and now - last.started_at <= BACKUP_MAX_AGE
    verified = verify is not None and verify.ok and now - verify.started_at <= VERIFY_MAX_AGE
    return {"last_backup_at": last.started_at if last else None, "size_bytes": last.size_bytes if last else None,
            "last_verified_at": verify.started_at if verify else None,
            "verify_ok": verify.ok if verify else None, "ok": bool(fresh and verified)}


def _when(dt) -> str:
    return f"{timezone.localtime(dt):%m-%d %H:%M}" if dt else ""


def kpi_change_requests_rejected(user, start, end) -> list[dict]:
    """The user's change requests decided in [start, end): ok when approved."""
    out = []
    qs = quality.decided_change_requests(start, end).filter(requester=user).select_related("reviewer", "content_type")
    for cr in qs.order_by("reviewed_at", "pk"):
        out.append({"model": "governance.changerequest", "id": cr.pk,
                    "label": _("Change of %(record)s") % {"record": cr.object_repr}, "url": cr.get_absolute_url(),
                    "ok": cr.status == ChangeRequest.Status.APPROVED, "value": None,
                    "detail": f"{cr.get_status_display()} {_when(cr.reviewed_at)}"
                              + (f": {cr.comment}" if cr.comment else "")})
    return out


def kpi_import_errors(user, start, end) -> list[dict]:
    """The user's imports in [start, end): value = share of rows refused in per cent (the KPI's unit: its
    target is "at most 2 %"); ok when none was refused."""
    out = []
    url = reverse("governance:data_quality_list", args=["imports"]) + "?" + urlencode({
        "person": user.pk, "start": f"{timezone.localtime(start):%Y-%m-%d}",
        "end": f"{timezone.localtime(end) - timedelta(microseconds=1):%Y-%m-%d}"})
    for imp in quality.imports(start, end).filter(user=user).order_by("created_at"):
        rate = (Decimal(100 * imp.error_rows) / imp.total_rows) if imp.total_rows else Decimal(0)
        out.append({"model": "governance.importlog", "id": imp.pk, "label": f"{imp.model_label} {imp.file_name}",
                    "url": url, "ok": imp.error_rows == 0, "value": rate.quantize(Decimal("0.01"), ROUND_HALF_UP),
                    "detail": _("%(errors)s of %(rows)s rows refused") % {"errors": imp.error_rows,
                                                                          "rows": imp.total_rows}})
    return out


def _history_models():
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges) and model._meta.app_label in BUSINESS_APPS:
            yield model


def kpi_records_not_corrected(user, start, end) -> list[dict]:
    """Business records the user created in [start, end): ok when nobody else changed them within 30 days."""
    out = []
    for hist in _history_models():
        pk_name = hist.instance_type._meta.pk.attname
        created = list(hist.objects.filter(history_type="+", history_user=user, history_date__gte=start,
                                           history_date__lt=end).values(pk_name, "history_date"))
        if not created:
            continue
        ids = [row[pk_name] for row in created]
        changes = {}
        for row in hist.objects.filter(history_type="~", **{f"{pk_name}__in": ids}).exclude(history_user=user) \
                .exclude(history_user=None).values(pk_name, "history_date"):
            changes.setdefault(row[pk_name], []).append(row["history_date"])
        label = hist.instance_type._meta.verbose_name
        for row in created:
            when = row["history_date"]
            corrected = [d for d in changes.get(row[pk_name], []) if when < d <= when + CORRECTION_WINDOW]
            out.append({"model": hist.instance_type._meta.label_lower, "id": row[pk_name],
                        "label": f"{label} #{row[pk_name]}", "url": "", "ok": not corrected, "value": None,
                        "detail": (_("corrected by someone else on %(date)s") % {"date": f"{corrected[0]:%m-%d}"})
                        if corrected else _("not corrected")})
    return out


def agreement_status(limit: int = 30) -> dict:
    """{"version", "accepted", "pending", "pending_users"}: the current confidentiality agreement and the active
    users who have not accepted it yet (the first `limit`, by user name)."""
    from django.contrib.auth import get_user_model

    version = AgreementVersion.objects.current()
    if version is None:
        return {"version": None, "accepted": 0, "pending": 0, "pending_users": []}
    users = get_user_model().objects.filter(is_active=True)
    pending = users.exclude(pk__in=AgreementAcceptance.objects.filter(version=version).values("user_id"))
    return {"version": version, "accepted": AgreementAcceptance.objects.filter(version=version).count(),
            "pending": pending.count(), "pending_users": list(pending.order_by("username")[:limit])}

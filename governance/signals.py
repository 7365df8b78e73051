"""Security log receivers (sign-in, sign-out, failed sign-in, lock-out, exports) and the guard that keeps
field history (django-simple-history's tables) append-only."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalChanges

from hardware_erp.core.signals import data_exported

from . import accounts
from .models import SecurityEvent
from .services import log_event


@receiver(user_logged_in, dispatch_uid="governance_login")
def on_login(sender, request, user, **kwargs):
    log_event(SecurityEvent.Kind.LOGIN, user=user, request=request)
    if getattr(request, "session", None) is not None:
        accounts.prepare_session(request, user)


@receiver(user_logged_out, dispatch_uid="governance_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event(SecurityEvent.Kind.LOGOUT, user=user, request=request)
    session = getattr(request, "session", None)
    if session is not None:
        accounts.forget_session(session.session_key)


@receiver(user_login_failed, dispatch_uid="governance_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event(SecurityEvent.Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out, dispatch_uid="governance_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    log_event(SecurityEvent.Kind.LOCKED_OUT, request=request, username=str(username or "")[:150])


@receiver(data_exported, dispatch_uid="governance_export")
def on_export(sender, request, model, rows=None, format="", **kwargs):
    log_event(SecurityEvent.Kind.EXPORT, request=request, model=model._meta.label_lower if model else "",
              rows=rows, format=format)


@receiver(pre_save, dispatch_uid="governance_history_append_only_save")
def history_rows_are_not_changed(sender, instance, raw=False, **kwargs):
    if isinstance(instance, HistoricalChanges) and not instance._state.adding and not raw:
        raise PermissionDenied("history rows are append-only")


@receiver(pre_delete, dispatch_uid="governance_history_append_only_delete")
def history_rows_are_not_deleted(sender, instance, **kwargs):
    if isinstance(instance, HistoricalChanges):
        raise PermissionDenied("history rows are append-only")

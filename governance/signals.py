"""Security log receivers (sign-in, sign-out, failed sign-in, lock-out, exports) and the guard that keeps
field history (django-simple-history's tables) append-only."""

import json

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalChanges, HistoricalRecords

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


# --- role and permission grants, wherever they happen (account pages, admin, shell, sync) ------------------------

def current_request():
    """The request being served, if any (django-simple-history's middleware keeps it for the history rows)."""
    return getattr(HistoricalRecords.context, "request", None)


def _group_names(pks):
    return dict(Group.objects.filter(pk__in=pks).values_list("pk", "name"))


def _perm_names(pks):
    return {p.pk: f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.filter(pk__in=pks).select_related("content_type")}


def _log_membership(kind, users_and_items, field):
    request = current_request()
    for username, item in users_and_items:
        log_event(kind, request=request, **{"target": username, field: item})


def _on_m2m(instance, action, reverse, model, pk_set, *, names, granted, revoked, field):
    User = get_user_model()
    if action == "pre_clear":
        # remember what a clear() removes: post_clear is not told
        instance._governance_cleared = (set(instance.groups.values_list("pk", flat=True)) if field == "role" else
                                        set(instance.user_permissions.values_list("pk", flat=True))) \
            if not reverse else set(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    kind = granted if action == "post_add" else revoked
    pks = getattr(instance, "_governance_cleared", set()) if action == "post_clear" else (pk_set or set())
    if not pks:
        return
    if not reverse:  # user.groups.add(group, ...)
        labels = names(pks)
        pairs = [(instance.get_username(), labels.get(pk, pk)) for pk in sorted(pks)]
    else:  # group.user_set.add(user, ...)
        label = instance.name if field == "role" else f"{instance.content_type.app_label}.{instance.codename}"
        users = dict(User.objects.filter(pk__in=pks).values_list("pk", "username"))
        pairs = [(users.get(pk, pk), label) for pk in sorted(pks)]
    _log_membership(kind, pairs, field)


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="governance_user_groups")
def on_user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Every role (group) given to or taken from a user is in the security log."""
    _on_m2m(instance, action, reverse, model, pk_set, names=_group_names, granted=SecurityEvent.Kind.ROLE_GRANTED,
            revoked=SecurityEvent.Kind.ROLE_REVOKED, field="role")


@receiver(m2m_changed, sender=get_user_model().user_permissions.through, dispatch_uid="governance_user_perms")
def on_user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Every permission given to or taken from a user directly is in the security log."""
    _on_m2m(instance, action, reverse, model, pk_set, names=_perm_names,
            granted=SecurityEvent.Kind.PERMISSION_GRANTED, revoked=SecurityEvent.Kind.PERMISSION_REVOKED, field="perm")


ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _change_fields(entry) -> list:
    """The fields an admin change touched, as the admin's structured change message keeps them (their labels
    untranslated, as codes), never the sentence it renders in the editor's language."""
    try:
        parts = json.loads(entry.change_message or "[]")
    except ValueError:
        return []
    return sorted({f for part in parts if isinstance(part, dict) for v in part.values() if isinstance(v, dict)
                   for f in v.get("fields", [])})[:30]


@receiver(post_save, sender=LogEntry, dispatch_uid="governance_admin_change")
def on_admin_change(sender, instance, created, raw=False, **kwargs):
    """Every add, change and delete made in the Django admin (superusers' included) is in the security log."""
    if not created or raw:
        return
    ct = instance.content_type
    log_event(SecurityEvent.Kind.ADMIN_CHANGE, user=instance.user, request=current_request(),
              action=ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
              model=f"{ct.app_label}.{ct.model}" if ct else "", object=instance.object_repr[:200],
              object_id=str(instance.object_id or ""), change=_change_fields(instance))

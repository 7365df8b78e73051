"""Account security services: the confidentiality agreement, two-factor sign-in and the user's sessions.

    publish_agreement(version, actor=gm)              # everyone is asked to accept it at their next request
    accept_agreement(user, version, request=request)  # records user, version, time, IP and browser
    needs_agreement(request) -> AgreementVersion | None
    otp_required(user) -> bool                        # OTP_ENFORCE and a manager or IT role
    track_session(request) / other_sessions(request) / end_sessions(request, keys)

`governance.middleware.AccountGateMiddleware` applies them to every request.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.cache import forget, get_or_load
from hardware_erp.core.errors import BusinessRuleError

from .models import AgreementAcceptance, AgreementVersion, SecurityEvent, UserSession
from .services import client_ip, log_event

CURRENT_AGREEMENT_CACHE_KEY = "governance:agreement:current"
CURRENT_AGREEMENT_CACHE_SECONDS = 60  # other processes see a newly published version within a minute
AGREEMENT_SESSION_KEY = "governance_agreement_ok"  # pk of the version this session's user has accepted
OTP_STATE_SESSION_KEY = "governance_otp"  # "ok", "verify" (has a device) or "enrol" (must set one up)
SEEN_SESSION_KEY = "governance_seen"  # when this session's UserSession row was last refreshed (epoch seconds)
SEEN_EVERY_SECONDS = 60


# --- confidentiality agreement -------------------------------------------------------------------------------

def current_agreement_id() -> int:
    """Primary key of the current published version, 0 when none is published (cached for a minute)."""
    def load():
        current = AgreementVersion.objects.current()
        return current.pk if current else 0

    return get_or_load(CURRENT_AGREEMENT_CACHE_KEY, load, CURRENT_AGREEMENT_CACHE_SECONDS)


def has_accepted(user, version_id: int) -> bool:
    return AgreementAcceptance.objects.filter(user=user, version_id=version_id).exists()


def needs_agreement(request, user=None) -> bool:
    """True when a version is published and the signed-in user has not accepted it (remembered per session)."""
    version_id = current_agreement_id()
    if not version_id:
        return False
    if request.session.get(AGREEMENT_SESSION_KEY) == version_id:
        return False
    if has_accepted(user or request.user, version_id):
        request.session[AGREEMENT_SESSION_KEY] = version_id
        return False
    return True


@transaction.atomic
def publish_agreement(version: AgreementVersion, *, actor) -> AgreementVersion:
    """Publish a draft: from now on it is the version everyone must accept (the texts are frozen)."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise BusinessRuleError(_("Version %(version)s is already published.") % {"version": version.version})
    if not (version.body_zh.strip() and version.body_en.strip()):
        raise BusinessRuleError(_("Write the agreement in both languages before publishing it."))
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["published_at", "published_by"])
    forget(CURRENT_AGREEMENT_CACHE_KEY)
    transaction.on_commit(lambda: forget(CURRENT_AGREEMENT_CACHE_KEY))  # a read in between cached the old one
    return version


def accept_agreement(user, version: AgreementVersion, *, request=None) -> AgreementAcceptance:
    """Record that `user` accepted `version` (only the current published version can be accepted)."""
    if not version.is_published or version.pk != current_agreement_id():
        raise BusinessRuleError(_("A newer version of the agreement has been published; read it and accept "
                                  "that one."))
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                user=user, version=version, ip_address=client_ip(request),
                user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300])
    except IntegrityError:  # accepted twice (two tabs): the first acceptance stands
        return AgreementAcceptance.objects.get(user=user, version=version)
    log_event(SecurityEvent.Kind.AGREEMENT_ACCEPTED, user=user, request=request, version=version.version)
    if request is not None:
        request.session[AGREEMENT_SESSION_KEY] = version.pk
    return acceptance


# --- two-factor sign-in --------------------------------------------------------------------------------------

def otp_required(user) -> bool:
    """Two-factor sign-in is required (with OTP_ENFORCE on) for superusers and the roles in OTP_REQUIRED_ROLES."""
    if not settings.OTP_ENFORCE or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from hardware_erp.core.roles import roles_of

    return any(role.key in settings.OTP_REQUIRED_ROLES for role in roles_of(user))


def otp_state(request, user=None) -> str:
    """"ok", "verify" (a confirmed device, not yet verified in this session) or "enrol" (required, no device);
    worked out once per session and kept there."""
    state = request.session.get(OTP_STATE_SESSION_KEY)
    if state is None:
        from django_otp import user_has_device

        user = user or request.user
        if getattr(user, "otp_device", None) is not None:
            state = "ok"
        elif user_has_device(user):
            state = "verify"
        elif otp_required(user):
            state = "enrol"
        else:
            state = "ok"
        request.session[OTP_STATE_SESSION_KEY] = state
    return state


def otp_verified(request, device, *, enrolled=False) -> None:
    """The user proved the device: remember it in the session (django-otp) and lift the gate."""
    import django_otp

    django_otp.login(request, device)
    request.session[OTP_STATE_SESSION_KEY] = "ok"
    if enrolled:
        log_event(SecurityEvent.Kind.OTP_ENABLED, request=request, device=device.name)


def otp_disabled(request, device) -> None:
    """The user turned two-factor sign-in off (with a current code): nothing is left to verify."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device.delete()
    request.user.otp_device = None
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[OTP_STATE_SESSION_KEY] = "ok"
    log_event(SecurityEvent.Kind.OTP_DISABLED, request=request, device=device.name)


def otp_failed(request) -> None:
    log_event(SecurityEvent.Kind.OTP_FAILED, request=request)


# --- sign-in --------------------------------------------------------------------------------------------------

def prepare_session(request, user) -> None:
    """At sign-in: the session appears under "My sessions", and the two-factor and agreement gates are worked
    out afresh (here rather than on the first page, so that pages cost no extra query)."""
    for key in (AGREEMENT_SESSION_KEY, OTP_STATE_SESSION_KEY, SEEN_SESSION_KEY):
        request.session.pop(key, None)
    track_session(request, user, force=True)
    otp_state(request, user)
    needs_agreement(request, user)


# --- sessions ------------------------------------------------------------------------------------------------

def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def track_session(request, user=None, *, force=False) -> None:
    """Create or refresh the UserSession row of this request's session (at most once a minute)."""
    user = user or request.user
    session = request.session
    now = timezone.now()
    seen = session.get(SEEN_SESSION_KEY)
    if not force and seen is not None and now.timestamp() - seen < SEEN_EVERY_SECONDS:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "ip_address": client_ip(request), "last_seen": now,
                  "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]},
        create_defaults={"user": user, "ip_address": client_ip(request), "last_seen": now,
                         "created_at": now, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]})
    session[SEEN_SESSION_KEY] = now.timestamp()


def user_sessions(request) -> list[UserSession]:
    """The user's live sessions, this one first; rows of sessions that ended or expired are removed."""
    store = _session_store()
    idle_limit = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    live, dead = [], []
    for row in UserSession.objects.filter(user=request.user):
        if row.last_seen < idle_limit or not store().exists(row.session_key):
            dead.append(row.pk)
        else:
            row.is_current = row.session_key == request.session.session_key
            live.append(row)
    if dead:
        UserSession.objects.filter(pk__in=dead).delete()
    live.sort(key=lambda r: (not r.is_current, -r.last_seen.timestamp()))
    return live


def end_sessions(request, session_keys=None) -> int:
    """End the user's sessions with these keys (None: every session but this one); returns how many ended.
    The user's own current session is never ended here (signing out does that)."""
    rows = UserSession.objects.filter(user=request.user).exclude(session_key=request.session.session_key)
    if session_keys is not None:
        rows = rows.filter(session_key__in=list(session_keys))
    store = _session_store()
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    if keys:
        log_event(SecurityEvent.Kind.SESSIONS_ENDED, request=request, sessions=len(keys))
    return len(keys)


def forget_session(session_key) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


# --- managing other users' accounts (IT and the general manager) --------------------------------------------------
# Role grants and removals are logged by the m2m signal on User.groups (signals.py), wherever they happen.

def _username(user) -> str:
    return user.get_username()


def create_user(*, actor, roles=(), **fields):
    """A new user with an employee profile and roles (`hardware_erp.core.services.create_employee`), no usable
    password yet: reset it to hand over a one-time password. Logged."""
    from hardware_erp.core.services import create_employee

    user = create_employee(password=None, roles=roles, actor=actor, **fields)
    log_event(SecurityEvent.Kind.USER_CREATED, user=actor, target=_username(user))
    return user


PROFILE_FIELDS = ("first_name", "last_name", "email")
EMPLOYEE_FIELDS = ("department", "job_title", "manager", "hire_date", "work_phone", "language")


@transaction.atomic
def update_user(user, *, actor, roles=None, **fields):
    """Change a user's name, e-mail, employee profile and (with `roles`, a list of role keys) roles. Logged."""
    from django.contrib.auth.models import Group

    from hardware_erp.core.models import Employee
    from hardware_erp.core.roles import ROLES

    changed = []
    for name in PROFILE_FIELDS:
        if name in fields and getattr(user, name) != fields[name]:
            setattr(user, name, fields[name])
            changed.append(name)
    employee, _created = Employee.objects.get_or_create(user=user)
    for name in EMPLOYEE_FIELDS:
        if name in fields and getattr(employee, name) != fields[name]:
            setattr(employee, name, fields[name])
            changed.append(name)
    if roles is not None:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise BusinessRuleError(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)})
        if user.pk == actor.pk and set(roles) != {r.key for r in roles_of_user(user)}:
            raise BusinessRuleError(_("You cannot change your own roles; ask another administrator."))
        wanted = set(Group.objects.filter(name__in=[ROLES[r].group for r in roles]))
        managed = set(Group.objects.filter(name__in=[r.group for r in ROLES.values()]))
        current = set(user.groups.all()) & managed
        if wanted - current:
            user.groups.add(*(wanted - current))
        if current - wanted:
            user.groups.remove(*(current - wanted))
        staff = any(ROLES[r].admin for r in roles) or user.is_superuser
        if user.is_staff != staff:
            user.is_staff = staff
            changed.append("is_staff")
    user.save()
    employee.save()
    if changed:
        log_event(SecurityEvent.Kind.USER_CHANGED, user=actor, target=_username(user), fields=", ".join(changed))
    return user


def roles_of_user(user):
    from hardware_erp.core.roles import roles_of

    return roles_of(user)


def _not_self(user, actor, message):
    if user.pk == actor.pk:
        raise BusinessRuleError(message)


@transaction.atomic
def deactivate_user(user, *, actor):
    """The user can no longer sign in; their sessions end now. Records stay (history keeps the name). Logged."""
    _not_self(user, actor, _("You cannot deactivate your own account."))
    if not user.is_active:
        raise BusinessRuleError(_("%(user)s is already deactivated.") % {"user": _username(user)})
    user.is_active = False
    user.save(update_fields=["is_active"])
    store = _session_store()
    for row in UserSession.objects.filter(user=user):
        store().delete(row.session_key)
    UserSession.objects.filter(user=user).delete()
    log_event(SecurityEvent.Kind.USER_DEACTIVATED, user=actor, target=_username(user))
    return user


@transaction.atomic
def reactivate_user(user, *, actor):
    if user.is_active:
        raise BusinessRuleError(_("%(user)s is already active.") % {"user": _username(user)})
    user.is_active = True
    user.save(update_fields=["is_active"])
    log_event(SecurityEvent.Kind.USER_REACTIVATED, user=actor, target=_username(user))
    return user


def temporary_password() -> str:
    """A one-time password a person can read out: four groups of letters and digits (no 0/O, 1/l)."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _i in range(4)) for _g in range(4))


@transaction.atomic
def reset_password(user, *, actor) -> str:
    """Give the user a new temporary password (returned once, to show once; never stored in clear) and end their
    sessions. Logged."""
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    store = _session_store()
    for row in UserSession.objects.filter(user=user):
        store().delete(row.session_key)
    UserSession.objects.filter(user=user).delete()
    log_event(SecurityEvent.Kind.PASSWORD_RESET, user=actor, target=_username(user), how="temporary")
    return password


@transaction.atomic
def reset_second_factor(user, *, actor) -> int:
    """Remove the user's two-factor devices (a lost phone): they set it up again at the next sign-in. Logged."""
    import django_otp

    devices = list(django_otp.devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    log_event(SecurityEvent.Kind.OTP_RESET, user=actor, target=_username(user), devices=len(devices))
    return len(devices)


# --- sign-in lock-outs (django-axes) ------------------------------------------------------------------------------

def current_lockouts():
    """The sign-in attempts that lock a user name at an address now (failures at or past AXES_FAILURE_LIMIT, within
    the cool-off time)."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff:
        qs = qs.filter(attempt_time__gte=timezone.now() - timedelta(hours=float(cooloff)))
    return qs.order_by("-attempt_time")


@transaction.atomic
def unlock(attempt_id, *, actor) -> int:
    """Lift one lock-out (axes' reset for that user name and address). Logged."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise BusinessRuleError(_("This lock-out was already lifted or has expired."))
    n = reset(ip=attempt.ip_address, username=attempt.username)
    log_event(SecurityEvent.Kind.UNLOCKED, user=actor, target=attempt.username, ip=attempt.ip_address or "")
    return n

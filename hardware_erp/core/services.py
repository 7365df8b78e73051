"""Kernel services: notifications (in-app + e-mail) and user accounts."""

import logging
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .errors import BusinessRuleError
from .models import Employee, Notification
from .phrases import Phrase, describe

log = logging.getLogger(__name__)
User = get_user_model()


def lazy_format(message, **params) -> Phrase:
    """A translated message with %(name)s parameters, put into words later in each reader's language.

    `notify(user, lazy_format(_("Order %(n)s was approved."), n=order.number))`: notify stores the message's code
    (its msgid) and the parameters, and the notification is rendered when it is read (never `_("…") % {…}`, which
    fixes the text in the language of whoever caused the notification).
    """
    return Phrase(message, params)


def _language(user) -> str:
    return getattr(getattr(user, "employee", None), "language", "") or settings.LANGUAGE_CODE


def _stored(message, user) -> tuple[dict | None, str]:
    """(phrase, legacy_text) for a notification row: a translatable message as its code and parameters (parameters
    that are not themselves translatable, such as a course's title, are taken in the recipient's language); plain
    text as it is."""
    with translation.override(_language(user)):
        if isinstance(message, Phrase):
            return message.as_json(), ""
        found = describe(message)
        if found is not None:
            return found, ""
        return None, str(message)


def notify(recipients, message, link: str = "", *, level: str = Notification.Level.INFO,
           key: str = "", email: bool = True) -> list[Notification]:
    """Tell users something: an in-app notification and (after commit) an e-mail.

    `message` may be a lazy translation; it is rendered in each recipient's language.
    With `key`, a recipient gets the notification once only (reminders, alerts): calling
    again with the same key is harmless. Returns the notifications created now.
    E-mail goes through the notification row itself as an outbox: if the broker is down,
    the periodic `send_pending_emails_task` sends it later.
    """
    if isinstance(recipients, User):
        recipients = [recipients]
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        status = (Notification.EmailStatus.PENDING if (email and user.email and wants_email(user))
                  else Notification.EmailStatus.SKIPPED)
        try:
            with transaction.atomic():
                phrase, text = _stored(message, user)
                created.append(Notification.objects.create(
                    recipient=user, phrase=phrase, legacy_text=text, link=link, level=level, key=key,
                    email_status=status))
        except IntegrityError:
            if not key:
                raise
    ids = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def wants_email(user) -> bool:
    """The person's channel choice: notifications by e-mail as well as in the application (the default)."""
    employee = getattr(user, "employee", None)
    return employee is None or employee.email_notifications


@transaction.atomic
def set_notification_channels(user, *, email: bool, actor) -> Employee:
    """A person chooses how notifications reach them: in the application always, by e-mail when `email`."""
    if actor.pk != user.pk:
        raise BusinessRuleError(_("Only %(user)s chooses how notifications reach them.") % {"user": user.username})
    employee = Employee.objects.select_for_update().get(user=user)
    employee.email_notifications = bool(email)
    employee.save(update_fields=["email_notifications", "updated_at"])
    return employee


def _enqueue_emails(ids):
    from .outbox import try_send

    if not try_send("core.send_notification_emails_task", ids):  # the outbox drain sends them later
        log.warning("broker unavailable; %d notification e-mails left for the drain task", len(ids))


def send_notification_emails(ids=None, *, limit: int = 200) -> int:
    """Send pending notification e-mails (each once). Returns how many were sent."""
    sent = 0
    qs = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    for pk in list(qs.order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            n = (Notification.objects.select_for_update().select_related("recipient")
                 .filter(pk=pk, email_status=Notification.EmailStatus.PENDING).first())
            if n is None:
                continue
            link = f"{settings.SITE_URL.rstrip('/')}{n.link}" if n.link.startswith("/") else n.link
            text = n.message  # in the recipient's language, now
            try:
                send_mail(subject=f"[Hardware ERP] {text[:60]}", message=f"{text}\n\n{link}".strip(),
                          from_email=None, recipient_list=[n.recipient.email])
            except Exception:
                log.exception("e-mail for notification %s failed", pk)
                n.email_status = Notification.EmailStatus.FAILED
            else:
                n.email_status = Notification.EmailStatus.SENT
                n.emailed_at = timezone.now()
                sent += 1
            n.save(update_fields=["email_status", "emailed_at"])
    return sent


def users_with_perm(perm: str, *, include_superusers=False):
    """Active users who hold `perm` through their groups or directly (Django's `with_perm`; the model backend
    is named because several backends are configured, and with_perm refuses to guess)."""
    return User.objects.with_perm(perm, is_active=True, include_superusers=include_superusers,
                                  backend="django.contrib.auth.backends.ModelBackend").distinct()


def mark_read(user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def create_employee(*, username: str, password: str | None, roles=(), first_name="", last_name="", email="",
                    department=None, job_title="", manager=None, hire_date=None, work_phone="",
                    language="", actor=None):
    """Create a user with an employee profile and roles (groups). Signals tell other apps (onboarding)."""
    from .roles import ROLES

    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise BusinessRuleError(f"unknown role: {', '.join(unknown)}")
    if User.objects.filter(username=username).exists():
        raise BusinessRuleError(f"the user name {username} is taken")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email,
                is_staff=any(ROLES[r].admin for r in roles))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Employee.objects.filter(user=user).update(department=department, job_title=job_title, manager=manager,
                                              hire_date=hire_date, work_phone=work_phone, language=language)
    user.employee.refresh_from_db()
    if roles:
        user.groups.add(*Group.objects.filter(name__in=[ROLES[r].group for r in roles]))
    return user


# --------------------------------------------------------------------------- company profile

COMPANY_FIELDS = ("name", "name_en", "credit_code", "address", "phone", "bank_name", "bank_account")
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


@transaction.atomic
def update_company_profile(*, actor, logo=None, clear_logo=False, **values):
    """The company's own details printed on every document. General manager and finance (the permission
    core.edit_companyprofile); the logo an image checked by core.uploads."""
    from .models import CompanyProfile
    from .uploads import check_upload

    if not actor.has_perm("core.edit_companyprofile"):
        raise BusinessRuleError(_("You may not edit the company profile."), code="permission")
    unknown = set(values) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"unknown company profile fields: {sorted(unknown)}")
    profile = CompanyProfile.objects.select_for_update().order_by("pk").first() or CompanyProfile()
    for key, value in values.items():
        value = str(value or "").strip()
        if key in ("credit_code", "bank_account"):
            value = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()
        setattr(profile, key, value)
    if profile.credit_code and not re.match(USCC_PATTERN, profile.credit_code):
        raise BusinessRuleError({"credit_code": _("A unified social credit code has 18 characters: digits and "
                                                  "capital letters other than I, O, S, V and Z.")},
                                code="credit_code")
    if profile.bank_account and not profile.bank_account.isdigit():
        raise BusinessRuleError({"bank_account": _("A bank account number has digits only.")}, code="account")
    if clear_logo:
        profile.logo = ""
    if logo:
        check_upload(logo, ("png", "jpeg"), max_bytes=2 * 1024 * 1024)
        profile.logo.save(logo.name, logo, save=False)
    profile.updated_by = actor
    profile.save()
    return profile

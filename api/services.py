"""Writes of the API app: tokens (created, revoked, used), subscriptions, events queued and delivered."""

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.services import log_event
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.outbox import enqueue_after_commit

from . import channels
from .models import SCOPES, ApiToken, Delivery, Event, IdempotencyRecord, Subscription

log = logging.getLogger(__name__)

TOKEN_PREFIX = "hwe_"  # noqa: S105 - the visible prefix of every token, not a secret
MAX_ATTEMPTS = 6  # the first try and five retries: after 1, 5, 25, 125 and 625 minutes
AUTO_DISABLE_AFTER = 15  # failed attempts in a row (any delivery) disable a subscription
MANAGE_PERMISSION = "governance.manage_users"  # IT: integration tokens for others, webhooks, robots


# --------------------------------------------------------------------------- tokens

def hash_token(raw: str) -> str:
    """SHA-256 of the whole token: tokens are long random strings, so a fast hash is enough (no password)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_scopes(scopes):
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise BusinessRuleError(_("Unknown scopes: %(s)s."), params={"s": ", ".join(unknown)}, code="scopes")
    if not scopes:
        raise BusinessRuleError(_("Choose at least one scope."), code="scopes")
    return scopes


@transaction.atomic
def create_token(*, name, scopes, actor, user=None, kind=ApiToken.Kind.PERSONAL, expires_at=None,
                 rate_per_minute=120, request=None) -> tuple[ApiToken, str]:
    """A new token acting as `user` (the actor, unless IT makes an integration token for another account).

    Returns the token row and the secret, which is not kept: the page shows it once.
    """
    user = user or actor
    if user.pk != actor.pk and not actor.has_perm(MANAGE_PERMISSION):
        raise BusinessRuleError(_("Only IT may create a token for another account."), code="permission")
    if not user.is_active:
        raise BusinessRuleError(_("%(u)s is deactivated."), params={"u": user.get_username()}, code="inactive")
    if expires_at is not None and expires_at <= timezone.now():
        raise BusinessRuleError(_("The expiry must lie in the future."), code="expiry")
    if not (1 <= int(rate_per_minute) <= 6000):
        raise BusinessRuleError(_("The rate limit must be between 1 and 6000 requests a minute."), code="rate")
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4 billion
        prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(name=name.strip()[:100] or prefix, kind=kind, user=user, created_by=actor,
                                    prefix=prefix, key_hash=hash_token(raw), scopes=_check_scopes(scopes),
                                    rate_per_minute=rate_per_minute, expires_at=expires_at)
    log_event("api_token_created", user=actor, request=request, target=user.get_username(),
              object=token.name, fields=" ".join(token.scopes))
    return token, raw


@transaction.atomic
def revoke_token(token, *, actor, request=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and token.created_by_id != actor.pk and not actor.has_perm(MANAGE_PERMISSION):
        raise BusinessRuleError(_("You may not revoke this token."), code="permission")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        log_event("api_token_revoked", user=actor, request=request, target=token.user.get_username(),
                  object=token.name)
    return token


def token_from_secret(raw: str) -> ApiToken | None:
    """The active token with this secret, or None (compared by hash, in constant time)."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix = raw[len(TOKEN_PREFIX):].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(raw)) or not token.is_active:
        return None
    return token


def mark_used(token, ip=None) -> None:
    """Last used: written at most once a minute per token (a busy integration does not write on every call)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < timedelta(minutes=1) and token.last_used_ip == ip:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)


# --------------------------------------------------------------------------- subscriptions

def _check_subscription(kind, url, events):
    events = sorted(set(events or []))
    unknown = [e for e in events if e not in Event.values]
    if unknown or not events:
        raise BusinessRuleError(_("Choose one or more of the listed events."), code="events")
    if not url.startswith("https://") and not url.startswith("http://"):
        raise BusinessRuleError(_("The URL must start with https:// or http://."), code="url")
    return events


@transaction.atomic
def save_subscription(*, actor, name, kind, url, events, secret="", language="zh-hans", active=True,
                      subscription=None) -> Subscription:
    if not actor.has_perm(MANAGE_PERMISSION):
        raise BusinessRuleError(_("Only IT may manage webhooks and group robots."), code="permission")
    events = _check_subscription(kind, url, events)
    if kind == Subscription.Kind.WEBHOOK and not secret and not (subscription and subscription.secret):
        secret = secrets.token_urlsafe(32)
    sub = subscription or Subscription(created_by=actor)
    sub.name, sub.kind, sub.url, sub.events, sub.language = name, kind, url, events, language
    if secret:
        sub.secret = secret
    if active and not sub.active:
        sub.consecutive_failures, sub.disabled_at = 0, None
    sub.active = active
    sub.save()
    return sub


def emit(event: str, data) -> list[Delivery]:
    """Queue `event` for every active subscription to it: a delivery row now, sent after commit (the outbox).

    `data` may be a callable, called only when someone subscribes (most events have no subscriber)."""
    subs = [s for s in Subscription.objects.filter(active=True) if event in (s.events or [])]
    if not subs:
        return []
    data = data() if callable(data) else data
    created = []
    for sub in subs:
        delivery = Delivery(subscription=sub, event=event, payload={})
        delivery.payload = json.loads(json.dumps({
            "id": str(delivery.event_id), "event": event, "created_at": timezone.now(), "data": data,
        }, cls=DjangoJSONEncoder))
        delivery.save()
        enqueue_after_commit("api.deliver_task", delivery.pk)
        created.append(delivery)
    return created


# --------------------------------------------------------------------------- delivery

def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=5 ** (attempts - 1))


def deliver(delivery_id: int, *, now=None) -> Delivery | None:
    """Try one delivery (once; a delivered one is never sent again). Failures are retried with backoff by
    `retry_due`; a subscription that fails AUTO_DISABLE_AFTER times in a row is disabled."""
    with transaction.atomic():
        d = (Delivery.objects.select_for_update(skip_locked=True).select_related("subscription")
             .filter(pk=delivery_id, status=Delivery.Status.PENDING).first())
        if d is None:  # delivered, given up, or being sent by another worker right now
            return None
        sub = d.subscription
        code, body, error = channels.send(sub, d)
        now = now or timezone.now()
        d.attempts += 1
        d.response_code, d.response_body, d.error = code, (body or "")[:500], (error or "")[:300]
        if error == "" and code is not None and 200 <= code < 300:
            d.status, d.delivered_at, d.next_attempt_at = Delivery.Status.SUCCEEDED, now, None
            Subscription.objects.filter(pk=sub.pk).update(consecutive_failures=0)
        else:
            if d.attempts >= MAX_ATTEMPTS:
                d.status, d.next_attempt_at = Delivery.Status.FAILED, None
            else:
                d.next_attempt_at = now + backoff(d.attempts)
            Subscription.objects.filter(pk=sub.pk).update(consecutive_failures=F("consecutive_failures") + 1)
            sub.refresh_from_db(fields=["consecutive_failures", "active"])
            if sub.active and sub.consecutive_failures >= AUTO_DISABLE_AFTER:
                Subscription.objects.filter(pk=sub.pk).update(active=False, disabled_at=now)
                log.warning("subscription %s disabled after %s failures", sub.pk, sub.consecutive_failures)
                _tell_disabled(sub, now)
        d.save()
    return d


def _tell_disabled(sub, now):
    from django.urls import reverse

    from hardware_erp.core.services import lazy_format, notify

    message = gettext_lazy("Webhook %(name)s was turned off after %(n)s failed deliveries in a row.")
    notify(sub.created_by, lazy_format(message, name=sub.name, n=sub.consecutive_failures),
           reverse("integrations:subscription", args=[sub.pk]), level="warning",
           key=f"api:sub:{sub.pk}:off:{now.isoformat()}")


def retry_due(now=None, limit=200) -> int:
    """Send the deliveries whose next attempt is due (beat, every minute). Returns how many were tried."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now,
                                       subscription__active=True)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        deliver(pk, now=now)
    return len(ids)


@transaction.atomic
def resend(delivery, *, actor) -> Delivery:
    """Send an event again by hand (a failed one, or one the receiver lost): a new attempt, after commit."""
    if not actor.has_perm(MANAGE_PERMISSION):
        raise BusinessRuleError(_("Only IT may manage webhooks and group robots."), code="permission")
    d = Delivery.objects.select_for_update().get(pk=delivery.pk)
    d.status, d.next_attempt_at, d.attempts = Delivery.Status.PENDING, None, 0
    d.save(update_fields=["status", "next_attempt_at", "attempts"])
    enqueue_after_commit("api.deliver_task", d.pk)
    return d


IDEMPOTENCY_DAYS = 7  # a retry comes within minutes; a week is generous
DELIVERY_LOG_DAYS = 90


def prune(now=None) -> dict:
    """Forget idempotency keys after a week and delivered events after 90 days (beat, daily)."""
    now = now or timezone.now()
    keys, _ = IdempotencyRecord.objects.filter(created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)).delete()
    done, _ = Delivery.objects.filter(status=Delivery.Status.SUCCEEDED,
                                      created_at__lt=now - timedelta(days=DELIVERY_LOG_DAYS)).delete()
    return {"idempotency_keys": keys, "deliveries": done}

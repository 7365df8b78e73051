"""API tokens, idempotency records, webhook/robot subscriptions and their delivery log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hardware_erp.core.fields import EncryptedTextField

# The modules a token can be scoped to, each for reading and/or writing.
MODULES = ("crm", "inventory", "orders", "support")
SCOPES = tuple(f"{m}:{a}" for m in MODULES for a in ("read", "write"))


class Event(models.TextChoices):
    ORDER_APPROVED = "order.approved", _("Order approved")
    ORDER_SHIPPED = "order.shipped", _("Order shipped")
    ORDER_DELIVERED = "order.delivered", _("Order delivered")
    ORDER_PAID = "order.paid", _("Order paid")
    STOCK_BELOW_MINIMUM = "stock.below_minimum", _("Stock below minimum")
    CUSTOMER_CHANGED = "customer.changed", _("Customer changed")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")


class ApiToken(models.Model):
    """A bearer token. Only a SHA-256 hash of the secret is kept; the token is shown once, when created."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        INTEGRATION = "integration", _("Integration")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSONAL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def allows(self, module: str, write: bool) -> bool:
        return f"{module}:{'write' if write else 'read'}" in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an Idempotency-Key; a repeat gets the same answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self):
        return f"{self.method} {self.path} {self.key}"


class Subscription(models.Model):
    """Where events go: a webhook (signed JSON) or a WeCom/DingTalk group robot (a message in the group)."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), blank=True)
    events = models.JSONField(_("events"), default=list)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled automatically"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One event for one subscription: its attempts, the last response code, and when it is tried next."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", pgettext_lazy("api", "Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    event_id = models.UUIDField(_("event ID"), default=uuid.uuid4)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_body = models.CharField(_("response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(pgettext_lazy("api", "delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"], name="api_delivery_once")]

    def __str__(self):
        return f"{self.event} {self.event_id}"

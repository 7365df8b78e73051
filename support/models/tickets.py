from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel

from ..choices import OPEN_STATUSES, TicketCategory, TicketPriority, TicketStatus

IT_PERMISSION = "support.manage_ticket"
LEAD_PERMISSION = "support.lead_helpdesk"  # receives the escalations, so reads every ticket


class SLAPolicy(TimeStampedModel):
    """Response targets of one priority, in working hours."""

    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices, unique=True)
    response_hours = models.DecimalField(_("first response (working hours)"), max_digits=6, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0.25"))])
    resolution_hours = models.DecimalField(_("resolution (working hours)"), max_digits=6, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0.25"))])
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time used)"), default=75, validators=[MinValueValidator(10), MaxValueValidator(99)],
        help_text=_("The assignee is warned when this share of the target time has passed."))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return f"{self.get_priority_display()}: {self.response_hours} h / {self.resolution_hours} h"


class AssignmentRule(TimeStampedModel):
    """New tickets of a category go to this IT person."""

    category = models.CharField(pgettext_lazy("support", "category"), max_length=20, choices=TicketCategory.choices,
                                unique=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.CASCADE,
                                 related_name="+")

    class Meta:
        ordering = ["category"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self):
        return f"{self.get_category_display()} → {self.assignee}"


class TicketQuerySet(models.QuerySet):
    def for_user(self, user):
        """IT staff and the helpdesk lead see every ticket; everyone else only the tickets they opened."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm(IT_PERMISSION) or user.has_perm(LEAD_PERMISSION):
            return self
        return self.filter(requester=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(TimeStampedModel):
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT,
                                  related_name="support_tickets")
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(pgettext_lazy("support", "description"))
    category = models.CharField(pgettext_lazy("support", "category"), max_length=20, choices=TicketCategory.choices,
                                default=TicketCategory.OTHER, db_index=True)
    priority = models.CharField(_("priority"), max_length=10, choices=TicketPriority.choices,
                                default=TicketPriority.NORMAL, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW,
                              db_index=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True,
                                help_text=_("The page the ticket was opened from."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [("manage_ticket", _("Can work on every ticket (IT staff)")),
                       ("lead_helpdesk", _("Receives SLA escalations (IT lead)")),
                       ("view_support_reports", _("Can see the helpdesk reports"))]
        indexes = [models.Index(fields=["status", "resolution_due"])]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"T-{self.pk:05d}" if self.pk else "T-?"

    def get_absolute_url(self):
        return reverse("support:ticket", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def response_breached(self, now=None) -> bool:
        if not self.response_due:
            return False
        return (self.first_response_at or now or timezone.now()) > self.response_due

    def resolution_breached(self, now=None) -> bool:
        if not self.resolution_due:
            return False
        return (self.resolved_at or now or timezone.now()) > self.resolution_due


class TicketMessage(models.Model):
    """One entry of the conversation; internal notes are for IT staff only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("support", "author"),
                               on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(pgettext_lazy("support", "message"))
    internal = models.BooleanField(_("internal note"), default=False,
                                   help_text=_("Only IT staff see internal notes."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self):
        return self.body[:60]


def attachment_path(instance, filename):
    return f"support/tickets/{instance.ticket_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("ticket"))
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="attachments", verbose_name=pgettext_lazy("support", "message"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def internal(self) -> bool:
        return bool(self.message_id and self.message.internal)


class TicketEvent(models.Model):
    """The status history of a ticket: one row per transition, assignment or escalation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    from_status = models.CharField(_("from status"), max_length=20, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=TicketStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(pgettext_lazy("support", "note"), max_length=500, blank=True)
    # what the system did, as a code and its parameters: worded in the reader's language (`text`)
    code = models.CharField(_("event"), max_length=30, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    MESSAGES = {
        "opened": _("Ticket opened"),
        "assigned_by_rule": _("Assigned by the category rule"),
        "assigned": _("Assigned to %(user)s"),
        "unassigned": _("Unassigned"),
        "requester_answered": _("The requester answered"),
        "rated": _("Rated %(n)d of 5"),
        "priority": _("Priority %(old)s → %(new)s"),
        "escalated": _("Escalated: the %(target)s target was missed"),
    }
    TARGETS = {"response": _("first response"), "resolution": _("resolution")}

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self):
        return f"{self.ticket_id}: {self.from_status} → {self.to_status}"

    @property
    def text(self) -> str:
        """The event in the reader's language: the system's own words from the code, else the person's note."""
        if self.code not in self.MESSAGES:
            return self.note
        params = dict(self.params or {})
        for key in ("old", "new"):
            if key in params:
                params[key] = TicketPriority(params[key]).label if params[key] in TicketPriority.values \
                    else params[key]
        if "target" in params:
            params["target"] = self.TARGETS.get(params["target"], params["target"])
        text = str(self.MESSAGES[self.code]) % params if params else str(self.MESSAGES[self.code])
        return f"{text} · {self.note}" if self.note else text

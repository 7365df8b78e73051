from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketCategory(models.TextChoices):
    ACCOUNT = "account", _("Account and access")
    CRM = "crm", _("CRM")
    INVENTORY = "inventory", _("Inventory")
    ORDERS = "orders", _("Sales orders")
    PRINTER = "printer", _("Printer / scanner")
    HARDWARE = "hardware", _("Hardware")
    NETWORK = "network", _("Network")
    OTHER = "other", _("Other")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("support", "In progress")
    WAITING = "waiting", _("Waiting for user")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.WAITING,
                 TicketStatus.REOPENED)

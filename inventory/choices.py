from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    TRANSFER = "transfer", _("Transfer")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stocktake correction")
    RETURN = "return", _("Return")


class BarcodeKind(models.TextChoices):
    EAN13 = "ean13", _("EAN-13")
    CODE128 = "code128", _("Code 128 (internal)")


class AlertKind(models.TextChoices):
    LOW = "low", _("Below minimum")
    HIGH = "high", _("Above maximum")


class POStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    PARTIAL = "partial", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class SuggestionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("suggestion", "Open")
    SNOOZED = "snoozed", _("Snoozed")
    DISMISSED = "dismissed", _("Dismissed")
    ORDERED = "ordered", _("Ordered")


class StocktakeStatus(models.TextChoices):
    COUNTING = "counting", _("Counting")
    REVIEW = "review", _("In review")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class EntryMethod(models.TextChoices):
    SCAN = "scan", _("Scanned")
    TYPED = "typed", _("Typed")
    WEIGHT = "weight", _("Weighed")

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AggregationChoices(models.TextChoices):
    SHARE = "share", _("Share of records that count (%)")
    AVERAGE = "average", _("Average of the records' values")


class DirectionChoices(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class UnitChoices(models.TextChoices):
    PERCENT = "%", _("per cent")
    HOURS = "h", pgettext_lazy("performance", "hours")
    RATING = "rating", _("rating 1–5")


class PeriodKindChoices(models.TextChoices):
    MONTH = "month", pgettext_lazy("performance", "Month")
    QUARTER = "quarter", _("Quarter")


class PeriodStatusChoices(models.TextChoices):
    OPEN = "open", pgettext_lazy("performance", "Open")
    CLOSED = "closed", _("Closed")


class ScorecardStatusChoices(models.TextChoices):
    DRAFT = "draft", _("Being reviewed")
    SHARED = "shared", _("Waiting for the employee")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")
    CLOSED = "closed", _("Closed")

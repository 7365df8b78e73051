from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.models import TimeStampedModel
from hardware_erp.core.money import MoneyField

from ..choices import OPEN_STAGES, ChannelChoices, StageChoices, TaskStatusChoices
from .customers import Contact, Customer


class VisibleThroughCustomer(models.QuerySet):
    def for_user(self, user):
        return self.filter(customer__in=Customer.objects.for_user(user))


class ContactRecord(models.Model):
    """One entry of a customer's contact history (跟进记录)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="records")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="records")
    opportunity = models.ForeignKey("crm.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="records")
    channel = models.CharField(_("channel"), max_length=12, choices=ChannelChoices.choices,
                               default=ChannelChoices.CALL)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    summary = models.TextField(_("summary"))
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("crm", "by"), null=True,
                                   on_delete=models.SET_NULL, related_name="crm_records")
    created_at = models.DateTimeField(_("entered"), auto_now_add=True, db_index=True)

    objects = VisibleThroughCustomer.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact record")
        verbose_name_plural = _("contact history")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="crm_record_customer_time")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Opportunity(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="opportunities")
    title = models.CharField(_("title"), max_length=200)
    stage = models.CharField(_("stage"), max_length=12, choices=StageChoices.choices, default=StageChoices.LEAD,
                             db_index=True)
    amount = MoneyField(_("expected amount"))
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10,
                                                   validators=[MaxValueValidator(100)])
    products_of_interest = models.TextField(_("products of interest"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="crm_opportunities")
    lost_reason = models.CharField(_("reason lost"), max_length=255, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    objects = VisibleThroughCustomer.as_manager()

    class Meta:
        ordering = ["expected_close", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["stage", "owner"], name="crm_opp_stage_owner")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("crm:opportunity", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def idle_days(self) -> int:
        return (timezone.now() - self.last_activity_at).days

    @property
    def is_stale(self) -> bool:
        """Open and without activity for CRM_STALE_DAYS (the board marks it; its owner was told)."""
        return self.is_open and self.idle_days >= settings.CRM_STALE_DAYS

    @property
    def weighted_amount(self):
        return self.amount * self.probability / 100


class FollowUpTask(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="tasks")
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="tasks")
    title = models.CharField(_("what to do"), max_length=200)
    due_at = models.DateTimeField(_("due"), db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                 on_delete=models.PROTECT, related_name="crm_tasks")
    status = models.CharField(_("status"), max_length=10, choices=TaskStatusChoices.choices,
                              default=TaskStatusChoices.OPEN, db_index=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    objects = VisibleThroughCustomer.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        indexes = [models.Index(fields=["status", "due_at"], name="crm_task_status_due")]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatusChoices.OPEN and self.due_at < timezone.now()

    @property
    def done_on_time(self):
        if self.status != TaskStatusChoices.DONE or not self.done_at:
            return None
        return self.done_at <= self.due_at

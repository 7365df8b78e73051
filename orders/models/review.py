"""Review steps: one per role whose approval an order waits for (sales manager, finance)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import REVIEW_PERMISSION, ReviewReason, ReviewRole, StepStatus


class ReviewStep(models.Model):
    """One role's decision on a submitted order. The order is approved when every step is approved;
    a rejected step rejects the order. A new submission starts new steps."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.CASCADE, related_name="review_steps",
                              verbose_name=_("order"))
    role = models.CharField(_("reviewer"), max_length=10, choices=ReviewRole.choices)
    reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decision time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [models.UniqueConstraint(fields=["order", "role"], name="one_review_step_per_role")]

    def __str__(self):
        return f"{self.order_id}: {self.role} {self.status}"

    @property
    def permission(self) -> str:
        return REVIEW_PERMISSION[ReviewRole(self.role)]

    @property
    def reason_labels(self) -> list:
        return [ReviewReason(c).label for c in self.reasons if c in ReviewReason.values]

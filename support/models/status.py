from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestRecord(models.Model):
    """A slow request or a server error, written by `support.middleware.RequestMonitorMiddleware`."""

    class Kind(models.TextChoices):
        SLOW = "slow", _("Slow request")
        ERROR = "error", _("Server error")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, db_index=True)
    method = models.CharField(pgettext_lazy("support", "method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request record")
        verbose_name_plural = _("request records")
        permissions = [("view_system_status", _("Can see the system status page"))]

    def __str__(self):
        return f"{self.method} {self.path} {self.duration_ms} ms"

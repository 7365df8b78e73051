from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.templatetags.erp import cny

from .models import StockAlert
from .selectors import valuation_total


def cards(request):
    user = request.user
    if not user.has_perm("inventory.view_stocklevel") or not user.has_perm("core.access_inventory"):
        return []
    counts = StockAlert.objects.filter(cleared_at__isnull=True).aggregate(
        low=Count("pk", filter=Q(kind="low")),
        high=Count("pk", filter=Q(kind="high")))
    out = [
        {"title": _("Low stock alerts"), "value": counts["low"], "link": reverse("inventory:alert_list"),
         "icon": "bi-exclamation-triangle", "tone": "danger" if counts["low"] else "success",
         "hint": _("Items below their minimum")},
        {"title": _("Stock value"), "value": cny(valuation_total()), "link": reverse("inventory:valuation"),
         "icon": "bi-cash-stack", "tone": "primary", "hint": _("At moving-average cost")},
    ]
    return out

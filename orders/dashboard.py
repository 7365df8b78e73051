from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.templatetags.erp import cny

from . import selectors


def cards(request):
    user = request.user
    if not user.has_perm("core.access_orders") or not user.has_perm("orders.view_salesorder"):
        return []
    counts = selectors.kpi_counts(user)
    out = [
        {"title": _("Open orders"), "value": counts["open"], "link": reverse("orders:order_list"),
         "icon": "bi-receipt", "tone": "primary", "hint": _("Submitted, approved or being shipped")},
        {"title": _("Revenue this month"), "value": cny(counts["month_revenue"]), "link": reverse("orders:order_list"),
         "icon": "bi-graph-up", "tone": "success", "hint": _("Net of VAT, approved orders")},
        {"title": _("Overdue receivables"), "value": cny(counts["overdue"]),
         "link": reverse("orders:order_list") + "?overdue=true", "icon": "bi-alarm",
         "tone": "danger" if counts["overdue"] else "success", "hint": _("Past the payment due date")},
    ]
    if user.has_perm("orders.approve_salesorder") or user.has_perm("orders.approve_credit"):
        waiting = selectors.review_queue(user).count()
        out.insert(0, {"title": _("Waiting for approval"), "value": waiting, "link": reverse("orders:review_queue"),
                       "icon": "bi-hourglass-split", "tone": "warning" if waiting else "success",
                       "hint": _("Orders that did not pass every review rule")})
    return out

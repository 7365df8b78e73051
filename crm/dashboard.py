from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.templatetags.erp import cny

from .selectors import rep_summary


def cards(request):
    user = request.user
    if not user.has_perm("crm.view_followuptask"):
        return []
    s = rep_summary(user)
    tasks = reverse("crm:task_list")
    out = [
        {"title": _("My follow-ups overdue"), "value": s["overdue"], "link": f"{tasks}?mine=on&status=overdue",
         "icon": "bi-alarm", "tone": "danger" if s["overdue"] else "success"},
        {"title": _("My follow-ups in the next 24 h"), "value": s["today"], "link": f"{tasks}?mine=on&status=open",
         "icon": "bi-telephone-outbound", "tone": "primary"},
    ]
    if user.has_perm("crm.view_opportunity"):
        out.append({"title": _("Open pipeline"), "value": cny(s["pipeline"]), "link": reverse("crm:opportunity_board"),
                    "icon": "bi-kanban", "tone": "info",
                    "hint": _("%(n)d open opportunities") % {"n": s["open_opps"] or 0}})
    return out

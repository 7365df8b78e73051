from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Inspection, Ticket
from .services import is_it_staff


def cards(request):
    user = request.user
    if not user.has_perm("support.view_ticket"):
        return []
    url = reverse("support:ticket_list")
    if is_it_staff(user):
        counts = selectors.open_ticket_counts()
        open_count, overdue = counts["open"], counts["overdue"]
        due = Inspection.objects.filter(status=Inspection.Status.DUE, due_date__lte=timezone.localdate()).count()
        return [
            {"title": _("Open tickets"), "value": open_count, "link": url + "?open=true", "icon": "bi-life-preserver",
             "tone": "primary"},
            {"title": _("Tickets past their resolution target"), "value": overdue, "link": url + "?open=true",
             "icon": "bi-alarm", "tone": "danger" if overdue else "success"},
            {"title": _("Inspections due"), "value": due, "link": reverse("support:inspection_list") + "?status=due",
             "icon": "bi-clipboard-check", "tone": "warning" if due else "success"},
        ]
    mine = Ticket.objects.filter(requester=user).open().count()
    return [{"title": _("My open tickets"), "value": mine, "link": url, "icon": "bi-life-preserver",
             "tone": "primary", "hint": _("Report a problem from the button at the top")}]

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Ticket
from .services import is_it_staff


def cards(request):
    user = request.user
    if not user.has_perm("support.view_ticket"):
        return []
    url = reverse("support:ticket_list")
    if is_it_staff(user):
        open_qs = Ticket.objects.open()
        open_count = open_qs.count()
        overdue = open_qs.filter(resolution_due__lt=timezone.now()).count()
        return [
            {"title": _("Open tickets"), "value": open_count, "link": url + "?open=true", "icon": "bi-life-preserver",
             "tone": "primary"},
            {"title": _("Tickets past their resolution target"), "value": overdue, "link": url + "?open=true",
             "icon": "bi-alarm", "tone": "danger" if overdue else "success"},
        ]
    mine = Ticket.objects.filter(requester=user).open().count()
    return [{"title": _("My open tickets"), "value": mine, "link": url, "icon": "bi-life-preserver",
             "tone": "primary", "hint": _("Report a problem from the button at the top")}]

"""Home and module cards: the learner's own plan and due courses; the team's overdue count for managers."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Enrollment


def cards(request):
    user = request.user
    today = timezone.localdate()
    rows = list(Enrollment.objects.filter(user=user).values_list("completed_at", "due_date", "progress",
                                                                  "required"))
    out = []
    if rows:
        open_rows = [r for r in rows if r[0] is None]
        overdue = [r for r in open_rows if r[1] and r[1] < today]
        done = len(rows) - len(open_rows)
        nxt = min((r[1] for r in open_rows if r[1]), default=None)
        out.append({"title": _("My learning"), "value": f"{done}/{len(rows)}",
                    "link": reverse("training:my_learning"), "icon": "bi-mortarboard",
                    "tone": "danger" if overdue else ("success" if not open_rows else "primary"),
                    "hint": (_("%(n)d overdue") % {"n": len(overdue)}) if overdue else
                    ((_("next due %(date)s") % {"date": nxt}) if nxt else _("courses completed"))})
    mentees = user.mentees.filter(completed_at__isnull=True).count()
    if mentees:
        out.append({"title": _("My mentees"), "value": mentees, "link": reverse("training:my_learning") + "#mentees",
                    "icon": "bi-people", "tone": "info", "hint": _("new employees you guide")})
    if user.has_perm("training.view_team_progress"):
        late = Enrollment.objects.filter(required=True, completed_at__isnull=True, due_date__lt=today).count()
        out.append({"title": _("Overdue required courses"), "value": late, "link": reverse("training:progress"),
                    "icon": "bi-alarm", "tone": "warning" if late else "success", "hint": _("across the company")})
    return out

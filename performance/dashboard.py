from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import ScorecardStatusChoices as S
from .models import Scorecard


def cards(request):
    """Own latest score; for reviewers the scorecards waiting for them. Two queries."""
    user = request.user
    out = []
    own = (Scorecard.objects.filter(employee=user, computed_at__isnull=False).select_related("period")
           .order_by("-period__start", "period__kind").first())
    out.append({"title": _("My latest score"),
                "value": f"{own.final_score}" if own and own.final_score is not None else _("no data"),
                "link": own.get_absolute_url() if own else reverse("performance:me"), "icon": "bi-graph-up-arrow",
                "tone": "primary", "hint": own.period.label if own else ""})
    if user.has_perm("performance.review_scorecard"):
        n = (Scorecard.objects.for_user(user).exclude(employee=user)
             .filter(status__in=[S.DRAFT, S.DISPUTED, S.ACKNOWLEDGED]).count())
        out.append({"title": _("Scorecards waiting for you"), "value": n,
                    "link": reverse("performance:scorecard_list") + "?todo=1", "icon": "bi-clipboard-check",
                    "tone": "warning" if n else "success"})
    return out

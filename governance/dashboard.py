from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ChangeRequest


def cards(request):
    user = request.user
    out = []
    if user.has_perm("governance.approve_changerequest"):
        n = ChangeRequest.objects.pending().exclude(requester=user).count()
        out.append({"title": _("Changes waiting for approval"), "value": n,
                    "link": reverse("governance:changerequest_list"), "icon": "bi-hourglass-split",
                    "tone": "warning" if n else "success"})
    return out

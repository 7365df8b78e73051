"""Banners shown on every page (incidents, maintenance windows): filled by the support app."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import banners as banner_data

TONES = {"critical": "danger", "major": "danger", "minor": "warning"}


def _when(dt):
    return date_format(timezone.localtime(dt), "m-d H:i") if dt else ""


def banners(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"system_banners": []}
    data = banner_data.current()
    out = []
    for i in data["incidents"]:
        eta = (_("estimated recovery %(when)s") % {"when": _when(i["estimated_recovery_at"])}
               if i["estimated_recovery_at"] else _("recovery time not known yet"))
        out.append({"level": TONES.get(i["severity"], "warning"), "text": i["title"], "html": format_html(
            '<i class="bi bi-exclamation-octagon-fill"></i> <strong>{}</strong> {} · {} · <a href="{}" '
            'class="alert-link">{}</a>', _("Incident:"), i["title"], eta,
            reverse("support:incident", args=[i["pk"]]), _("Follow the updates"))})
    now = timezone.now()
    for w in data["windows"]:
        if w["announce_from"] > now or w["ends_at"] <= now:
            continue
        ongoing = w["starts_at"] <= now
        label = _("Maintenance now:") if ongoing else _("Planned maintenance:")
        out.append({"level": "warning" if ongoing else "info", "text": w["title"], "html": format_html(
            '<i class="bi bi-tools"></i> <strong>{}</strong> {} · {} – {}', label, w["title"],
            _when(w["starts_at"]), _when(w["ends_at"]))})
    return {"system_banners": out}

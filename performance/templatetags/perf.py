from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

UNIT_SUFFIX = {"%": "%", "h": " h", "rating": ""}


def _num(value) -> str:
    d = Decimal(value).quantize(Decimal("0.01"))
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d:f}"


@register.filter
def kpi_num(value, unit="%"):
    """A KPI value with its unit; None is "no data" (never zero)."""
    if value is None or value == "":
        return _("no data")
    return _num(value) + UNIT_SUFFIX.get(unit, "")


@register.filter
def score(value):
    if value is None or value == "":
        return _("no data")
    return _num(value)


@register.filter
def signed(value):
    return f"{Decimal(value):+}" if value not in (None, "") else ""


@register.filter
def ok_badge(ok):
    if ok is None:
        return format_html('<span class="badge text-bg-light">{}</span>', _("value"))
    if ok:
        return format_html('<span class="badge text-bg-success"><i class="bi bi-check-lg"></i> {}</span>',
                           _("counts"))
    return format_html('<span class="badge text-bg-danger"><i class="bi bi-x-lg"></i> {}</span>',
                       _("does not count"))


@register.filter
def status_tone(status):
    from ..tables import STATUS_TONES

    return STATUS_TONES.get(status, "secondary")


@register.filter
def record_type(label):
    """An evidence row's record type ("crm.followuptask") as the model's name in the reader's language."""
    from django.apps import apps

    try:
        return apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        return label

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def cny(value):
    """¥1,234.50: money with two places and grouping."""
    if value is None or value == "":
        return "—"
    return "¥" + number_format(Decimal(value), 2, force_grouping=True)


@register.filter
def qty(value):
    """A quantity without trailing zeros: 12.500 -> 12.5, 3.000 -> 3."""
    if value is None or value == "":
        return "—"
    d = Decimal(value).normalize()
    return number_format(d.quantize(Decimal(1)) if d == d.to_integral() else d, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination, sorting)."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = v
    return params.urlencode()


@register.filter
def site_link(value):
    """A user-supplied URL fit for href when it points at this site (hardware_erp/core/links.py), else ""."""
    from hardware_erp.core.links import site_url

    return site_url(value)


@register.filter
def web_link(value):
    """A user-supplied http(s) URL fit for href (an external page: open it with rel="noopener"), else ""."""
    from hardware_erp.core.links import web_url

    return web_url(value)

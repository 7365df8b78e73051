from decimal import Decimal

from django import template
from django.utils.formats import number_format

from hardware_erp.core.field_html import filter_field as write_filter_field
from hardware_erp.core.money import amount_in_words, format_money, format_price, to_decimal
from hardware_erp.core.money import per_thousand as money_per_thousand
from hardware_erp.core.table_body import render_rows

register = template.Library()


@register.filter
def cny(value, arg=""):
    """¥1,234.50: an amount through the one money formatter (half up, `-¥2,121.00`, never `¥-0.00`);
    `|cny:"neg"` shows the amount taken off (a discount, a payment) with its minus sign."""
    if value is None or value == "":
        return "—"
    return format_money(-to_decimal(value) if arg == "neg" else value)


@register.filter
def cny_price(value):
    """A unit price: up to 4 places, trailing zeros trimmed beyond 2 (¥0.0392, ¥0.035, ¥12.50)."""
    return format_price(value)


@register.filter
def per_thousand(value):
    """The price of a thousand pieces (fasteners are often quoted per thousand)."""
    if value is None or value == "":
        return None
    return money_per_thousand(value)


@register.filter
def cny_words(value):
    """The amount in Chinese capitals (大写金额)."""
    if value is None or value == "":
        return ""
    return amount_in_words(value)


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


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The `<tr>`s of a django-tables2 table's page, rendered by the kernel's compiled cells
    (`core.table_body`; `generic/_table.html`, the list pages' table template)."""
    return render_rows(table, context)


@register.simple_tag
def filter_field(field):
    """A list page's filter field as `{{ field|as_crispy_field }}` renders it, written in Python
    (`core.field_html`: the same HTML without a template per field and per option)."""
    return write_filter_field(field)

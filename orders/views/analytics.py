"""Order analytics."""


from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from hardware_erp.core.views import ModuleMixin

from .. import selectors
from ..models import (
    SalesOrder,
)
from .base import MONEY_PERM

CHARTS = {
    "period": _("Orders and revenue by period"),
    "salesperson": _("Revenue by salesperson"),
    "region": _("Revenue by region"),
    "customer_type": _("Revenue by customer type"),
    "category": _("Revenue by category"),
    "products": _("Product ranking"),
    "customers": _("Top customers"),
}


class AnalyticsView(ModuleMixin, TemplateView):
    module = "orders"
    permission_required = "orders.view_order_analytics"
    template_name = "orders/analytics.html"
    title = _("Order analytics")

    def period(self):
        from ..forms import AnalyticsFilterForm

        form = AnalyticsFilterForm(self.request.GET or None)
        start, end = selectors.default_period()
        grain = "month"
        if form.is_valid():
            start = form.cleaned_data.get("start") or start
            end = form.cleaned_data.get("end") or end
            grain = form.cleaned_data.get("grain") or grain
        return form, start, end, grain

    def datasets(self, start, end, grain, rank_by, src=selectors.ROLLUP):
        """Every chart's (head, rows), read from the sales rollups (`src=selectors.RAW`: from the orders and
        their lines, which the rollups are tested against)."""
        u = self.request.user
        from crm.choices import CustomerTypeChoices

        types = dict(CustomerTypeChoices.choices)
        period = selectors.revenue_by_period(u, start, end, grain, src=src)
        reps = selectors.revenue_by_salesperson(u, start, end, src=src)
        by_customer = selectors.customer_charts(u, start, end, src=src)  # region, type, top: one statement
        regions, ctypes, customers = by_customer["region"], by_customer["customer_type"], by_customer["customers"]
        by_product = selectors.product_charts(u, start, end, by=rank_by, src=src)  # categories and ranking: one
        cats, products = by_product["category"], by_product["products"]

        def name(r):
            return (f"{r['salesperson__last_name']}{r['salesperson__first_name']}".strip()
                    or r["salesperson__username"])

        fmt = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}[grain]
        return {
            "period": ([_("Period"), _("Orders"), _("Revenue")],
                       [[selectors.as_date(r["period"]).strftime(fmt), r["orders"], r["revenue"]] for r in period]),
            "salesperson": ([_("Salesperson"), _("Orders"), _("Revenue"), _("Margin")],
                            [[name(r), r["orders"], r["revenue"], r["margin"]] for r in reps]),
            "region": ([_("Region"), _("Orders"), _("Revenue")],
                       [[r["customer__province"] or _("Unknown"), r["orders"], r["revenue"]] for r in regions]),
            "customer_type": ([_("Customer type"), _("Orders"), _("Revenue")],
                              [[str(types.get(r["customer__customer_type"], r["customer__customer_type"])),
                                r["orders"], r["revenue"]] for r in ctypes]),
            "category": ([_("Category"), pgettext_lazy("orders", "Lines"), _("Revenue")],
                         [[r["product__category__name_zh"] if self.request.LANGUAGE_CODE.startswith("zh") else (
                             r["product__category__name_en"] or r["product__category__name_zh"]), r["lines"],
                           r["revenue"]] for r in cats]),
            "products": ([_("SKU"), _("Product"), _("Quantity"), _("Revenue"), _("Margin")],
                         [[r["product__sku"], r["product__name_zh"] if self.request.LANGUAGE_CODE.startswith("zh")
                           else (r["product__name_en"] or r["product__name_zh"]), r["qty"], r["revenue"],
                           r["margin"]] for r in products]),
            "customers": ([_("Customer"), _("Orders"), _("Revenue")],
                          [[r["customer__name"], r["orders"], r["revenue"]] for r in customers]),
        }

    def get(self, request, *args, **kwargs):
        form, start, end, grain = self.period()
        rank_by = request.GET.get("rank", "revenue")
        data = self.datasets(start, end, grain, rank_by)
        export = request.GET.get("_export")
        if export:
            from ..exports import xlsx_response

            if export not in data:
                raise Http404
            head, rows = data[export]
            return xlsx_response(request, f"orders-{export}", head, rows, model=SalesOrder)
        charts = []
        for key, (head, rows) in data.items():
            value_col = {"qty": 2, "revenue": 3, "margin": 4}.get(rank_by, 3) if key == "products" else 2
            metric = str(head[value_col])
            charts.append({"key": key, "title": CHARTS[key], "head": head, "rows": rows, "metric": metric,
                           "labels": [str(r[1] if key == "products" else r[0]) for r in rows],
                           "values": [float(r[value_col] or 0) for r in rows],
                           "counts": [r[1] for r in rows] if key == "period" else None,
                           "type": "line" if key == "period" else "bar"})
        ctx = self.get_context_data(form=form, start=start, end=end, grain=grain, rank_by=rank_by, charts=charts,
                                    headline=selectors.headline(request.user, start, end))
        return self.render_to_response(ctx)


class RepMonthFragmentView(ModuleMixin, TemplateView):
    """Revenue per salesperson per month as an htmx fragment (the CRM sales analytics may embed it)."""

    module = "orders"
    permission_required = ("orders.view_salesorder", MONEY_PERM)
    template_name = "orders/_rep_month.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        start, end = selectors.default_period()
        rows = selectors.sales_by_rep_month(self.request.user, start, end)
        months = sorted({r["month"] for r in rows})
        table = {}
        for r in rows:
            table.setdefault((r["salesperson_id"], r["name"]), {})[r["month"]] = r["revenue"]
        ctx["months"] = [selectors.as_date(m) for m in months]
        ctx["reps"] = [{"name": name, "values": [vals.get(m) for m in months], "total": sum(vals.values())}
                       for (_pk, name), vals in sorted(table.items(), key=lambda kv: kv[0][1])]
        return ctx

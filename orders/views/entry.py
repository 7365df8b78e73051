"""Order entry as it is typed: the order form's lines priced live (htmx), the customer's defaults, a scanned code.

The prices and totals come from `services.price_lines`, the pricing the save itself uses (`_fill_line` and
`order_totals`), so what the form shows before saving is what the order stores. Stock is the order's warehouse's
(available and incoming), with equivalent products in stock offered when a line is short.
"""

from decimal import Decimal

from django.http import JsonResponse
from django.shortcuts import render
from django.views import View

from crm.models import Customer
from hardware_erp.core.errors import BusinessRuleError
from inventory import selectors as stock_selectors
from inventory.models import Product, Warehouse

from .. import selectors, services
from ..forms import LineFormSet
from .base import MONEY_PERM, OrderScopeMixin


class OrderLinesPreviewView(OrderScopeMixin, View):
    """POST the whole order form (htmx, on every change): answers out-of-band fragments — each line's figures
    and stock, the unit list of a line whose product changed, and the document totals."""

    permission_required = "orders.add_salesorder"

    def post(self, request):
        p = request.POST
        customer_id, warehouse_id = p.get("customer", ""), p.get("warehouse", "")
        customer = (Customer.objects.for_user(request.user).filter(pk=customer_id).first()
                    if customer_id.isdigit() else None)
        warehouse = Warehouse.objects.filter(pk=warehouse_id).first() if warehouse_id.isdigit() else None
        formset = LineFormSet(p, prefix="lines")
        rows, inputs = [], []
        for i, f in enumerate(formset.forms):
            f.is_valid()
            data = getattr(f, "cleaned_data", {}) or {}
            product = data.get("product")
            row = {"index": i, "product": product, "errors": [str(e) for errs in f.errors.values() for e in errs],
                   "units": stock_selectors.product_units(product) if product else [],
                   "unit_changed": bool(product) and p.get(f"lines-{i}-priced_product", "") != str(product.pk)}
            row["unit_value"] = str(data["unit"].pk) if data.get("unit") else ""
            if row["unit_changed"] or row["unit_value"] not in {str(u["id"]) for u in row["units"]}:
                row["unit_value"] = str(product.base_unit_id) if product else ""
            rows.append(row)
            ready = product is not None and data.get("quantity") and not f.errors
            inputs.append(services.LineInput(product=product, quantity=data["quantity"], unit=data.get("unit"),
                                             discount_percent=data.get("discount_percent"),
                                             unit_price=data.get("unit_price")) if ready and customer else None)
        priced, totals = services.price_lines(customer=customer, lines=inputs) if customer else ([None] * len(rows),
                                                                                                  None)
        self.add_stock(rows, warehouse)
        for row, line in zip(rows, priced, strict=True):
            if isinstance(line, BusinessRuleError):
                row["errors"].append(" ".join(line.messages))
            elif line is not None:
                row["line"] = line
                row["short"] = row.get("available") is not None and line.base_quantity > row["available"]
        if any(r.get("short") for r in rows):
            self.add_equivalents([r for r in rows if r.get("short")], warehouse)
        return render(request, "htmx/orders/line_preview.html", {
            "rows": rows, "totals": totals, "customer": customer, "warehouse": warehouse,
            "can_see_prices": request.user.has_perm(MONEY_PERM)})

    @staticmethod
    def add_stock(rows, warehouse):
        ids = [r["product"].pk for r in rows if r["product"]]
        if not ids or warehouse is None:
            return
        figures = {p.pk: p for p in stock_selectors.with_stock(Product.objects.filter(pk__in=ids), warehouse)}
        for r in rows:
            if r["product"] and r["product"].pk in figures:
                f = figures[r["product"].pk]
                r["available"], r["on_order"] = f.available, f.on_order

    @staticmethod
    def add_equivalents(rows, warehouse):
        for r in rows:
            eq = stock_selectors.with_stock(r["product"].equivalents.filter(active=True), warehouse)
            r["equivalents"] = [e for e in eq.order_by("-available")[:3] if e.available > Decimal(0)]


class CustomerDefaultsView(OrderScopeMixin, View):
    """GET ?customer=<id> -> JSON: what choosing the customer fills on the order form (receiver, phone, delivery
    address, payment terms, e-mail) and the price level the lines are priced at."""

    permission_required = "orders.add_salesorder"

    def get(self, request):
        pk = request.GET.get("customer", "")
        customer = Customer.objects.for_user(request.user).filter(pk=pk).first() if pk.isdigit() else None
        if customer is None:
            return JsonResponse({"ok": False}, status=404)
        return JsonResponse({"ok": True, **selectors.order_defaults(customer)})


class ProductByCodeView(OrderScopeMixin, View):
    """GET ?code=… -> the one product a scanned barcode, pack barcode or SKU names (the order form's scan into the
    product field), or ok=false."""

    permission_required = "orders.add_salesorder"

    def get(self, request):
        found = stock_selectors.product_for_code(request.GET.get("code", "")[:80])
        if found is None or not found[0].active:
            return JsonResponse({"ok": False})
        product, factor = found
        return JsonResponse({"ok": True, "id": product.pk, "text": f"{product.sku} {product.name}",
                             "quantity": f"{factor.normalize():f}"})

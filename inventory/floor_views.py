"""The warehouse floor: what a scanned code is and where it lies (the scan pages' lookup), and the handheld
stock lookup page."""

from decimal import Decimal

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from hardware_erp.core.templatetags.erp import qty

from . import selectors
from .models import Product, Warehouse
from .scanning import scan_texts
from .views import InventoryMixin


class ScanLookupView(InventoryMixin, View):
    """GET ?code=…[&warehouse=<id>] -> JSON: the product the code names, base units per scan (a pack's barcode
    counts the pack), its bins with stock (in the warehouse) and its home bin; or ok=false with a message."""

    permission_required = "inventory.view_product"

    def get(self, request):
        code = request.GET.get("code", "").strip()[:80]
        pid = request.GET.get("product", "")
        if pid.isdigit():  # a product chosen in a picker rather than scanned
            product = Product.objects.select_related("base_unit").filter(pk=pid).first()
            found = (product, Decimal(1)) if product else None
        else:
            found = selectors.product_for_code(code)
        if found is None:
            return JsonResponse({"ok": False, "code": code, "message": _(
                "Unknown code “%(code)s”: no product has this barcode or SKU.") % {"code": code}})
        product, factor = found
        wh = request.GET.get("warehouse", "")
        warehouse = Warehouse.objects.filter(pk=wh).first() if wh.isdigit() else None
        bins = selectors.product_bins(product, warehouse)
        home = selectors.home_bin(product, warehouse)
        return JsonResponse({
            "ok": True, "product_id": product.pk, "sku": product.sku, "name": product.name,
            "spec": product.spec_line, "factor": f"{factor.normalize():f}", "factor_text": qty(factor),
            "unit": product.base_unit.name, "home_bin": home.code if home else "",
            "home_bin_id": home.pk if home else None,
            "units": [{"id": u["id"], "name": u["name"], "factor": f"{u['factor'].normalize():f}"}
                      for u in selectors.product_units(product)],
            "bins": [{"code": b["code"], "id": b["location_id"], "warehouse": b["warehouse_code"],
                      "on_hand": qty(b["on_hand"])} for b in bins],
        })


class StockLookupView(InventoryMixin, TemplateView):
    """Scan a product: its stock in each warehouse and bin (the handheld's lookup)."""

    permission_required = "inventory.view_product"
    template_name = "inventory/stock_lookup.html"
    title = gettext_lazy("Stock lookup")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["scan_texts"] = scan_texts(on_hand=_("on hand"), nothing=_("No stock in any bin."))
        return ctx

"""Picking by scanning (the warehouse handheld): each line of an order is confirmed by scanning its product, and
its bin; a wrong item is refused on the spot. What was picked is then shipped through the ship page's own service
(`services.ship_order`), in one form."""

from collections import defaultdict

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from inventory import selectors as stock_selectors
from inventory.scanning import scan_texts

from .views import ShipView
from .views.base import OrderScopeMixin


class PickView(ShipView):
    template_name = "orders/pick.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = self.object
        bins = defaultdict(list)
        for row in ctx["plan"]:
            if row["location"] is not None:
                bins[row["line"].pk].append(row["location"].code)
        for ln in ctx["lines"]:
            ln.bins = bins.get(ln.pk, [])
            ln.to_pick = f"{ln.suggested.normalize():f}"
        ctx["title"] = _("Pick %(n)s") % {"n": order.number}
        ctx["lookup_url"] = reverse("orders:order_pick_lookup", args=[order.pk])
        ctx["scan_texts"] = scan_texts(
            not_on_order=_("%(sku)s is not on this order: put it back."),
            wrong_bin=_("%(sku)s is not picked from %(bin)s: take it from %(bins)s."),
            no_bin=_("No line of this order is picked from %(bin)s."),
            full=_("%(sku)s: all %(n)s are picked already."),
            picked=_("picked"), bin=_("Bin"), all_done=_("Every line is picked: check the carrier and ship."))
        return ctx

    def get_success_url(self, result=None):
        return self.object.get_absolute_url()



class PickLookupView(OrderScopeMixin, View):
    """GET ?code=… -> JSON: the product a scanned barcode, pack barcode or SKU names and the base units one scan
    counts, for the pick page. Open to whoever may open that page (the order's module and the right to ship): a
    sales manager who picks needs no access to the inventory module to scan."""

    permission_required = "orders.ship_salesorder"

    def get(self, request, pk):
        self.get_order()  # an order the user may not see is a 404, as its pick page is
        code = request.GET.get("code", "").strip()[:80]
        found = stock_selectors.product_for_code(code)
        if found is None:
            return JsonResponse({"ok": False, "code": code, "message": _(
                "Unknown code “%(code)s”: no product has this barcode or SKU.") % {"code": code}})
        product, factor = found
        return JsonResponse({"ok": True, "product_id": product.pk, "sku": product.sku, "name": product.name,
                             "factor": f"{factor.normalize():f}"})
